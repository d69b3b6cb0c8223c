package io.runnel.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.FsyncFailingDisk;
import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import io.runnel.broker.testing.Tmpfs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A broker whose only log dir is a small tmpfs that fills up: producers get errors, never a false
 * success; the broker keeps answering and serving partitions that did not fail; once space is
 * freed writes resume without a restart; and every acknowledged record is there, before and
 * after a restart. And a disk whose fsync fails: nothing it covered is acknowledged.
 */
class DiskFullTest
{
    private static final int DISK_MIB = 8;
    /** Most of the disk, so that the producers fill the rest quickly; deleting it is "space freed". */
    private static final long FILLER_BYTES = 5L << 20;
    private static final int VALUE_BYTES = 1024;
    private static final int ROUND = 50;
    private static final int MAX_ROUNDS = 200;
    private static final int STEADY_RECORDS = 20;
    private static final int NODE_ID = 1;

    @TempDir
    Path temp;

    private static byte[] value(final String name)
    {
        final byte[] value = new byte[VALUE_BYTES];
        Arrays.fill(value, (byte)'.');
        final byte[] tag = (name + "|").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(tag, 0, value, 0, tag.length);
        return value;
    }

    private static String nameOf(final byte[] value)
    {
        final String text = new String(value, StandardCharsets.UTF_8);
        return text.substring(0, text.indexOf('|'));
    }

    private static Map<String, Object> producerSettings(final boolean idempotent)
    {
        return Map.of("acks", "all", "enable.idempotence", String.valueOf(idempotent), "linger.ms", "5",
            "request.timeout.ms", "3000", "delivery.timeout.ms", "6000", "retry.backoff.ms", "100", "max.block.ms", "20000");
    }

    /** One producer writing named records to full-0 and keeping what the broker acknowledged and what failed. */
    private static final class Writer implements AutoCloseable
    {
        final String name;
        final KafkaProducer<byte[], byte[]> producer;
        final Set<String> acked = ConcurrentHashMap.newKeySet();
        final Queue<Exception> errors = new ConcurrentLinkedQueue<>();
        int sent;

        Writer(final TestBroker broker, final String name, final boolean idempotent)
        {
            this.name = name;
            this.producer = broker.producer(producerSettings(idempotent));
        }

        void sendRound()
        {
            for (int i = 0; i < ROUND; i++)
            {
                final String record = name + "-" + sent++;
                producer.send(new ProducerRecord<>("full", 0, null, value(record)), (metadata, error) ->
                {
                    if (error == null)
                    {
                        acked.add(record);
                    }
                    else
                    {
                        errors.add(error);
                    }
                });
            }
        }

        /** After space is freed: a record that gets acknowledged, within a bounded number of tries. */
        boolean writesAgain()
        {
            for (int attempt = 0; attempt < 30; attempt++)
            {
                final String record = name + "-after-" + attempt;
                try
                {
                    producer.send(new ProducerRecord<>("full", 0, null, value(record))).get(15, TimeUnit.SECONDS);
                    acked.add(record);
                    return true;
                }
                catch (final Exception retry)
                {
                    sleep(500);
                }
            }
            return false;
        }

        @Override
        public void close()
        {
            producer.close(Duration.ofSeconds(10));
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Every record of a partition, from its start to its end offset now. */
    private static List<String> readAll(final TestBroker broker, final String topic, final int expectAtLeast)
    {
        final TopicPartition partition = new TopicPartition(topic, 0);
        final List<String> names = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
            assertTrue(end >= expectAtLeast, topic + " ends at " + end + ", below " + expectAtLeast);
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long position = 0;
            while (position < end && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    names.add(nameOf(record.value()));
                    position = record.offset() + 1;
                }
            }
            assertEquals(end, position, "could not read " + topic + " to its end");
        }
        return names;
    }

    private static void assertAllAcknowledgedPresent(final List<Writer> writers, final List<String> read, final String when)
    {
        final Set<String> present = new HashSet<>(read);
        for (final Writer writer : writers)
        {
            final List<String> missing = writer.acked.stream().filter(record -> !present.contains(record)).sorted().toList();
            assertTrue(missing.isEmpty(), when + ": " + missing.size() + " acknowledged records of " + writer.name + " are gone, e.g. "
                + missing.subList(0, Math.min(5, missing.size())));
        }
    }

    /** Rounds of sends until every writer has had an error back; each error must be a storage error or a delivery timeout. */
    private static void writeUntilEveryWriterFails(final List<Writer> writers)
    {
        int rounds = 0;
        while (rounds++ < MAX_ROUNDS && writers.stream().anyMatch(w -> w.errors.isEmpty()))
        {
            writers.forEach(Writer::sendRound);
            writers.forEach(w -> w.producer.flush());
        }
        for (final Writer writer : writers)
        {
            assertFalse(writer.errors.isEmpty(), writer.name + " never got an error from the failing disk");
            assertFalse(writer.acked.isEmpty(), writer.name + " got nothing acknowledged before the disk failed");
            for (final Exception error : writer.errors)
            {
                assertTrue(error instanceof KafkaStorageException || error instanceof TimeoutException, writer.name + ": " + error);
            }
        }
    }

    private static void assertPartitionReportedOffline(final TestBroker broker) throws Exception
    {
        try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
        {
            assertEquals(Errors.NONE.code(), raw.apiVersions((short)3).errorCode());
            final MetadataResponseData metadata = raw.request(ApiKeys.METADATA, (short)12, new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("full"))));
            final MetadataResponseData.MetadataResponsePartition full = metadata.topics().find("full").partitions().get(0);
            assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), full.errorCode());
            assertEquals(List.of(NODE_ID), full.offlineReplicas());
            assertOfflineForReadsToo(raw);
        }
    }

    /** Fetch and ListOffsets of the offline partition answer KAFKA_STORAGE_ERROR, as Kafka does for a failed log dir. */
    private static void assertOfflineForReadsToo(final RawKafkaClient raw) throws Exception
    {
        final FetchResponseData fetch = raw.request(ApiKeys.FETCH, (short)12, new FetchRequestData().setMaxWaitMs(0).setMinBytes(0)
            .setMaxBytes(1 << 20).setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("full").setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20))))));
        assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), fetch.responses().get(0).partitions().get(0).errorCode());
        final ListOffsetsResponseData offsets = raw.request(ApiKeys.LIST_OFFSETS, (short)7, new ListOffsetsRequestData().setReplicaId(-1)
            .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName("full").setPartitions(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1L))))));
        assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), offsets.topics().get(0).partitions().get(0).errorCode());
    }

    /**
     * An fsync that fails for real (ext4 over a loop device whose backing tmpfs fills): the records
     * that group commit covered are answered KAFKA_STORAGE_ERROR, never success, so once the disk is
     * repaired and the broker restarted every record that was acknowledged is there.
     */
    @Test
    void aFailedFsyncIsNeverAcknowledgedAndEveryAcknowledgedRecordSurvivesTheRepair() throws Exception
    {
        final Map<String, String> settings = Map.of("runnel.flush.policy", "fsync", "runnel.shards", "2", "node.id", String.valueOf(NODE_ID));
        try (FsyncFailingDisk disk = FsyncFailingDisk.mount(Files.createDirectories(temp.resolve("ext4")), 8))
        {
            final Path data = disk.dir().resolve("data");
            final List<Writer> writers;
            final TestBroker broker = TestBroker.start(data, settings);
            try
            {
                try (Admin admin = broker.admin())
                {
                    admin.createTopics(List.of(new NewTopic("full", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
                }
                writers = List.of(new Writer(broker, "idempotent", true), new Writer(broker, "plain", false));
                try
                {
                    writeUntilEveryWriterFails(writers);
                    assertPartitionReportedOffline(broker);
                }
                finally
                {
                    writers.forEach(Writer::close);
                }
            }
            finally
            {
                broker.close();
            }

            disk.repair();

            try (TestBroker restarted = TestBroker.start(data, settings))
            {
                assertAllAcknowledgedPresent(writers, readAll(restarted, "full", 2), "after the disk was repaired");
            }
        }
    }

    @ParameterizedTest(name = "runnel.flush.policy={0}, log.preallocate={1}")
    @CsvSource({"pagecache, false", "fsync, false", "fsync, true"})
    void producersGetStorageErrorsOnAFullDiskAndResumeWithoutLosingAnAcknowledgedRecordOnceSpaceIsFreed(final String flushPolicy,
        final boolean preallocate) throws Exception
    {
        final Path disk = Files.createDirectories(temp.resolve("disk"));
        try (Tmpfs tmpfs = Tmpfs.mount(disk, DISK_MIB))
        {
            final TestBroker broker = TestBroker.start(disk.resolve("data"), Map.of("runnel.flush.policy", flushPolicy,
                "log.preallocate", String.valueOf(preallocate), "runnel.shards", "2", "log.segment.bytes", String.valueOf(1 << 20),
                "node.id", String.valueOf(NODE_ID)));
            try
            {
                try (Admin admin = broker.admin())
                {
                    admin.createTopics(List.of(new NewTopic("full", 1, (short)1), new NewTopic("steady", 1, (short)1)))
                        .all().get(30, TimeUnit.SECONDS);
                }
                try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("acks", "all")))
                {
                    for (int i = 0; i < STEADY_RECORDS; i++)
                    {
                        producer.send(new ProducerRecord<>("steady", 0, null, value("steady-" + i))).get(10, TimeUnit.SECONDS);
                    }
                }
                final Path filler = tmpfs.filler("filler", FILLER_BYTES);

                final List<Writer> writers = List.of(new Writer(broker, "idempotent", true), new Writer(broker, "plain", false));
                try
                {
                    writeUntilEveryWriterFails(writers);

                    // Full disk: the broker answers, reports the failed partition offline, and serves the one that did not fail.
                    try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
                    {
                        assertEquals(Errors.NONE.code(), raw.apiVersions((short)3).errorCode());
                        final MetadataResponseData metadata = raw.request(ApiKeys.METADATA, (short)12, new MetadataRequestData()
                            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("full"),
                                new MetadataRequestData.MetadataRequestTopic().setName("steady"))));
                        final MetadataResponseData.MetadataResponsePartition full = metadata.topics().find("full").partitions().get(0);
                        assertEquals(Errors.KAFKA_STORAGE_ERROR.code(), full.errorCode());
                        assertEquals(List.of(NODE_ID), full.offlineReplicas());
                        final MetadataResponseData.MetadataResponsePartition steady = metadata.topics().find("steady").partitions().get(0);
                        assertEquals(Errors.NONE.code(), steady.errorCode());
                        assertOfflineForReadsToo(raw);
                    }
                    assertEquals(STEADY_RECORDS, readAll(broker, "steady", STEADY_RECORDS).size());

                    Files.delete(filler);

                    for (final Writer writer : writers)
                    {
                        assertTrue(writer.writesAgain(), writer.name + " could not write after space was freed");
                    }
                    assertAllAcknowledgedPresent(writers, readAll(broker, "full", 2), "after space was freed");
                }
                finally
                {
                    writers.forEach(Writer::close);
                }

                broker.restart();
                assertAllAcknowledgedPresent(writers, readAll(broker, "full", 2), "after a restart");
                assertEquals(STEADY_RECORDS, readAll(broker, "steady", STEADY_RECORDS).size());
            }
            finally
            {
                broker.close();
            }
        }
    }
}
