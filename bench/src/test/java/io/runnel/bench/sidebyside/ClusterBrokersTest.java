package io.runnel.bench.sidebyside;

import java.nio.file.Path;
import java.util.Map;

import io.runnel.bench.ToolRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What each node of a --brokers N cluster is configured with, before the cluster's own KRaft keys. */
class ClusterBrokersTest
{
    private static final Path ROOT = ToolRun.repoRoot();

    @Test
    void runnelNodesReplicateAndTakeTheSystemsSettings() throws Exception
    {
        final Map<String, String> settings = ClusterBrokers.settings(SystemUnderTest.parse("r=runnel,runnel.shards=1"), ROOT);
        final Map<String, String> expected = new java.util.HashMap<>(ClusterBrokers.DISK_BOUND);
        expected.putAll(Map.of("runnel.replication.enable", "true", "offsets.topic.replication.factor", "1", "runnel.shards", "1"));
        assertEquals(expected, settings);
        // A system's own setting wins, even over replication.
        assertEquals("false", ClusterBrokers.settings(SystemUnderTest.parse("r=runnel,runnel.replication.enable=false"), ROOT)
            .get("runnel.replication.enable"));
    }

    @Test
    void kafkaNodesGetTheSingleNodeHarnesssSettingsThenTheSystems() throws Exception
    {
        final Map<String, String> settings = ClusterBrokers.settings(SystemUnderTest.parse("k=kafka,num.replica.fetchers=2,num.partitions=3"), ROOT);
        // From bench/apache-kafka/server.properties: what makes Kafka comparable with Runnel's defaults.
        assertEquals("3000", settings.get("group.initial.rebalance.delay.ms"));
        assertEquals("1", settings.get("offsets.topic.replication.factor"));
        assertEquals("2", settings.get("num.replica.fetchers"));
        assertEquals("3", settings.get("num.partitions"));
        assertEquals(Long.toString(1L << 30), settings.get("log.retention.bytes"));
        assertFalse(settings.containsKey("runnel.replication.enable"));
    }
}
