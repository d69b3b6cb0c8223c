package io.runnel.broker.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** runnel.flush.policy=fsync: group commit before acknowledging, across shards, end to end. */
class FsyncFlushPolicyTest
{
    private static final int RECORDS = 20_000;

    @TempDir
    Path dataDir;

    @Test
    void acknowledgedRecordsUnderGroupCommitAreAllReadable() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.flush.policy", "fsync", "runnel.shards", "2"));
            Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("durable", 4, (short)1))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("acks", "all")))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>("durable", i % 4, null, new byte[] {(byte)i}));
                }
                producer.flush();
            }
            int received = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
            {
                consumer.assign(List.of(new TopicPartition("durable", 0), new TopicPartition("durable", 1),
                    new TopicPartition("durable", 2), new TopicPartition("durable", 3)));
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (received < RECORDS && System.nanoTime() < deadline)
                {
                    received += consumer.poll(Duration.ofMillis(200)).count();
                }
            }
            assertEquals(RECORDS, received);
            broker.restart();
            try (Admin reopened = broker.admin())
            {
                long total = 0;
                for (int p = 0; p < 4; p++)
                {
                    final TopicPartition partition = new TopicPartition("durable", p);
                    total += reopened.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .partitionResult(partition).get().offset();
                }
                assertEquals(RECORDS, total);
            }
        }
    }
}
