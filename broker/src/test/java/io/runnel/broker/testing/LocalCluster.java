package io.runnel.broker.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of combined broker+controller nodes in this JVM for integration tests: node ids 1..N,
 * each with its own data folder under {@code root}, a broker port (its number is the node's replication
 * UDP port too) and a controller port whose five Aeron UDP ports (P..P+4) were free when chosen, all
 * from {@link TestPorts}, below the kernel's ephemeral range. Nodes start together
 * (the quorum needs a majority before any of them can serve).
 */
public final class LocalCluster implements AutoCloseable
{
    private final Path root;
    private final Map<String, String> overrides;
    private final String voters;
    /** The quorum's UDP ports of a node: its controller port and the four above it. */
    private static final int QUORUM_UDP_PORTS = 5;
    private final int[] controllerPorts;
    private final int[] brokerPorts;
    private final TestBroker[] nodes;
    private final String[] roles;
    private final List<TestBroker> brokerOnlyNodes = new ArrayList<>();

    public LocalCluster(final Path root, final int size, final Map<String, String> overrides)
    {
        this.root = root;
        this.overrides = Map.copyOf(overrides);
        this.controllerPorts = new int[size];
        this.brokerPorts = new int[size];
        this.nodes = new TestBroker[size];
        this.roles = new String[size];
        java.util.Arrays.fill(roles, "broker,controller");
        final StringJoiner joiner = new StringJoiner(",");
        for (int i = 0; i < size; i++)
        {
            controllerPorts[i] = controllerPort();
            brokerPorts[i] = TestPorts.reserve(1);
            joiner.add((i + 1) + "@" + BrokerUnderTest.HOST + ":" + controllerPorts[i]);
        }
        this.voters = joiner.toString();
    }

    /** Makes voter {@code nodeId} a controller only (process.roles=controller: no broker listener); call before {@link #start()}. */
    public LocalCluster controllerOnly(final int nodeId)
    {
        roles[nodeId - 1] = "controller";
        return this;
    }

    /**
     * Starts a broker-only node {@code nodeId} (not a voter) that finds the quorum through
     * controller.quorum.bootstrap.servers alone, as a KRaft broker may; it stops with the cluster.
     */
    public TestBroker startBrokerOnly(final int nodeId) throws IOException
    {
        final TestBroker node = startNode(nodeId, "broker", Map.of("controller.quorum.bootstrap.servers", bootstrapControllers(),
            "listeners", "PLAINTEXT://" + BrokerUnderTest.HOST + ":" + TestPorts.reserve(1)));
        brokerOnlyNodes.add(node);
        return node;
    }

    /** Starts every node at once and waits until all serve. */
    public LocalCluster start() throws Exception
    {
        final List<CompletableFuture<Void>> started = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++)
        {
            final int index = i;
            started.add(CompletableFuture.runAsync(() -> startVoter(index)));
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        return this;
    }

    private void startVoter(final int index)
    {
        final String controllerListener = "CONTROLLER://" + BrokerUnderTest.HOST + ":" + controllerPorts[index];
        final String listeners = roles[index].contains("broker") ? "PLAINTEXT://" + BrokerUnderTest.HOST + ":" + brokerPorts[index] + "," + controllerListener
            : controllerListener;
        try
        {
            nodes[index] = startNode(index + 1, roles[index], Map.of("controller.quorum.voters", voters, "listeners", listeners));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** Starts node {@code nodeId} with {@code roles}: the settings every node shares, then {@code own}, then the cluster's overrides. */
    private TestBroker startNode(final int nodeId, final String roles, final Map<String, String> own) throws IOException
    {
        final Path dataDir = root.resolve("node-" + nodeId);
        Files.createDirectories(dataDir);
        final Map<String, String> settings = new HashMap<>();
        settings.put("process.roles", roles);
        settings.put("node.id", Integer.toString(nodeId));
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("runnel.quorum.aeron.dir", dataDir.resolve("aeron").toString());
        settings.put("runnel.shards", "1");
        settings.putAll(own);
        settings.putAll(overrides);
        final TestBroker node = new TestBroker(dataDir, settings);
        node.start();
        return node;
    }

    /** controller.quorum.voters of this cluster. */
    public String voters()
    {
        return voters;
    }

    /** The controller port of node {@code nodeId}: the first of its five Aeron UDP ports. */
    public int controllerPort(final int nodeId)
    {
        return controllerPorts[nodeId - 1];
    }

    public TestBroker node(final int nodeId)
    {
        return nodes[nodeId - 1];
    }

    public int size()
    {
        return nodes.length;
    }

    /** controller.quorum.bootstrap.servers of this cluster: every voter's controller listener. */
    public String bootstrapControllers()
    {
        final StringJoiner joiner = new StringJoiner(",");
        for (final int port : controllerPorts)
        {
            joiner.add(BrokerUnderTest.HOST + ":" + port);
        }
        return joiner.toString();
    }

    /** Every broker's listener (controller-only nodes have none): what clients bootstrap from. */
    public String bootstrapServers()
    {
        final StringJoiner joiner = new StringJoiner(",");
        for (int i = 0; i < nodes.length; i++)
        {
            final TestBroker node = nodes[i];
            if (node != null && node.broker() != null && roles[i].contains("broker"))
            {
                joiner.add(node.bootstrapServers());
            }
        }
        return joiner.toString();
    }

    @Override
    public void close()
    {
        // Broker-only nodes first: their controlled shutdown needs the quorum.
        brokerOnlyNodes.forEach(TestBroker::stop);
        final List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (final TestBroker node : nodes)
        {
            if (node != null)
            {
                stopped.add(CompletableFuture.runAsync(node::stop));
            }
        }
        CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** A controller port: the quorum's five UDP ports start at it (see {@link TestPorts}). */
    static int controllerPort()
    {
        return TestPorts.reserve(QUORUM_UDP_PORTS);
    }
}
