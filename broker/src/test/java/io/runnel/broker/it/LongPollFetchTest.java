package io.runnel.broker.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 6: a parked long-poll fetch is answered when data arrives, not when max.wait.ms
 * runs out. The consumer waits up to 60 s per fetch; its poll only waits 20 s, so the record can
 * arrive in that poll only if the broker answered the parked fetch early.
 */
class LongPollFetchTest
{
    private static final int FETCH_MAX_WAIT_MS = 60_000;

    @TempDir
    Path dataDir;

    @Test
    void parkedFetchIsAnsweredWhenDataArrivesOnAnotherShard() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2")); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("wait", 2, (short)1))).all().get();
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(
                "fetch.max.wait.ms", FETCH_MAX_WAIT_MS,
                "request.timeout.ms", FETCH_MAX_WAIT_MS + 30_000,
                "default.api.timeout.ms", FETCH_MAX_WAIT_MS + 30_000));
                KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                consumer.assign(List.of(new TopicPartition("wait", 0), new TopicPartition("wait", 1)));
                // Sends the first fetch, which the broker parks: nothing is there yet.
                assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty());
                for (int partition = 0; partition < 2; partition++)
                {
                    producer.send(new ProducerRecord<>("wait", partition, null, new byte[] {(byte)partition})).get();
                    final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(20));
                    assertEquals(1, records.count(), "record on partition " + partition + " arrives before max.wait.ms");
                }
                // The next fetch is parked again; do not wait for it on close.
                consumer.close(CloseOptions.timeout(Duration.ofMillis(100)));
            }
        }
    }

    @Test
    void fetchWaitsForMinBytesOnlyUntilMaxWait() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("min", 1, (short)1))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                producer.send(new ProducerRecord<>("min", 0, null, new byte[10])).get();
            }
            // min.bytes is far above what is there: the broker must still answer once max.wait.ms passes.
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("fetch.min.bytes", 10_000_000, "fetch.max.wait.ms", 300)))
            {
                consumer.assign(List.of(new TopicPartition("min", 0)));
                int received = 0;
                final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (received == 0 && System.nanoTime() < deadline)
                {
                    received += consumer.poll(Duration.ofMillis(500)).count();
                }
                assertEquals(1, received);
            }
        }
    }
}
