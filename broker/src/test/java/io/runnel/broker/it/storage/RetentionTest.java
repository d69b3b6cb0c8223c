package io.runnel.broker.it.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.runnel.broker.testing.ChildBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Retention end to end, with the broker in a child JVM: a topic with small segments and a
 * retention.bytes limit loses its oldest segments while it is written, its earliest offset
 * advances, a consumer whose committed offset was deleted is reset as its auto.offset.reset says
 * (earliest, latest, or an error with none), and after a kill -9 the log starts where retention
 * had trimmed it, with every record above that still there. retention.ms deletes everything once
 * it has expired, the active segment included, and appends go on at the old end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RetentionTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RECORDS = 3000;
    private static final byte[] VALUE = "v".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @TempDir
    Path root;

    private static Map<String, String> brokerSettings()
    {
        return Map.of("log.retention.check.interval.ms", "200", "log.segment.delete.delay.ms", "300", "runnel.shards", "2");
    }

    @Test
    void sizeRetentionTrimsTheLogConsumersAreResetAndTheTrimSurvivesKillNine() throws Exception
    {
        final Path data = root.resolve("data");
        final TopicPartition partition = new TopicPartition("bounded", 0);
        final long earliestBeforeCrash;
        final long end;
        try (ChildBroker broker = ChildBroker.start(data, brokerSettings()); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("bounded", 1, (short)1).configs(Map.of(
                "segment.bytes", "4096", "retention.bytes", "16384")))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0)))
            {
                producer.send(new ProducerRecord<>("bounded", 0, null, VALUE)).get(30, TimeUnit.SECONDS);
                // Three groups that will have committed offset 0, which retention then deletes.
                for (final String group : List.of("reset-earliest", "reset-latest", "reset-none"))
                {
                    admin.alterConsumerGroupOffsets(group, Map.of(partition, new OffsetAndMetadata(0))).all().get(30, TimeUnit.SECONDS);
                }
                for (int i = 1; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>("bounded", 0, null, VALUE));
                }
                producer.flush();
            }
            end = RECORDS;
            awaitTrue("retention trims the log to about retention.bytes", () -> earliest(admin, partition) > 0
                && logFiles(data.resolve("bounded-0"), ".log") <= 6);
            earliestBeforeCrash = earliest(admin, partition);
            assertEquals(end, latest(admin, partition));
            awaitTrue("the deleted segments' files are removed after file.delete.delay.ms",
                () -> logFiles(data.resolve("bounded-0"), ".deleted") == 0);

            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "reset-earliest",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")))
            {
                consumer.assign(List.of(partition));
                final List<Long> offsets = consumeUntil(consumer, end);
                assertTrue(offsets.get(0) >= earliestBeforeCrash, "reset to the earliest offset there is: " + offsets.get(0));
                assertEquals(end - 1, (long)offsets.get(offsets.size() - 1));
            }
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "reset-latest",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")))
            {
                consumer.assign(List.of(partition));
                consumer.poll(Duration.ofMillis(500));
                assertEquals(end, consumer.position(partition, Duration.ofSeconds(30)), "reset to the end");
            }
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "reset-none",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none")))
            {
                consumer.assign(List.of(partition));
                assertThrows(OffsetOutOfRangeException.class, () ->
                {
                    final long deadline = System.nanoTime() + WAIT.toNanos();
                    while (System.nanoTime() < deadline)
                    {
                        consumer.poll(Duration.ofMillis(200));
                    }
                }, "auto.offset.reset=none: the deleted offset is an error");
            }
            broker.kill9();
        }

        try (ChildBroker broker = ChildBroker.start(data, brokerSettings()); Admin admin = broker.admin())
        {
            final long earliestAfterCrash = earliest(admin, partition);
            assertTrue(earliestAfterCrash >= earliestBeforeCrash, "the log start never goes back: " + earliestAfterCrash + " < "
                + earliestBeforeCrash);
            assertEquals(end, latest(admin, partition));
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
            {
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                final List<Long> offsets = consumeUntil(consumer, end);
                assertEquals(earliestAfterCrash, (long)offsets.get(0));
                for (int i = 1; i < offsets.size(); i++)
                {
                    assertEquals(offsets.get(i - 1) + 1, (long)offsets.get(i), "every record above the log start is there");
                }
            }
        }
    }

    @Test
    void timeRetentionDeletesEverySegmentOnceExpiredAndAppendsGoOnAtTheEnd() throws Exception
    {
        final Path data = root.resolve("data");
        final TopicPartition partition = new TopicPartition("aged", 0);
        try (ChildBroker broker = ChildBroker.start(data, brokerSettings()); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("aged", 1, (short)1).configs(Map.of(
                "segment.bytes", "4096", "retention.ms", "1500")))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < 200; i++)
                {
                    producer.send(new ProducerRecord<>("aged", 0, null, VALUE));
                }
                producer.flush();
                awaitTrue("every segment expires, the active one included", () -> earliest(admin, partition) == 200);
                assertEquals(200, latest(admin, partition));
                assertEquals(200, producer.send(new ProducerRecord<>("aged", 0, null, VALUE)).get(30, TimeUnit.SECONDS).offset());
            }
        }
    }

    private static List<Long> consumeUntil(final KafkaConsumer<byte[], byte[]> consumer, final long end)
    {
        final List<Long> offsets = new ArrayList<>();
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while ((offsets.isEmpty() || offsets.get(offsets.size() - 1) < end - 1) && System.nanoTime() < deadline)
        {
            for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
            {
                offsets.add(record.offset());
            }
        }
        if (offsets.isEmpty())
        {
            fail("nothing consumed within " + WAIT);
        }
        return offsets;
    }

    private static long earliest(final Admin admin, final TopicPartition partition) throws Exception
    {
        return admin.listOffsets(Map.of(partition, OffsetSpec.earliest())).partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
    }

    private static long latest(final Admin admin, final TopicPartition partition) throws Exception
    {
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
    }

    private static long logFiles(final Path dir, final String suffix)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(file -> file.getFileName().toString().endsWith(suffix)).count();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @FunctionalInterface
    private interface Check
    {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(final String what, final Check check) throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (check.holds())
            {
                return;
            }
            Thread.sleep(100);
        }
        fail(what + ": not within " + WAIT);
    }
}
