package io.runnel.broker.it.cluster;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.BrokerUnderTest;
import io.runnel.broker.testing.LocalCluster;
import io.runnel.broker.testing.TestBroker;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A running 3-node cluster takes a broker-only node, refuses with a clear error a broker that would
 * take a voter's or a live node's id or that belongs to another cluster, shrugs off garbage sent to
 * its voters' UDP ports, and keeps serving through all of it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterRefusalsTest
{
    @TempDir
    Path root;

    private static Map<String, String> brokerOnly(final LocalCluster cluster, final int nodeId, final Path dataDir)
    {
        return Map.of("process.roles", "broker", "node.id", Integer.toString(nodeId), "controller.quorum.voters", cluster.voters(),
            "controller.listener.names", "CONTROLLER", "listeners", "PLAINTEXT://" + BrokerUnderTest.HOST + ":0",
            "runnel.quorum.aeron.dir", dataDir.resolve("aeron").toString(), "runnel.shards", "1");
    }

    @Test
    void aDuplicateNodeIdAndAnotherClustersBrokerAreRefusedAndTheQuorumStaysUp() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(root.resolve("cluster"), 3, Map.of()).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            // A voter's id is refused by the configuration check; a broker-only node joins as node 5.
            final Path fifthDir = root.resolve("fifth");
            assertThrows(IllegalArgumentException.class, () -> TestBroker.start(fifthDir, brokerOnly(cluster, 2, fifthDir)));
            final TestBroker fifth = TestBroker.start(fifthDir, brokerOnly(cluster, 5, fifthDir));
            try
            {
                final Path duplicateDir = root.resolve("duplicate");
                final IllegalStateException duplicate = assertThrows(IllegalStateException.class,
                    () -> TestBroker.start(duplicateDir, brokerOnly(cluster, 5, duplicateDir)));
                assertTrue(messages(duplicate).contains("DUPLICATE_BROKER_REGISTRATION"), messages(duplicate));
                assertCommitsAndLists(cluster, admin, fifth);
            }
            finally
            {
                fifth.stop();
            }
        }
    }

    /** Another cluster's broker is refused; garbage to the voters' ports changes nothing; the quorum still commits. */
    private void assertCommitsAndLists(final LocalCluster cluster, final Admin admin, final TestBroker fifth) throws Exception
    {
        final Path strangerDir = root.resolve("stranger");
        final Map<String, String> stranger = new java.util.HashMap<>(brokerOnly(cluster, 7, strangerDir));
        stranger.put("cluster.id", "AAAAAAAAAAAAAAAAAAAAAA");
        final IllegalStateException foreign = assertThrows(IllegalStateException.class, () -> TestBroker.start(strangerDir, stranger));
        assertTrue(messages(foreign).contains("INCONSISTENT_CLUSTER_ID"), messages(foreign));

        // Garbage to every voter's five UDP ports (ingress, consensus, log, catch-up, archive).
        final Random random = new Random(42);
        try (DatagramSocket socket = new DatagramSocket())
        {
            for (int node = 1; node <= 3; node++)
            {
                for (int port = cluster.controllerPort(node); port < cluster.controllerPort(node) + 5; port++)
                {
                    for (int i = 0; i < 200; i++)
                    {
                        final byte[] junk = new byte[1 + random.nextInt(1400)];
                        random.nextBytes(junk);
                        socket.send(new DatagramPacket(junk, junk.length, InetAddress.getByName(BrokerUnderTest.HOST), port));
                    }
                }
            }
        }

        admin.createTopics(List.of(new NewTopic("after-refusals", 3, (short)1))).all().get(60, TimeUnit.SECONDS);
        assertEquals(3, TestClients.describeOnceLed(admin, "after-refusals").partitions().size(), "the quorum still commits");
        assertEquals(4, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size(),
            "the three nodes and the broker-only node " + fifth.port() + "; the refused brokers are not listed");
    }

    private static String messages(final Throwable failure)
    {
        final StringBuilder out = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            out.append(t.getMessage()).append(" | ");
        }
        return out.toString();
    }
}
