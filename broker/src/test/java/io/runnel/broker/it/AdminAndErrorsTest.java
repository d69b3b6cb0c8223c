package io.runnel.broker.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Acceptance 5: errors for bad offsets and unknown topics, and the AdminClient operations. */
class AdminAndErrorsTest
{
    @TempDir
    Path dataDir;

    @Test
    void fetchBeyondLogEndIsOffsetOutOfRange() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("short", 1, (short)1))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                producer.send(new ProducerRecord<>("short", "only".getBytes(StandardCharsets.UTF_8))).get();
            }
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("auto.offset.reset", "none")))
            {
                final TopicPartition partition = new TopicPartition("short", 0);
                consumer.assign(List.of(partition));
                consumer.seek(partition, 1_000);
                final OffsetOutOfRangeException error = assertThrows(OffsetOutOfRangeException.class, () ->
                {
                    final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (System.nanoTime() < deadline)
                    {
                        consumer.poll(Duration.ofMillis(200));
                    }
                });
                assertEquals(1_000L, error.offsetOutOfRangePartitions().get(partition));
            }
        }
    }

    @Test
    void unknownTopicIsReportedWhenAutoCreationIsOff() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("auto.create.topics.enable", "false")); Admin admin = broker.admin())
        {
            final ExecutionException describe = assertThrows(ExecutionException.class,
                () -> admin.describeTopics(List.of("missing")).allTopicNames().get());
            assertInstanceOf(UnknownTopicOrPartitionException.class, describe.getCause());
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000)))
            {
                final ExecutionException send = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("missing", new byte[1])).get());
                assertTrue(send.getCause() instanceof TimeoutException || send.getCause() instanceof UnknownTopicOrPartitionException,
                    "got " + send.getCause());
            }
            assertFalse(admin.listTopics().names().get().contains("missing"));
        }
    }

    @Test
    void unknownTopicIsCreatedOnFirstUseWhenAutoCreationIsOn() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("num.partitions", "4")); Admin admin = broker.admin())
        {
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                assertEquals(0, producer.send(new ProducerRecord<>("auto", 3, null, new byte[] {1})).get().offset());
            }
            assertEquals(4, admin.describeTopics(List.of("auto")).allTopicNames().get().get("auto").partitions().size());
        }
    }

    @Test
    void adminCreatesListsDescribesGrowsAndDeletesTopics() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2")); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(
                new NewTopic("alpha", 3, (short)1),
                new NewTopic("beta", 1, (short)1).configs(Map.of("retention.ms", "3600000", "segment.bytes", "1048576")))).all().get();
            assertEquals(Set.of("alpha", "beta"), admin.listTopics().names().get());

            assertCause(TopicExistsException.class, () -> admin.createTopics(List.of(new NewTopic("alpha", 1, (short)1))).all().get());
            assertCause(InvalidReplicationFactorException.class, () -> admin.createTopics(List.of(new NewTopic("gamma", 1, (short)3))).all().get());
            assertCause(InvalidConfigurationException.class, () -> admin.createTopics(
                List.of(new NewTopic("delta", 1, (short)1).configs(Map.of("no.such.config", "1")))).all().get());

            final TopicDescription alpha = admin.describeTopics(List.of("alpha")).allTopicNames().get().get("alpha");
            assertEquals(3, alpha.partitions().size());
            assertNotNull(alpha.topicId());
            alpha.partitions().forEach(p -> assertEquals(1, p.isr().size()));

            admin.createPartitions(Map.of("alpha", NewPartitions.increaseTo(5))).all().get();
            assertEquals(5, admin.describeTopics(List.of("alpha")).allTopicNames().get().get("alpha").partitions().size());
            assertCause(InvalidPartitionsException.class, () -> admin.createPartitions(Map.of("alpha", NewPartitions.increaseTo(2))).all().get());

            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                producer.send(new ProducerRecord<>("alpha", 4, null, new byte[] {4})).get();
            }

            final Config beta = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "beta"))).all().get()
                .get(new ConfigResource(ConfigResource.Type.TOPIC, "beta"));
            assertEquals("3600000", beta.get("retention.ms").value());
            assertEquals("1048576", beta.get("segment.bytes").value());
            assertEquals("1048588", beta.get("max.message.bytes").value());
            final Config brokerConfig = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, "0"))).all().get()
                .get(new ConfigResource(ConfigResource.Type.BROKER, "0"));
            assertEquals("2", brokerConfig.get("runnel.shards").value());

            final DescribeClusterResult cluster = admin.describeCluster();
            assertEquals(1, cluster.nodes().get().size());
            assertEquals(0, cluster.controller().get().id());
            assertNotNull(cluster.clusterId().get());

            admin.deleteTopics(List.of("alpha")).all().get();
            assertEquals(Set.of("beta"), admin.listTopics().names().get());
            assertCause(UnknownTopicOrPartitionException.class, () -> admin.deleteTopics(List.of("alpha")).all().get());
            awaitRecreated(admin, "alpha");
        }
    }

    @Test
    void listOffsetsAnswersEarliestLatestTimestampAndMaxTimestamp() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("times", 1, (short)1))).all().get();
            final long base = 1_700_000_000_000L;
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < 10; i++)
                {
                    // Timestamps rise by 1 s, except record 7 which is the latest of all.
                    final long timestamp = i == 7 ? base + 100_000 : base + i * 1_000L;
                    producer.send(new ProducerRecord<>("times", 0, timestamp, null, new byte[] {(byte)i})).get();
                }
            }
            final TopicPartition partition = new TopicPartition("times", 0);
            assertEquals(0, offset(admin, partition, OffsetSpec.earliest()).offset());
            assertEquals(10, offset(admin, partition, OffsetSpec.latest()).offset());
            final ListOffsetsResult.ListOffsetsResultInfo atFour = offset(admin, partition, OffsetSpec.forTimestamp(base + 3_500));
            assertEquals(4, atFour.offset());
            assertEquals(base + 4_000, atFour.timestamp());
            assertEquals(7, offset(admin, partition, OffsetSpec.maxTimestamp()).offset());
            assertEquals(-1, offset(admin, partition, OffsetSpec.forTimestamp(base + 1_000_000)).offset());
        }
    }

    private static ListOffsetsResult.ListOffsetsResultInfo offset(final Admin admin, final TopicPartition partition, final OffsetSpec spec)
        throws Exception
    {
        return admin.listOffsets(Map.of(partition, spec)).partitionResult(partition).get();
    }

    /** A deleted topic's name can be used again once its owning shard has removed the files. */
    private static void awaitRecreated(final Admin admin, final String name) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true)
        {
            try
            {
                admin.createTopics(List.of(new NewTopic(name, 1, (short)1))).all().get();
                return;
            }
            catch (final ExecutionException ex)
            {
                if (!(ex.getCause() instanceof TopicExistsException) || System.nanoTime() > deadline)
                {
                    throw ex;
                }
                Thread.onSpinWait();
            }
        }
    }

    private interface Call
    {
        void run() throws Exception;
    }

    private static void assertCause(final Class<? extends Throwable> expected, final Call call)
    {
        final ExecutionException ex = assertThrows(ExecutionException.class, call::run);
        assertInstanceOf(expected, ex.getCause(), () -> "got " + ex.getCause());
    }

}
