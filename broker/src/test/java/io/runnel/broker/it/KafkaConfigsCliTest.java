package io.runnel.broker.it;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.KafkaTool;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.tools.ConfigCommand;
import org.apache.kafka.tools.TopicCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's own {@code kafka-configs} ({@code org.apache.kafka.tools.ConfigCommand}) and
 * {@code kafka-topics --alter} ({@code TopicCommand}), from kafka-tools, run in this JVM against
 * Runnel as an operator runs them: topic and broker configs changed at run time and described,
 * a static broker key refused, a topic grown.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaConfigsCliTest
{
    @TempDir
    Path dataDir;

    @Test
    void kafkaConfigsAltersAndDescribesATopicsConfigs() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("cli-topic", 1, (short)1))).all().get();
            ok(configs(broker, "--alter", "--entity-type", "topics", "--entity-name", "cli-topic",
                "--add-config", "retention.ms=1000,cleanup.policy=[compact,delete]"));
            final Config altered = describe(admin, new ConfigResource(ConfigResource.Type.TOPIC, "cli-topic"));
            assertEquals("1000", altered.get("retention.ms").value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, altered.get("retention.ms").source());
            assertEquals("compact,delete", altered.get("cleanup.policy").value());

            final String described = ok(configs(broker, "--describe", "--entity-type", "topics", "--entity-name", "cli-topic")).out();
            assertTrue(described.contains("Dynamic configs for topic cli-topic are:"), described);
            assertTrue(described.contains("retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000"), described);

            ok(configs(broker, "--alter", "--entity-type", "topics", "--entity-name", "cli-topic", "--delete-config", "retention.ms"));
            final ConfigEntry deleted = describe(admin, new ConfigResource(ConfigResource.Type.TOPIC, "cli-topic")).get("retention.ms");
            assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, deleted.source());

            final KafkaTool.Run unknown = configs(broker, "--alter", "--entity-type", "topics", "--entity-name", "cli-topic",
                "--add-config", "retention.mss=1");
            assertNotEquals(0, unknown.status(), "an unknown topic key is refused");
        }
    }

    @Test
    void kafkaConfigsChangesBrokerKeysAtTheDefaultAndPerBrokerLevels() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("cli-defaults", 1, (short)1))).all().get();
            ok(configs(broker, "--alter", "--entity-type", "brokers", "--entity-default", "--add-config", "log.retention.ms=5000"));
            final ConfigEntry topicDefault = describe(admin, new ConfigResource(ConfigResource.Type.TOPIC, "cli-defaults")).get("retention.ms");
            assertEquals("5000", topicDefault.value());
            assertEquals(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, topicDefault.source());
            final String defaults = ok(configs(broker, "--describe", "--entity-type", "brokers", "--entity-default")).out();
            assertTrue(defaults.contains("log.retention.ms=5000"), defaults);

            ok(configs(broker, "--alter", "--entity-type", "brokers", "--entity-name", "0", "--add-config", "log.segment.bytes=2048"));
            final String perBroker = ok(configs(broker, "--describe", "--entity-type", "brokers", "--entity-name", "0")).out();
            assertTrue(perBroker.contains("log.segment.bytes=2048 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.segment.bytes=2048"),
                perBroker);
            assertEquals(2048, broker.broker().logManager().defaults().segmentBytes());

            final KafkaTool.Run staticKey = configs(broker, "--alter", "--entity-type", "brokers", "--entity-default",
                "--add-config", "num.partitions=3");
            assertNotEquals(0, staticKey.status(), "num.partitions is static");
            assertTrue((staticKey.out() + staticKey.err()).contains("Cannot update these configs dynamically"), staticKey.err());
        }
    }

    @Test
    void kafkaTopicsAlterGrowsATopicAndDescribeShowsItsConfigs() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            ok(KafkaTool.run("kafka-topics", TopicCommand::main, "--bootstrap-server", broker.bootstrapServers(), "--create",
                "--topic", "cli-grown", "--partitions", "1", "--config", "retention.ms=60000"));
            ok(KafkaTool.run("kafka-topics", TopicCommand::main, "--bootstrap-server", broker.bootstrapServers(), "--alter",
                "--topic", "cli-grown", "--partitions", "3"));
            assertEquals(3, admin.describeTopics(List.of("cli-grown")).allTopicNames().get().get("cli-grown").partitions().size());
            final String described = ok(KafkaTool.run("kafka-topics", TopicCommand::main, "--bootstrap-server", broker.bootstrapServers(),
                "--describe", "--topic", "cli-grown")).out();
            assertTrue(described.contains("PartitionCount: 3"), described);
            assertTrue(described.contains("retention.ms=60000"), described);
        }
    }

    private static KafkaTool.Run configs(final TestBroker broker, final String... args) throws Exception
    {
        final String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = broker.bootstrapServers();
        System.arraycopy(args, 0, all, 2, args.length);
        return KafkaTool.run("kafka-configs", ConfigCommand::main, all);
    }

    private static KafkaTool.Run ok(final KafkaTool.Run run)
    {
        assertEquals(0, run.status(), () -> "the tool failed:\n" + run.out() + run.err());
        return run;
    }

    private static Config describe(final Admin admin, final ConfigResource resource) throws Exception
    {
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }
}
