package io.runnel.broker;

import io.runnel.broker.config.IdleStrategyType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.runnel.io.DescribedConfigs;
import io.runnel.coordinator.group.GroupConfig;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.log.LogConfig;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Parsing server.properties and --override against the declaration of every key. */
class BrokerConfigTest
{
    @TempDir
    Path dir;

    @Test
    void unknownBrokerKeyIsRefusedWithItsName()
    {
        assertEquals("unknown configuration key 'log.retention.days'", refused(Map.of("log.retention.days", "7")));
        final IllegalArgumentException override = assertThrows(IllegalArgumentException.class,
            () -> RunnelMain.parseArgs(new String[] {"--override", "runnel.shard=2"}));
        assertEquals("unknown configuration key 'runnel.shard'", override.getMessage());
    }

    @Test
    void unknownKeyInThePropertiesFileIsRefusedWithItsName() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("server.properties"), "num.partitions=3\nnum.partition=4\n");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> BrokerConfig.parse(file, Map.of()));
        assertEquals("unknown configuration key 'num.partition'", ex.getMessage());
    }

    @Test
    void badValueIsRefusedInOneLineNamingKeyAndValue()
    {
        assertEquals("Invalid value many for configuration runnel.shards: Not a number of type INT", refused(Map.of("runnel.shards", "many")));
        assertEquals("Invalid value 0 for configuration runnel.shards: Value must be at least 1", refused(Map.of("runnel.shards", "0")));
        assertEquals("Invalid value 2000 for configuration runnel.shards: Value must be no more than 1024", refused(Map.of("runnel.shards", "2000")));
        assertEquals("Invalid value maybe for configuration auto.create.topics.enable: Expected value to be either true or false",
            refused(Map.of("auto.create.topics.enable", "maybe")));
        assertEquals("Invalid value sometimes for configuration runnel.flush.policy: must be pagecache or fsync",
            refused(Map.of("runnel.flush.policy", "sometimes")));
        assertEquals("listeners: SSL://host:9093 uses security protocol SSL; Runnel implements only PLAINTEXT so far (TLS and SASL come later)",
            refused(Map.of("listeners", "SSL://host:9093")));
        assertEquals("Invalid value 100 for configuration log.segment.bytes: Value must be at least 1024", refused(Map.of("log.segment.bytes", "100")));
    }

    @Test
    void groupMaxSessionTimeoutBelowTheMinimumIsRefused()
    {
        assertEquals("group.max.session.timeout.ms must be at least group.min.session.timeout.ms (6000), was 5000",
            refused(Map.of("group.max.session.timeout.ms", "5000")));
    }

    @Test
    void overridesWinOverThePropertiesFile() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("server.properties"), "num.partitions=3\nrunnel.shards=2\n");
        final BrokerConfig config = BrokerConfig.parse(file, Map.of("runnel.shards", "4"));
        assertEquals(3, config.numPartitions());
        assertEquals(4, config.shards());
    }

    @Test
    void blankValueMeansUnset()
    {
        final BrokerConfig config = BrokerConfig.of(Map.of("runnel.shards", " ", "cluster.id", ""));
        assertEquals(Runtime.getRuntime().availableProcessors(), config.shards());
        assertNull(config.clusterId());
    }

    @Test
    void unsetKeysTakeTheirDeclaredDefaults()
    {
        final BrokerConfig config = BrokerConfig.of(Map.of());
        assertEquals("127.0.0.1", config.host());
        assertEquals(9092, config.port());
        assertEquals(0, config.nodeId());
        assertEquals(Path.of("./data"), config.logDir());
        assertEquals(LogConfig.defaults(), config.logConfig());
        assertEquals(IdleStrategyType.BACKOFF, config.idleStrategy());
    }

    @Test
    void brokerLogKeysSupplyTheTopicDefaultsOfEveryLog()
    {
        final LogConfig log = BrokerConfig.of(Map.of("log.segment.bytes", "4096", "log.roll.hours", "2", "log.index.interval.bytes", "1",
            "log.index.size.max.bytes", "1024", "message.max.bytes", "512", "runnel.flush.policy", "fsync")).logConfig();
        assertEquals(LogConfig.defaults().withSegmentBytes(4096).withSegmentMs(2 * 3_600_000L).withIndexIntervalBytes(1)
            .withMaxIndexBytes(1024).withMaxMessageBytes(512).withFlushPolicy(FlushPolicy.FSYNC), log);
    }

    @Test
    void logRollMsWinsOverLogRollHours()
    {
        assertEquals(1_000L, BrokerConfig.of(Map.of("log.roll.ms", "1000", "log.roll.hours", "2")).logConfig().segmentMs());
    }

    @Test
    void retentionMsWinsOverMinutesWhichWinOverHours()
    {
        assertEquals("60000", topicDefault(Map.of("log.retention.ms", "60000", "log.retention.minutes", "5", "log.retention.hours", "1"), "retention.ms"));
        assertEquals("300000", topicDefault(Map.of("log.retention.minutes", "5", "log.retention.hours", "1"), "retention.ms"));
        assertEquals("3600000", topicDefault(Map.of("log.retention.hours", "1"), "retention.ms"));
        assertEquals("-1", topicDefault(Map.of("log.retention.hours", "-1"), "retention.ms"));
        assertEquals("604800000", topicDefault(Map.of(), "retention.ms"));
    }

    @Test
    void nodeIdWinsOverBrokerIdWhichIsUsedAlone()
    {
        assertEquals(3, BrokerConfig.of(Map.of("broker.id", "3")).nodeId());
        assertEquals(5, BrokerConfig.of(Map.of("broker.id", "3", "node.id", "5")).nodeId());
    }

    @Test
    void logDirsWinsOverLogDirWhichIsUsedAlone()
    {
        assertEquals(Path.of("/var/runnel"), BrokerConfig.of(Map.of("log.dir", "/var/runnel")).logDir());
        assertEquals(Path.of("/a"), BrokerConfig.of(Map.of("log.dir", "/var/runnel", "log.dirs", "/a,/b")).logDir());
    }

    @Test
    void groupConfigIsBuiltFromTheDeclaredGroupKeys()
    {
        // GroupConfig.defaults() repeats the declared defaults until kernel/group moves; they must agree meanwhile.
        assertEquals(GroupConfig.defaults(), BrokerConfig.of(Map.of()).groupConfig());
        final GroupConfig config = BrokerConfig.of(Map.of("offsets.topic.num.partitions", "3", "offsets.retention.minutes", "2",
            "group.initial.rebalance.delay.ms", "0", "group.max.size", "10")).groupConfig();
        assertEquals(3, config.offsetsTopicPartitions());
        assertEquals(120_000, config.offsetsRetentionMs());
        assertEquals(0, config.initialRebalanceDelayMs());
        assertEquals(10, config.maxGroupSize());
    }

    @Test
    void describedBrokerKeysAreStaticWhenConfiguredAndDefaultOtherwise()
    {
        final DescribedConfigs described = BrokerConfig.of(Map.of("runnel.shards", "2")).describedConfigs();
        final DescribedConfigs.Entry shards = brokerEntry(described, "runnel.shards");
        assertEquals("2", shards.value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, shards.source());
        final DescribedConfigs.Entry partitions = brokerEntry(described, "num.partitions");
        assertEquals("1", partitions.value());
        assertEquals(ConfigSource.DEFAULT_CONFIG, partitions.source());
        assertNull(brokerEntry(described, "log.roll.ms").value());
    }

    @Test
    void describedSynonymsFollowKafkasPrecedence()
    {
        final DescribedConfigs described = BrokerConfig.of(Map.of("log.roll.hours", "2")).describedConfigs();
        final List<DescribedConfigs.Synonym> expected = List.of(
            new DescribedConfigs.Synonym("log.roll.hours", "2", ConfigSource.STATIC_BROKER_CONFIG),
            new DescribedConfigs.Synonym("log.roll.hours", "168", ConfigSource.DEFAULT_CONFIG));
        assertEquals(expected, brokerEntry(described, "log.roll.ms").synonyms());
        final DescribedConfigs.Entry segmentMs = described.topicDefaults().get("segment.ms");
        assertEquals("7200000", segmentMs.value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, segmentMs.source());
        assertEquals(expected, segmentMs.synonyms());
    }

    private static String topicDefault(final Map<String, String> settings, final String topicKey)
    {
        return BrokerConfig.of(settings).describedConfigs().topicDefaults().get(topicKey).value();
    }

    private static DescribedConfigs.Entry brokerEntry(final DescribedConfigs described, final String name)
    {
        return described.broker().stream().filter(entry -> entry.name().equals(name)).findFirst().orElseThrow();
    }

    private static String refused(final Map<String, String> settings)
    {
        return assertThrows(IllegalArgumentException.class, () -> BrokerConfig.of(new HashMap<>(settings))).getMessage();
    }
}
