package io.runnel.bench.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.runnel.bench.omb.BenchConfigException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A cluster of N combined broker+controller nodes of one system on this machine (127.0.0.1), each a
 * {@link ClusterNode} child process: Apache Kafka in KRaft mode or Runnel on its Aeron quorum, started
 * with the same KRaft keys (process.roles, node.id, controller.quorum.voters, listeners...). Every
 * port is chosen free, with room for Runnel's UDP ports: the five above each controller port
 * (quorum) and each broker port (replication). {@link #start} returns once every node listens and
 * the cluster lists every broker; {@link #close} stops them all, and a shutdown hook kills them if
 * the bench itself is stopped.
 *
 * <p>Used by {@code bin/runnel bench metadata} ({@link ClusterMetadataBench}) and by the
 * side-by-side harness's {@code --brokers N}.
 */
public final class LocalCluster implements AutoCloseable
{
    /** The system the nodes run. */
    public enum Kind
    {
        RUNNEL, KAFKA
    }

    /** Until every node listens and the cluster lists every broker (both systems take 5-30 s here). */
    public static final long START_TIMEOUT_MS = 180_000;
    /** Ports this close above a controller port are left to its quorum (five are used; ten keeps some distance). */
    private static final int CONTROLLER_PORT_SPACING = 10;

    private final String name;
    private final List<ClusterNode> nodes;
    private final Thread killer;

    private LocalCluster(final String name, final List<ClusterNode> nodes)
    {
        this.name = name;
        this.nodes = nodes;
        this.killer = new Thread(this::killAll, name + "-killer");
    }

    /**
     * Starts {@code size} nodes and waits until the cluster is up.
     *
     * @param name          names the cluster in messages (a system's label)
     * @param home          the checkout Runnel runs from (bin/runnel) or Kafka's jars are found in (bench/target/apache-kafka/lib)
     * @param root          node i keeps its data in {@code root/node-i}
     * @param settings      broker settings every node gets; the KRaft keys above win over them
     * @param nodeSettings  settings of node i alone (may be empty), over {@code settings}
     * @param logOf         where node i's output goes
     */
    public static LocalCluster start(final String name, final Kind kind, final Path home, final int size, final Path root,
        final Map<String, String> settings, final IntFunction<Map<String, String>> nodeSettings, final IntFunction<Path> logOf)
        throws IOException, InterruptedException
    {
        final List<Integer> controllerPorts = new ArrayList<>();
        final StringJoiner voters = new StringJoiner(",");
        for (int id = 1; id <= size; id++)
        {
            final int controller = ClusterNode.freeControllerPort(controllerPorts);
            controllerPorts.add(controller);
            voters.add(id + "@" + ClusterNode.HOST + ":" + controller);
        }
        final List<Integer> brokerPorts = new ArrayList<>();
        for (int id = 1; id <= size; id++)
        {
            brokerPorts.add(freeBrokerPort(controllerPorts, brokerPorts));
        }
        final String clusterId = Uuid.randomUuid().toString();
        final List<ClusterNode> nodes = new ArrayList<>();
        for (int id = 1; id <= size; id++)
        {
            final Map<String, String> node = new LinkedHashMap<>(settings);
            node.putAll(nodeSettings.apply(id));
            node.put("process.roles", "broker,controller");
            node.put("node.id", Integer.toString(id));
            node.put("controller.quorum.voters", voters.toString());
            node.put("listeners", "PLAINTEXT://" + ClusterNode.HOST + ":" + brokerPorts.get(id - 1)
                + ",CONTROLLER://" + ClusterNode.HOST + ":" + controllerPorts.get(id - 1));
            node.put("advertised.listeners", "PLAINTEXT://" + ClusterNode.HOST + ":" + brokerPorts.get(id - 1));
            node.put("controller.listener.names", "CONTROLLER");
            node.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            node.put("inter.broker.listener.name", "PLAINTEXT");
            nodes.add(new ClusterNode(kind, home, id, brokerPorts.get(id - 1), controllerPorts.get(id - 1), root.resolve("node-" + id),
                logOf.apply(id), node, clusterId));
        }
        final LocalCluster cluster = new LocalCluster(name, nodes);
        Runtime.getRuntime().addShutdownHook(cluster.killer);
        try
        {
            for (final ClusterNode node : nodes)
            {
                node.start();
            }
            cluster.awaitListening();
            try (Admin admin = cluster.admin())
            {
                cluster.awaitBrokers(admin, START_TIMEOUT_MS);
            }
            return cluster;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    /** Every node's broker address, comma-separated: a client's bootstrap.servers. */
    public String bootstrap()
    {
        return bootstrap(-1);
    }

    /** Every node's broker address but {@code exceptNodeId}'s. */
    String bootstrap(final int exceptNodeId)
    {
        final StringJoiner joiner = new StringJoiner(",");
        nodes.stream().filter(node -> node.nodeId() != exceptNodeId).forEach(node -> joiner.add(node.bootstrap()));
        return joiner.toString();
    }

    /** The nodes' process ids, node 1 first; a node must be running. */
    public List<Long> pids()
    {
        return nodes.stream().map(ClusterNode::pid).toList();
    }

    /** The nodes' logs, node 1 first. */
    public List<Path> logs()
    {
        return nodes.stream().map(ClusterNode::log).toList();
    }

    List<ClusterNode> nodes()
    {
        return nodes;
    }

    /** Every node id of the cluster. */
    Set<Integer> ids()
    {
        final Set<Integer> ids = new TreeSet<>();
        nodes.forEach(node -> ids.add(node.nodeId()));
        return ids;
    }

    /** An AdminClient on every node, with short timeouts: the benches poll through it while nodes come and go. */
    Admin admin()
    {
        return admin(bootstrap());
    }

    static Admin admin(final String bootstrap)
    {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
            AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 20,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200));
    }

    /** Waits until DescribeCluster lists every node's broker (a restarted node's included). */
    void awaitBrokers(final Admin admin, final long timeoutMs) throws InterruptedException
    {
        final Set<Integer> expected = ids();
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (true)
        {
            try
            {
                if (listed(admin.describeCluster().nodes().get(5, TimeUnit.SECONDS)).equals(expected))
                {
                    return;
                }
            }
            catch (final InterruptedException ex)
            {
                throw ex;
            }
            catch (final Exception retriable)
            {
                // asked again below
            }
            failIfANodeExited();
            if (System.currentTimeMillis() > deadline)
            {
                throw new BenchConfigException(name + ": the cluster never listed brokers " + expected + " within " + timeoutMs / 1000 +
                    " s; see the node logs under " + logFolder());
            }
            Thread.sleep(100);
        }
    }

    /** The node ids a DescribeCluster answer lists. */
    static Set<Integer> listed(final Collection<Node> nodes)
    {
        final Set<Integer> ids = new TreeSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }

    /**
     * SIGTERM to every node at once, then SIGKILL to any still running 30 s later; the data stays. All at
     * once: stopped one after the other, the last nodes wait out their controlled shutdown once the quorum
     * has lost its majority (10 s on Runnel), a minute of every run spent on nothing.
     */
    @Override
    public void close() throws InterruptedException
    {
        try
        {
            nodes.forEach(ClusterNode::terminate);
            for (final ClusterNode node : nodes)
            {
                node.awaitStopped();
            }
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(killer);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook is running or has run: nothing left to remove
            }
        }
    }

    private void awaitListening() throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!nodes.stream().allMatch(ClusterNode::accepts))
        {
            failIfANodeExited();
            if (System.currentTimeMillis() > deadline)
            {
                throw new BenchConfigException(name + ": the cluster did not start within " + START_TIMEOUT_MS / 1000 +
                    " s; see the node logs under " + logFolder());
            }
            Thread.sleep(200);
        }
    }

    private void failIfANodeExited()
    {
        for (final ClusterNode node : nodes)
        {
            if (!node.isAlive())
            {
                throw new BenchConfigException(name + ": the cluster did not start (node " + node.nodeId() + " exited with code " +
                    node.exitCode() + "); see the node logs under " + logFolder());
            }
        }
    }

    /** The folder that holds every node's log. */
    private Path logFolder()
    {
        Path common = nodes.get(0).log().toAbsolutePath().getParent();
        for (final ClusterNode node : nodes)
        {
            while (!node.log().toAbsolutePath().startsWith(common))
            {
                common = common.getParent();
            }
        }
        return common;
    }

    private void killAll()
    {
        for (final ClusterNode node : nodes)
        {
            try
            {
                node.kill();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A broker port free on TCP and, for Runnel's replication stream (on the client listener's port
     * number by default), on UDP; away from every controller's quorum ports and the other brokers.
     */
    private static int freeBrokerPort(final List<Integer> controllerPorts, final List<Integer> brokerPorts) throws IOException
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            final int port = ClusterNode.freePort();
            final boolean nearAController = controllerPorts.stream()
                .anyMatch(controller -> port >= controller && port < controller + CONTROLLER_PORT_SPACING);
            if (!nearAController && !brokerPorts.contains(port) && ClusterNode.udpFree(port, 1))
            {
                return port;
            }
        }
        throw new IOException("no free broker port found");
    }
}
