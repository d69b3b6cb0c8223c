package io.runnel.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A cluster of combined broker+controller nodes for fault tests, each node a {@link ChildBroker}
 * (its own JVM, so it can be SIGKILLed): node ids 1..N, the same settings and controller port
 * ranges as {@link LocalCluster} (broker and controller ports from {@link TestPorts}), each node's data under {@code root/node-<id>}. A node restarts on
 * its folder and on the broker port it had, so clients that knew it reach it again. Every node runs on loopback
 * unless the cluster is given each node's {@link ChildBroker.Placement} (a host address of its own, in a network
 * namespace): the node then binds and advertises that host for its client and controller listeners, its voter entry
 * and so its quorum and replication endpoints.
 */
public final class ChildCluster implements AutoCloseable
{
    private static final long START_TIMEOUT_S = 120;

    private final Path root;
    private final Map<String, String> overrides;
    private final IntFunction<ChildBroker.Placement> placements;
    private final String voters;
    private final int[] controllerPorts;
    private final int[] brokerPorts;
    private final ChildBroker[] nodes;

    public ChildCluster(final Path root, final int size, final Map<String, String> overrides)
    {
        this(root, size, overrides, nodeId -> ChildBroker.Placement.LOOPBACK);
    }

    /** @param placements where each node (by id) runs */
    public ChildCluster(final Path root, final int size, final Map<String, String> overrides,
        final IntFunction<ChildBroker.Placement> placements)
    {
        this.root = root;
        this.overrides = Map.copyOf(overrides);
        this.placements = placements;
        this.controllerPorts = new int[size];
        this.brokerPorts = new int[size];
        this.nodes = new ChildBroker[size];
        final StringJoiner joiner = new StringJoiner(",");
        for (int i = 0; i < size; i++)
        {
            controllerPorts[i] = LocalCluster.controllerPort();
            brokerPorts[i] = TestPorts.reserve(1);
            joiner.add((i + 1) + "@" + host(i + 1) + ":" + controllerPorts[i]);
        }
        this.voters = joiner.toString();
    }

    /**
     * Starts every node at once (the quorum needs a majority before any serves) and waits until all
     * serve; if one does not, kills those that did and throws.
     */
    public ChildCluster start() throws Exception
    {
        final List<CompletableFuture<Void>> started = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++)
        {
            final int nodeId = i + 1;
            started.add(CompletableFuture.runAsync(() -> startNode(nodeId)));
        }
        try
        {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(START_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            // The caller never gets the cluster to close: the nodes that did start would outlive the test.
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).exceptionally(failure -> null)
                .completeOnTimeout(null, START_TIMEOUT_S, TimeUnit.SECONDS).join();
            close();
            throw ex;
        }
        return this;
    }

    /** Starts (or restarts, after {@link #kill9} or {@link #stop}) one node on its data folder. */
    public ChildBroker startNode(final int nodeId)
    {
        final int index = nodeId - 1;
        if (nodes[index] != null && nodes[index].isAlive())
        {
            throw new IllegalStateException("node " + nodeId + " still runs");
        }
        final Map<String, String> settings = new HashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", Integer.toString(nodeId));
        settings.put("controller.quorum.voters", voters);
        settings.put("listeners", "PLAINTEXT://" + host(nodeId) + ":" + brokerPorts[index] +
            ",CONTROLLER://" + host(nodeId) + ":" + controllerPorts[index]);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("runnel.quorum.aeron.dir", dataDir(nodeId).resolve("aeron").toString());
        settings.put("runnel.shards", "1");
        settings.putAll(overrides);
        try
        {
            final ChildBroker node = ChildBroker.start(dataDir(nodeId), settings, placements.apply(nodeId));
            nodes[index] = node;
            brokerPorts[index] = node.port();
            return node;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** The address node {@code nodeId} listens on and advertises. */
    public String host(final int nodeId)
    {
        return placements.apply(nodeId).host();
    }

    /** The client listener's port of node {@code nodeId}, chosen with the cluster (see {@link TestPorts}). */
    public int brokerPort(final int nodeId)
    {
        return brokerPorts[nodeId - 1];
    }

    public Path dataDir(final int nodeId)
    {
        return root.resolve("node-" + nodeId);
    }

    public ChildBroker node(final int nodeId)
    {
        return nodes[nodeId - 1];
    }

    public int size()
    {
        return nodes.length;
    }

    /** SIGKILL of one node: no shutdown hook, no controlled shutdown. */
    public void kill9(final int nodeId)
    {
        nodes[nodeId - 1].kill9();
    }

    /** SIGSTOP of one node: it freezes, its sessions time out, and it wakes as it was at {@link #resume}. */
    public void pause(final int nodeId)
    {
        nodes[nodeId - 1].pause();
    }

    public void resume(final int nodeId)
    {
        nodes[nodeId - 1].resume();
    }

    /** SIGTERM of one node: its shutdown hook closes it cleanly (controlled shutdown). */
    public void stop(final int nodeId)
    {
        nodes[nodeId - 1].stop();
    }

    /** Every node's broker listener, running or not: what clients bootstrap from. */
    public String bootstrapServers()
    {
        final StringJoiner joiner = new StringJoiner(",");
        for (int i = 0; i < nodes.length; i++)
        {
            joiner.add(host(i + 1) + ":" + brokerPorts[i]);
        }
        return joiner.toString();
    }

    /** Stops every running node at once (SIGTERM). */
    public void stopAll()
    {
        final List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (final ChildBroker node : nodes)
        {
            if (node != null && node.isAlive())
            {
                stopped.add(CompletableFuture.runAsync(node::stop));
            }
        }
        CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).orTimeout(90, TimeUnit.SECONDS).join();
    }

    /** SIGKILL of whatever still runs (a whole-cluster crash; also the test clean-up). */
    @Override
    public void close()
    {
        for (final ChildBroker node : nodes)
        {
            if (node != null)
            {
                node.close();
            }
        }
    }
}
