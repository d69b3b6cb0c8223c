package io.runnel.broker.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topic configs at CreateTopics and DescribeConfigs, through a stock Admin client. */
class ConfigsTest
{
    private static final int OFFSET_INDEX_ENTRY_BYTES = 8;

    @TempDir
    Path dataDir;

    @Test
    void describeConfigsReportsTopicOverrideAsDynamicTopicConfig() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("log.segment.bytes", "2097152")); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("overridden", 1, (short)1).configs(Map.of("segment.bytes", "1048576")),
                new NewTopic("plain", 1, (short)1))).all().get();

            final ConfigEntry overridden = topicConfig(admin, "overridden").get("segment.bytes");
            assertEquals("1048576", overridden.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, overridden.source());

            final Config plain = topicConfig(admin, "plain");
            assertEquals("2097152", plain.get("segment.bytes").value());
            assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, plain.get("segment.bytes").source());
            assertEquals("1048588", plain.get("max.message.bytes").value());
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, plain.get("max.message.bytes").source());
            assertFalse(plain.get("segment.bytes").isSensitive());
        }
    }

    @Test
    void describeConfigsListsSynonymsInPrecedenceOrderWhenAsked() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("log.roll.hours", "2")); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("rolled", 1, (short)1).configs(Map.of("segment.ms", "60000")),
                new NewTopic("hourly", 1, (short)1))).all().get();

            final ConfigEntry hourly = topicConfig(admin, "hourly", new DescribeConfigsOptions().includeSynonyms(true)).get("segment.ms");
            assertEquals("7200000", hourly.value());
            assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, hourly.source());
            assertEquals(List.of("log.roll.hours=2 STATIC_BROKER_CONFIG", "log.roll.hours=168 DEFAULT_CONFIG"), synonyms(hourly));

            final ConfigEntry rolled = topicConfig(admin, "rolled", new DescribeConfigsOptions().includeSynonyms(true)).get("segment.ms");
            assertEquals(List.of("segment.ms=60000 DYNAMIC_TOPIC_CONFIG", "log.roll.hours=2 STATIC_BROKER_CONFIG",
                "log.roll.hours=168 DEFAULT_CONFIG"), synonyms(rolled));

            assertTrue(topicConfig(admin, "rolled").get("segment.ms").synonyms().isEmpty(), "synonyms only when asked");
        }
    }

    @Test
    void describeConfigsReportsTypeAndDocumentationWhenAsked() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("documented", 1, (short)1))).all().get();
            final Config documented = topicConfig(admin, "documented", new DescribeConfigsOptions().includeDocumentation(true));
            assertEquals(ConfigEntry.ConfigType.INT, documented.get("segment.bytes").type());
            assertEquals(ConfigEntry.ConfigType.LIST, documented.get("cleanup.policy").type());
            assertTrue(documented.get("retention.ms").documentation().startsWith("Delete segments whose newest record is older than this"),
                documented.get("retention.ms").documentation());
            assertTrue(documented.get("min.insync.replicas").documentation().contains("NOT_ENOUGH_REPLICAS"),
                documented.get("min.insync.replicas").documentation());
            assertNull(topicConfig(admin, "documented").get("segment.bytes").documentation(), "documentation only when asked");
        }
    }

    @Test
    void describeBrokerReportsConfiguredKeysAsStaticAndTheRestAsDefault() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2")); Admin admin = broker.admin())
        {
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, "0");
            final Config config = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(resource);
            assertEquals("2", config.get("runnel.shards").value());
            assertEquals(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG, config.get("runnel.shards").source());
            assertEquals("1", config.get("num.partitions").value());
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, config.get("num.partitions").source());
            assertEquals(List.of("log.retention.hours=168 DEFAULT_CONFIG"), synonyms(config.get("log.retention.ms")));
            assertTrue(config.get("runnel.shards").isReadOnly(), "a static key is read-only");
            assertFalse(config.get("log.segment.bytes").isReadOnly(), "a dynamic key is writable");
            assertNull(config.get("no.such.key"));
        }
    }

    @Test
    void createTopicsRefusesABadValueWithInvalidConfigNamingTheKey() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final ExecutionException tooSmall = assertThrows(ExecutionException.class, () -> admin.createTopics(
                List.of(new NewTopic("tiny", 1, (short)1).configs(Map.of("segment.bytes", "12")))).all().get());
            assertInstanceOf(InvalidConfigurationException.class, tooSmall.getCause());
            assertTrue(tooSmall.getCause().getMessage().contains("segment.bytes"), tooSmall.getCause().getMessage());

            final ExecutionException unknown = assertThrows(ExecutionException.class, () -> admin.createTopics(
                List.of(new NewTopic("typo", 1, (short)1).configs(Map.of("retention.mss", "1")))).all().get());
            assertInstanceOf(InvalidConfigurationException.class, unknown.getCause());
            assertTrue(unknown.getCause().getMessage().contains("retention.mss"), unknown.getCause().getMessage());
            assertFalse(admin.listTopics().names().get().contains("tiny"));
        }
    }

    @Test
    void createTopicsAcceptsTheConfigsKafkaStreamsSendsAndReturnsTheTopicsConfigs() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final Map<String, String> changelog = Map.of("cleanup.policy", "compact", "message.timestamp.type", "CreateTime",
                "min.compaction.lag.ms", "0", "retention.ms", "-1", "segment.bytes", "52428800");
            final CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("app-store-changelog", 1, (short)1).configs(changelog)));
            final Config returned = created.config("app-store-changelog").get();
            assertEquals("compact", returned.get("cleanup.policy").value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, returned.get("cleanup.policy").source());
            assertEquals("1048588", returned.get("max.message.bytes").value());
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, returned.get("max.message.bytes").source());
            assertEquals("-1", topicConfig(admin, "app-store-changelog").get("retention.ms").value());
        }
    }

    @Test
    void topicIndexSettingsReachItsLog() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir);
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(
                new NewTopic("dense-index", 1, (short)1).configs(Map.of("index.interval.bytes", "1", "segment.index.bytes", "4096")),
                new NewTopic("default-index", 1, (short)1))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < 5; i++)
                {
                    // One batch per send: each is far smaller than the default index interval.
                    producer.send(new ProducerRecord<>("dense-index", new byte[] {(byte)i})).get();
                    producer.send(new ProducerRecord<>("default-index", new byte[] {(byte)i})).get();
                }
            }
            assertEquals(4096, Files.size(offsetIndex("dense-index")), "the active index is preallocated to segment.index.bytes");
            assertEquals(10 * 1024 * 1024, Files.size(offsetIndex("default-index")));
        }
        finally
        {
            broker.close();
        }
        // A clean shutdown trims each index to its entries.
        assertEquals(5 * OFFSET_INDEX_ENTRY_BYTES, Files.size(offsetIndex("dense-index")), "an entry for every batch");
        assertEquals(OFFSET_INDEX_ENTRY_BYTES, Files.size(offsetIndex("default-index")), "only the first batch's entry");
    }

    private Path offsetIndex(final String topic) throws Exception
    {
        try (Stream<Path> files = Files.list(dataDir.resolve(topic + "-0")))
        {
            return files.filter(file -> file.getFileName().toString().endsWith(".index")).findFirst().orElseThrow();
        }
    }

    private static Config topicConfig(final Admin admin, final String topic) throws Exception
    {
        return topicConfig(admin, topic, new DescribeConfigsOptions());
    }

    private static Config topicConfig(final Admin admin, final String topic, final DescribeConfigsOptions options) throws Exception
    {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        final Config config = admin.describeConfigs(List.of(resource), options).all().get().get(resource);
        assertNotNull(config);
        return config;
    }

    private static List<String> synonyms(final ConfigEntry entry)
    {
        return entry.synonyms().stream().map(s -> s.name() + "=" + s.value() + " " + s.source()).toList();
    }
}
