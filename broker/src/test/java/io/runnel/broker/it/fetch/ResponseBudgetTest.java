package io.runnel.broker.it.fetch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A consumer far behind, whose fetch.max.bytes is less than its partitions' max.partition.fetch.bytes
 * together (the standard benchmark's acks=all consumer: 6 x 10 MiB against 50 MiB), gets a response
 * whose budget runs out inside a later partition's first batch. That partition must get no records
 * rather than part of a batch: the Java consumer fails on records with no whole batch ("Failed to make
 * progress ... no complete records were found"), as the benchmark's did.
 */
class ResponseBudgetTest
{
    private static final int PARTITIONS = 4;
    private static final int BATCHES_PER_PARTITION = 12;
    private static final int RECORDS_PER_BATCH = 10;
    private static final int VALUE_BYTES = 3_000;

    @TempDir
    Path dataDir;

    @Test
    void aBudgetEndingInsideABatchSendsThatPartitionNothingAndTheConsumerReadsEverything() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2"));
            Admin admin = broker.admin();
            // ~30 KB batches: every send of a round is one batch per partition.
            KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("linger.ms", 50, "batch.size", 64 * 1024));
            // 45,000 bytes of budget: one and a half batches; each partition alone may send far more.
            KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("fetch.max.bytes", 45_000,
                "max.partition.fetch.bytes", 10 << 20, "fetch.max.wait.ms", 50)))
        {
            admin.createTopics(List.of(new NewTopic("budget", PARTITIONS, (short)1))).all().get(30, TimeUnit.SECONDS);
            final byte[] value = new byte[VALUE_BYTES];
            for (int batch = 0; batch < BATCHES_PER_PARTITION; batch++)
            {
                final List<Future<?>> sent = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++)
                {
                    for (int r = 0; r < RECORDS_PER_BATCH; r++)
                    {
                        sent.add(producer.send(new ProducerRecord<>("budget", p, null, value)));
                    }
                }
                producer.flush();
                for (final Future<?> future : sent)
                {
                    future.get(30, TimeUnit.SECONDS);
                }
            }
            final List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                all.add(new TopicPartition("budget", p));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            final long[] next = new long[PARTITIONS];
            final long total = (long)PARTITIONS * BATCHES_PER_PARTITION * RECORDS_PER_BATCH;
            long received = 0;
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received < total && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    assertEquals(next[record.partition()], record.offset(), "partition " + record.partition() + " in order, no gap");
                    next[record.partition()]++;
                    received++;
                }
            }
            final long[] expected = new long[PARTITIONS];
            Arrays.fill(expected, (long)BATCHES_PER_PARTITION * RECORDS_PER_BATCH);
            assertEquals(Arrays.toString(expected), Arrays.toString(next), "every record of every partition, by the deadline");
        }
    }
}
