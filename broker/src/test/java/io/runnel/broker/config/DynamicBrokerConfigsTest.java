package io.runnel.broker.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.runnel.io.DescribedConfigs;
import io.runnel.kernel.conductor.BrokerConfigUpdate;
import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.config.ConfigRefusedException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's dynamic keys: Kafka's layers, their store in the log directory, and what a change may set. */
class DynamicBrokerConfigsTest
{
    private static final int NODE_ID = 0;

    @TempDir
    Path logDir;

    @Test
    void theHighestLayerSettingAnySynonymWinsAsInKafka()
    {
        final ResolvedConfig resolved = new ResolvedConfig(Map.of("log.retention.ms", "1000"), Map.of("log.retention.hours", "2"), Map.of());
        assertEquals(2L * 3_600_000, resolved.topicDefault("retention.ms"), "a dynamic hours key beats a static ms key");
        final DescribedConfigs.Entry retention = resolved.described().topicDefaults().get("retention.ms");
        assertEquals(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, retention.source());
        assertEquals(List.of("log.retention.hours=2 DYNAMIC_DEFAULT_BROKER_CONFIG", "log.retention.ms=1000 STATIC_BROKER_CONFIG",
            "log.retention.hours=168 DEFAULT_CONFIG"), retention.synonyms().stream().map(s -> s.name() + "=" + s.value() + " " + s.source()).toList());

        final ResolvedConfig perBroker = resolved.withDynamic(Map.of("log.retention.hours", "2"), Map.of("log.retention.minutes", "5"));
        assertEquals(5L * 60_000, perBroker.topicDefault("retention.ms"), "this broker's value beats the cluster-wide default");
        assertEquals(5L * 60_000, perBroker.logDefaults().retentionMs());
    }

    @Test
    void aChangeIsPersistedAndReadBackOverTheStaticSettings() throws Exception
    {
        final ResolvedConfig statics = new ResolvedConfig(Map.of("log.segment.bytes", "4096"));
        final DynamicBrokerConfigs configs = DynamicBrokerConfigs.load(statics, logDir, NODE_ID);
        assertEquals(4096, configs.logDefaults().segmentBytes());

        final BrokerConfigUpdate.Applied applied = configs.update("", set("log.segment.bytes", "2048"), false).apply();
        assertEquals(Map.of("log.segment.bytes", 2048), applied.changed());
        assertEquals(2048, applied.topicDefaults().segmentBytes());
        configs.update(Integer.toString(NODE_ID), set("message.max.bytes", "1000"), false).apply();
        assertEquals(Map.of("log.segment.bytes", "2048"), configs.resolved().clusterDynamic());
        assertEquals(Map.of("message.max.bytes", "1000"), configs.resolved().nodeDynamic());

        final DynamicBrokerConfigs reloaded = DynamicBrokerConfigs.load(statics, logDir, NODE_ID);
        assertEquals(2048, reloaded.logDefaults().segmentBytes());
        assertEquals(1000, reloaded.logDefaults().maxMessageBytes());
        assertEquals(Map.of("log.segment.bytes", "4096"), reloaded.resolved().configured(), "server.properties stays as written");
        assertFalse(Files.exists(logDir.resolve(DynamicBrokerConfigs.FILE_NAME + ".tmp")), "written through a temp file, renamed");

        final DynamicBrokerConfigs otherNode = DynamicBrokerConfigs.load(statics, logDir, 5);
        assertEquals(Map.of(), otherNode.resolved().nodeDynamic(), "another broker's values are not this broker's");
        otherNode.update("5", set("log.roll.ms", "60000"), false).apply();
        assertEquals(Map.of("message.max.bytes", "1000"), DynamicBrokerConfigs.load(statics, logDir, NODE_ID).resolved().nodeDynamic(),
            "a broker keeps the entries of other node ids as it found them");
    }

    @Test
    void validateOnlyAndRefusedChangesLeaveTheStoreAlone() throws Exception
    {
        final DynamicBrokerConfigs configs = DynamicBrokerConfigs.load(new ResolvedConfig(Map.of()), logDir, NODE_ID);
        assertEquals(BrokerConfigUpdate.Applied.NOTHING, configs.update("", set("log.segment.bytes", "2048"), true).apply());
        assertFalse(Files.exists(logDir.resolve(DynamicBrokerConfigs.FILE_NAME)));

        final ConfigRefusedException staticKey = assertThrows(ConfigRefusedException.class,
            () -> configs.update("", set("num.partitions", "3"), false).apply());
        assertEquals(ConfigRefusedException.Reason.INVALID_REQUEST, staticKey.reason());
        assertEquals("Cannot update these configs dynamically: [num.partitions]", staticKey.getMessage());
        final ConfigRefusedException tooSmall = assertThrows(ConfigRefusedException.class,
            () -> configs.update("", set("log.segment.bytes", "12"), false).apply());
        assertTrue(tooSmall.getMessage().contains("log.segment.bytes"), tooSmall.getMessage());
        assertThrows(ConfigRefusedException.class, () -> configs.update("", set("listeners", "PLAINTEXT://127.0.0.1:1"), false).apply(),
            "Runnel cannot rebind its listener at run time");
        assertEquals(Map.of(), configs.resolved().clusterDynamic());
        assertFalse(Files.exists(logDir.resolve(DynamicBrokerConfigs.FILE_NAME)));
    }

    @Test
    void storedEntriesThatAreNoLongerValidAreIgnoredAtStartUp() throws Exception
    {
        Files.writeString(logDir.resolve(DynamicBrokerConfigs.FILE_NAME), String.join("\n",
            "default.log.segment.bytes=2048", "default.num.partitions=3", "default.no.such.key=1", "broker.0.message.max.bytes=lots", ""));
        final DynamicBrokerConfigs configs = DynamicBrokerConfigs.load(new ResolvedConfig(Map.of()), logDir, NODE_ID);
        assertEquals(Map.of("log.segment.bytes", "2048"), configs.resolved().clusterDynamic());
        assertEquals(Map.of(), configs.resolved().nodeDynamic());
    }

    private static ConfigChange set(final String key, final String value)
    {
        return ConfigChange.incremental(List.of(new ConfigChange.Step(key, ConfigChange.Operation.SET, value)));
    }
}
