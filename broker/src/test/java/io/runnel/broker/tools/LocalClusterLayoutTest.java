package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.runnel.broker.BrokerConfig;
import io.runnel.broker.config.ClusterRoleConfig;
import io.runnel.broker.config.QuorumSettings;
import io.runnel.broker.config.QuorumVoter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server.properties files of bin/runnel cluster: valid KRaft nodes of one quorum, apart in ports and folders. */
class LocalClusterLayoutTest
{
    @TempDir
    Path dir;

    @Test
    void everyNodesFileValidatesAsACombinedVoterOfTheSameQuorum() throws IOException
    {
        final LocalClusterLayout layout = LocalClusterLayout.of(3, LocalClusterLayout.DEFAULT_BASE_PORT, dir.resolve("data"), Map.of());
        layout.write();
        assertEquals("127.0.0.1:9092,127.0.0.1:9102,127.0.0.1:9112", layout.bootstrapServers());
        String voters = null;
        for (final LocalClusterLayout.Node node : layout.nodes())
        {
            assertEquals(dir.resolve("data").resolve("node-" + node.id()).resolve("server.properties"), node.propertiesFile());
            final BrokerConfig config = BrokerConfig.parse(node.propertiesFile(), Map.of());
            final ClusterRoleConfig role = config.clusterRole();
            assertFalse(role.singleNode());
            assertTrue(role.isBroker() && role.isController(), "node " + node.id() + " is both");
            assertEquals(node.id(), role.nodeId());
            assertEquals(node.brokerPort(), config.port());
            assertEquals(node.logDir(), config.logDir());
            assertEquals(node.controllerPort(), role.listeners().controller().get(0).port());
            voters = voters == null ? role.quorum().votersString() : voters;
            assertEquals(voters, role.quorum().votersString(), "every node names the same voters");
        }
        assertEquals("1@127.0.0.1:9093,2@127.0.0.1:9103,3@127.0.0.1:9113", voters);
    }

    @Test
    void nodesShareNoPortAndNoFolder() throws IOException
    {
        final LocalClusterLayout layout = LocalClusterLayout.of(5, 19_092, dir, Map.of());
        layout.write();
        final Set<Integer> tcpPorts = new HashSet<>();
        final Set<Integer> udpPorts = new HashSet<>();
        final Set<Path> folders = new HashSet<>();
        for (final LocalClusterLayout.Node node : layout.nodes())
        {
            final ClusterRoleConfig role = BrokerConfig.parse(node.propertiesFile(), Map.of()).clusterRole();
            assertTrue(tcpPorts.add(node.brokerPort()) && tcpPorts.add(node.controllerPort()), "TCP ports of node " + node.id());
            final QuorumSettings quorum = role.quorum();
            final QuorumVoter self = quorum.voter(node.id()).orElseThrow();
            for (int port = quorum.firstAeronPort(self); port < quorum.firstAeronPort(self) + QuorumSettings.AERON_PORTS_PER_VOTER; port++)
            {
                assertTrue(udpPorts.add(port), "UDP port " + port + " of node " + node.id());
            }
            for (final Path folder : List.of(node.dir(), node.logDir(), quorum.dir(), quorum.aeronDir()))
            {
                assertTrue(folders.add(folder), folder + " of node " + node.id() + " is another node's too");
            }
        }
        try (Stream<Path> nodeDirs = Files.list(dir))
        {
            assertEquals(List.of("node-1", "node-2", "node-3", "node-4", "node-5"),
                nodeDirs.map(path -> path.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void overridesReachEveryNodeAndABadOneWritesNothing() throws IOException
    {
        final LocalClusterLayout layout = LocalClusterLayout.of(2, 29_092, dir, Map.of("runnel.shards", "1"));
        layout.write();
        for (final LocalClusterLayout.Node node : layout.nodes())
        {
            assertEquals(1, BrokerConfig.parse(node.propertiesFile(), Map.of()).shards());
        }
        final Path untouched = dir.resolve("untouched");
        assertEquals("node 1: Invalid value 0 for configuration runnel.shards: Value must be at least 1",
            assertThrows(IllegalArgumentException.class, () -> LocalClusterLayout.of(2, 29_092, untouched, Map.of("runnel.shards", "0")))
                .getMessage());
        assertFalse(Files.exists(untouched));
    }

    @Test
    void countsAndPortsOutOfRangeAreRefused()
    {
        assertEquals("a local cluster has 1 to 9 nodes, not 0",
            assertThrows(IllegalArgumentException.class, () -> LocalClusterLayout.of(0, 9092, dir, Map.of())).getMessage());
        assertEquals("a local cluster has 1 to 9 nodes, not 10",
            assertThrows(IllegalArgumentException.class, () -> LocalClusterLayout.of(10, 9092, dir, Map.of())).getMessage());
        assertEquals("with base port 65520, 3 nodes need ports 65520-65545, outside 1-65535",
            assertThrows(IllegalArgumentException.class, () -> LocalClusterLayout.of(3, 65_520, dir, Map.of())).getMessage());
        assertEquals(1, LocalClusterLayout.of(1, 65_520, dir, Map.of()).nodes().size(), "one node fits: 65520-65525");
    }
}
