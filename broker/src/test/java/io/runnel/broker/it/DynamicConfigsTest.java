package io.runnel.broker.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.runnel.broker.testing.ChildBroker;
import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topic and broker configs changed at run time through a stock Admin client (incrementalAlterConfigs;
 * AlterConfigs as older clients send it): validated as Kafka validates them, in force for the
 * next append without a restart, reported by DescribeConfigs with their source, and kept across
 * a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DynamicConfigsTest
{
    /** The smallest segment.bytes a topic may set. */
    private static final int SMALL_SEGMENT = 1024;
    /** A value that makes a one-record batch larger than half of {@link #SMALL_SEGMENT}: each such batch fills a segment. */
    private static final int RECORD_BYTES = 600;

    @TempDir
    Path dataDir;

    @Test
    void aTopicConfigIsSetThenDeletedAndDescribedWithItsSource() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("altered", 1, (short)1))).all().get();
            alter(admin, topic("altered"), set("retention.ms", "1000"), set("max.message.bytes", "2048"));
            final Config set = describe(admin, topic("altered"));
            assertEquals("1000", set.get("retention.ms").value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, set.get("retention.ms").source());
            assertFalse(set.get("retention.ms").isReadOnly(), "topic keys are writable");
            assertEquals("2048", set.get("max.message.bytes").value());

            alter(admin, topic("altered"), new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE));
            final Config deleted = describe(admin, topic("altered"));
            assertEquals("604800000", deleted.get("retention.ms").value());
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, deleted.get("retention.ms").source());
            assertEquals("2048", deleted.get("max.message.bytes").value(), "the other override stays");
        }
    }

    @Test
    void appendAndSubtractChangeAListKeyStartingFromItsDefault() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("policies", 1, (short)1))).all().get();
            alter(admin, topic("policies"), new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));
            assertEquals("delete,compact", describe(admin, topic("policies")).get("cleanup.policy").value());
            alter(admin, topic("policies"), new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SUBTRACT));
            assertEquals("compact", describe(admin, topic("policies")).get("cleanup.policy").value());

            final ExecutionException notAList = assertThrows(ExecutionException.class, () -> alter(admin, topic("policies"),
                new AlterConfigOp(new ConfigEntry("segment.bytes", "2048"), AlterConfigOp.OpType.APPEND)));
            assertInstanceOf(InvalidConfigurationException.class, notAList.getCause());
            assertTrue(notAList.getCause().getMessage().contains("not LIST"), notAList.getCause().getMessage());
        }
    }

    @Test
    void unknownKeysBadValuesAndUnknownTopicsAreRefusedAndChangeNothing() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("guarded", 1, (short)1).configs(Map.of("retention.ms", "5000")))).all().get();

            final ExecutionException unknown = assertThrows(ExecutionException.class, () -> alter(admin, topic("guarded"),
                set("retention.mss", "1")));
            assertInstanceOf(InvalidConfigurationException.class, unknown.getCause());
            assertTrue(unknown.getCause().getMessage().contains("retention.mss"), unknown.getCause().getMessage());

            final ExecutionException bad = assertThrows(ExecutionException.class, () -> alter(admin, topic("guarded"),
                set("retention.ms", "1"), set("segment.bytes", "12")));
            assertInstanceOf(InvalidConfigurationException.class, bad.getCause());
            assertTrue(bad.getCause().getMessage().contains("segment.bytes"), bad.getCause().getMessage());
            assertEquals("5000", describe(admin, topic("guarded")).get("retention.ms").value(), "a refused change changes no key");

            final ExecutionException conflict = assertThrows(ExecutionException.class, () -> alter(admin, topic("guarded"),
                set("min.compaction.lag.ms", "10"), set("max.compaction.lag.ms", "5")));
            assertInstanceOf(InvalidConfigurationException.class, conflict.getCause());

            final ExecutionException absent = assertThrows(ExecutionException.class, () -> alter(admin, topic("no-such-topic"),
                set("retention.ms", "1")));
            assertInstanceOf(UnknownTopicOrPartitionException.class, absent.getCause());
        }
    }

    @Test
    void validateOnlyChecksTheChangeAndChangesNothing() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("dry-run", 1, (short)1))).all().get();
            final AlterConfigsOptions validateOnly = new AlterConfigsOptions().validateOnly(true);
            admin.incrementalAlterConfigs(Map.of(topic("dry-run"), List.of(set("retention.ms", "1000")),
                brokerDefault(), List.of(set("log.retention.ms", "2000"))), validateOnly).all().get();
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, describe(admin, topic("dry-run")).get("retention.ms").source());
            assertTrue(describe(admin, brokerDefault()).entries().isEmpty(), "no cluster-wide default was set");

            final ExecutionException refused = assertThrows(ExecutionException.class, () -> admin.incrementalAlterConfigs(
                Map.of(topic("dry-run"), List.of(set("segment.bytes", "12"))), validateOnly).all().get());
            assertInstanceOf(InvalidConfigurationException.class, refused.getCause(), "validate-only still validates");
        }
    }

    /** kafka-clients 4 dropped Admin.alterConfigs; the request is sent as older clients send it (LegacyJavaClientsTest runs them). */
    @Test
    void alterConfigsReplacesEveryOverrideOfATopicAndEveryKeyOfABrokerLevel() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("replaced", 1, (short)1)
                .configs(Map.of("retention.ms", "5000", "segment.ms", "60000")))).all().get();
            final AlterConfigsRequestData.AlterConfigsResourceCollection resources = new AlterConfigsRequestData.AlterConfigsResourceCollection();
            final AlterConfigsRequestData.AlterableConfigCollection configs = new AlterConfigsRequestData.AlterableConfigCollection();
            configs.add(new AlterConfigsRequestData.AlterableConfig().setName("max.message.bytes").setValue("4096"));
            resources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
                .setResourceName("replaced").setConfigs(configs));
            try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
            {
                final AlterConfigsResponseData response = raw.request(ApiKeys.ALTER_CONFIGS, ApiKeys.ALTER_CONFIGS.latestVersion(),
                    new AlterConfigsRequestData().setResources(resources));
                assertEquals(Errors.NONE.code(), response.responses().get(0).errorCode(), response.toString());
            }
            final Config replaced = describe(admin, topic("replaced"));
            assertEquals("4096", replaced.get("max.message.bytes").value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, replaced.get("max.message.bytes").source());
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, replaced.get("retention.ms").source(), "a key left out is deleted");
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, replaced.get("segment.ms").source(), "a key left out is deleted");

            alter(admin, brokerDefault(), set("log.segment.bytes", "4096"));
            final AlterConfigsRequestData.AlterableConfigCollection brokerConfigs = new AlterConfigsRequestData.AlterableConfigCollection();
            brokerConfigs.add(new AlterConfigsRequestData.AlterableConfig().setName("log.retention.ms").setValue("9000"));
            final AlterConfigsRequestData.AlterConfigsResourceCollection brokerResources = new AlterConfigsRequestData.AlterConfigsResourceCollection();
            brokerResources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.BROKER.id())
                .setResourceName("").setConfigs(brokerConfigs));
            try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
            {
                final AlterConfigsResponseData response = raw.request(ApiKeys.ALTER_CONFIGS, ApiKeys.ALTER_CONFIGS.latestVersion(),
                    new AlterConfigsRequestData().setResources(brokerResources));
                assertEquals(Errors.NONE.code(), response.responses().get(0).errorCode(), response.toString());
            }
            assertEquals(List.of("log.retention.ms=9000"), describe(admin, brokerDefault()).entries().stream()
                .map(e -> e.name() + "=" + e.value()).toList(), "the cluster-wide level replaced too");
        }
    }

    @Test
    void aLoweredSegmentBytesRollsTheNextAppendsAndSurvivesARestart() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir);
        try
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("rolling", 1, (short)1))).all().get();
            }
            produce(broker, "rolling", 3, RECORD_BYTES);
            assertEquals(1, segmentCount("rolling"), "the default segment holds a few records");
            try (Admin admin = broker.admin())
            {
                alter(admin, topic("rolling"), set("segment.bytes", Integer.toString(SMALL_SEGMENT)));
            }
            produce(broker, "rolling", 5, RECORD_BYTES);
            // Each of the five batches is more than half a segment: each rolls a new one.
            assertEquals(6, segmentCount("rolling"));

            broker.restart();
            try (Admin admin = broker.admin())
            {
                final ConfigEntry kept = describe(admin, topic("rolling")).get("segment.bytes");
                assertEquals(Integer.toString(SMALL_SEGMENT), kept.value());
                assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, kept.source());
            }
            produce(broker, "rolling", 2, RECORD_BYTES);
            assertEquals(8, segmentCount("rolling"), "the override applies after the restart");
        }
        finally
        {
            broker.close();
        }
    }

    @Test
    void aLoweredMaxMessageBytesRefusesABigRecordAtTopicAndBrokerLevel() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("strict", 1, (short)1), new NewTopic("defaulted", 1, (short)1))).all().get();
            produce(broker, "strict", 1, 4096);
            alter(admin, topic("strict"), set("max.message.bytes", "1024"));
            final ExecutionException refused = assertThrows(ExecutionException.class, () -> produce(broker, "strict", 1, 4096));
            assertInstanceOf(RecordTooLargeException.class, refused.getCause());
            produce(broker, "strict", 1, 100);

            produce(broker, "defaulted", 1, 4096);
            alter(admin, brokerDefault(), set("message.max.bytes", "1024"));
            final ExecutionException refusedByDefault = assertThrows(ExecutionException.class, () -> produce(broker, "defaulted", 1, 4096));
            assertInstanceOf(RecordTooLargeException.class, refusedByDefault.getCause());
            final ConfigEntry shown = describe(admin, topic("defaulted")).get("max.message.bytes");
            assertEquals("1024", shown.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, shown.source());
        }
    }

    @Test
    void brokerDefaultsAreLayeredAsKafkasAndSurviveARestart() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir, Map.of("log.retention.ms", "3000"));
        try
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("layered", 1, (short)1))).all().get();
                assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, describe(admin, topic("layered")).get("retention.ms").source());

                alter(admin, brokerDefault(), set("log.retention.ms", "2000"));
                final ConfigEntry clusterWide = describe(admin, topic("layered")).get("retention.ms");
                assertEquals("2000", clusterWide.value());
                assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, clusterWide.source());

                alter(admin, thisBroker(), set("log.retention.ms", "1000"));
                final Config described = describe(admin, thisBroker());
                final ConfigEntry perBroker = described.get("log.retention.ms");
                assertEquals("1000", perBroker.value());
                assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, perBroker.source());
                assertFalse(perBroker.isReadOnly());
                assertEquals(List.of("log.retention.ms=1000 DYNAMIC_BROKER_CONFIG", "log.retention.ms=2000 DYNAMIC_DEFAULT_BROKER_CONFIG",
                    "log.retention.ms=3000 STATIC_BROKER_CONFIG", "log.retention.hours=168 DEFAULT_CONFIG"), synonyms(perBroker));
                assertEquals("1000", describe(admin, topic("layered")).get("retention.ms").value());

                final Config clusterDefaults = describe(admin, brokerDefault());
                assertEquals(List.of("log.retention.ms=2000 DYNAMIC_DEFAULT_BROKER_CONFIG"),
                    clusterDefaults.entries().stream().map(e -> e.name() + "=" + e.value() + " " + e.source()).toList(),
                    "the cluster-default resource lists only what is set at that level");
            }
            assertEquals(1000, broker.broker().logManager().defaults().retentionMs(), "the logs' defaults follow");

            broker.restart();
            try (Admin admin = broker.admin())
            {
                final ConfigEntry kept = describe(admin, thisBroker()).get("log.retention.ms");
                assertEquals("1000", kept.value());
                assertEquals(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG, kept.source());
                alter(admin, thisBroker(), new AlterConfigOp(new ConfigEntry("log.retention.ms", null), AlterConfigOp.OpType.DELETE));
                assertEquals("2000", describe(admin, topic("layered")).get("retention.ms").value(), "the cluster-wide default shows again");
            }
            assertEquals(2000, broker.broker().logManager().defaults().retentionMs());
        }
        finally
        {
            broker.close();
        }
    }

    @Test
    void anAnsweredChangeSurvivesAKillNine() throws Exception
    {
        final Path data = dataDir.resolve("killed");
        try (ChildBroker broker = ChildBroker.start(data, Map.of()))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("durable", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
                alter(admin, topic("durable"), set("retention.ms", "4242"));
                alter(admin, brokerDefault(), set("log.segment.bytes", "8192"));
            }
            broker.kill9();
        }
        try (ChildBroker broker = ChildBroker.start(data, Map.of()); Admin admin = broker.admin())
        {
            final Config topic = describe(admin, topic("durable"));
            assertEquals("4242", topic.get("retention.ms").value(), "the topic's override was persisted before the answer");
            assertEquals("8192", topic.get("segment.bytes").value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, topic.get("segment.bytes").source(),
                "the broker default was persisted before the answer");
        }
    }

    @Test
    void aStaticKeyAnUnknownKeyAndABadValueAreRefusedForABroker() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final ExecutionException staticKey = assertThrows(ExecutionException.class, () -> alter(admin, brokerDefault(),
                set("num.partitions", "3")));
            assertInstanceOf(InvalidRequestException.class, staticKey.getCause());
            assertTrue(staticKey.getCause().getMessage().contains("Cannot update these configs dynamically"), staticKey.getCause().getMessage());
            assertTrue(describe(admin, thisBroker()).get("num.partitions").isReadOnly());

            final ExecutionException badValue = assertThrows(ExecutionException.class, () -> alter(admin, thisBroker(),
                set("log.segment.bytes", "lots")));
            assertInstanceOf(InvalidRequestException.class, badValue.getCause());

            final ExecutionException unknown = assertThrows(ExecutionException.class, () -> alter(admin, brokerDefault(),
                set("log.segment.bytez", "2048")));
            assertInstanceOf(InvalidRequestException.class, unknown.getCause());

            final ExecutionException notAList = assertThrows(ExecutionException.class, () -> alter(admin, brokerDefault(),
                new AlterConfigOp(new ConfigEntry("log.segment.bytes", "2048"), AlterConfigOp.OpType.APPEND)));
            assertInstanceOf(InvalidConfigurationException.class, notAList.getCause());

            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, describe(admin, thisBroker()).get("log.segment.bytes").source(),
                "nothing was set");
        }
    }

    @Test
    void listenersHearOfChangedBrokerKeysWithTheirNewValues() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final Map<String, Object> heard = new ConcurrentHashMap<>();
            broker.broker().logManager().addBrokerConfigListener(heard::putAll);
            alter(admin, brokerDefault(), set("log.cleaner.delete.retention.ms", "5000"), set("log.cleaner.min.cleanable.ratio", "0.25"));
            assertEquals(Map.of("log.cleaner.delete.retention.ms", 5000L, "log.cleaner.min.cleanable.ratio", 0.25), heard,
                "told once the change is in force, before the answer");
            heard.clear();
            alter(admin, brokerDefault(), set("log.cleaner.delete.retention.ms", "5000"));
            assertTrue(heard.isEmpty(), "an unchanged value is no change: " + heard);
        }
    }

    @Test
    void concurrentChangesToOneTopicKeepEveryKey() throws Exception
    {
        final List<String> keys = List.of("retention.ms", "retention.bytes", "segment.ms", "delete.retention.ms", "file.delete.delay.ms",
            "min.compaction.lag.ms", "max.message.bytes", "index.interval.bytes");
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2")); Admin first = broker.admin(); Admin second = broker.admin())
        {
            first.createTopics(List.of(new NewTopic("contended", 1, (short)1))).all().get();
            final List<KafkaFuture<Void>> changes = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++)
            {
                // Two clients, two connections, likely two shards: each change adds one key to what the other has set.
                final Admin admin = i % 2 == 0 ? first : second;
                changes.add(admin.incrementalAlterConfigs(Map.of(topic("contended"), List.of(set(keys.get(i), Integer.toString(5000 + i)))))
                    .all());
            }
            for (final KafkaFuture<Void> change : changes)
            {
                change.get(30, TimeUnit.SECONDS);
            }
            final Config config = describe(first, topic("contended"));
            for (int i = 0; i < keys.size(); i++)
            {
                assertEquals(Integer.toString(5000 + i), config.get(keys.get(i)).value(), keys.get(i));
                assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, config.get(keys.get(i)).source(), keys.get(i));
            }
        }
    }

    private static ConfigResource topic(final String name)
    {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private static ConfigResource brokerDefault()
    {
        return new ConfigResource(ConfigResource.Type.BROKER, "");
    }

    private static ConfigResource thisBroker()
    {
        return new ConfigResource(ConfigResource.Type.BROKER, "0");
    }

    private static AlterConfigOp set(final String key, final String value)
    {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static void alter(final Admin admin, final ConfigResource resource, final AlterConfigOp... ops) throws Exception
    {
        final Map<ConfigResource, Collection<AlterConfigOp>> change = Map.of(resource, List.of(ops));
        admin.incrementalAlterConfigs(change).all().get(30, TimeUnit.SECONDS);
    }

    private static Config describe(final Admin admin, final ConfigResource resource) throws Exception
    {
        final Config config = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
            .all().get(30, TimeUnit.SECONDS).get(resource);
        assertFalse(config == null, "no config for " + resource);
        return config;
    }

    private static List<String> synonyms(final ConfigEntry entry)
    {
        return entry.synonyms().stream().map(s -> s.name() + "=" + s.value() + " " + s.source()).toList();
    }

    /** {@code count} records of {@code bytes} each, one batch each (every send is awaited). */
    private static void produce(final TestBroker broker, final String topic, final int count, final int bytes) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("retries", 0)))
        {
            for (int i = 0; i < count; i++)
            {
                producer.send(new ProducerRecord<>(topic, new byte[bytes])).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private long segmentCount(final String topic) throws Exception
    {
        try (Stream<Path> files = Files.list(dataDir.resolve(topic + "-0")))
        {
            return files.filter(file -> file.getFileName().toString().endsWith(".log")).count();
        }
    }
}
