package io.runnel.cluster.quorum;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.aeron.cluster.service.Cluster;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * N controller nodes in this JVM, each with its own driver and folders under one temporary
 * folder, on probed-free UDP ports of 127.0.0.1, with short timeouts: an election takes about a
 * second after the leader's heartbeats stop.
 */
final class TestQuorum implements AutoCloseable
{
    static final long HEARTBEAT_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(1000);
    static final long AWAIT_TIMEOUT_MS = 30_000;

    /** Test sizes: small terms (the host's defaults are 1-2 MiB) so that a purge comes after little traffic. */
    private static final int TEST_INGRESS_TERM = 64 * 1024;
    private static final int TEST_LOG_TERM = 128 * 1024;
    private static final int PORT_SPACING = 10;

    private final File root;
    private final String voters;
    private final int size;
    private final ControllerNode[] nodes;
    /** Written by each node's service thread when it (re)starts its machine. */
    private final AtomicReferenceArray<KeyValueMachine> machines;
    private final Consumer<QuorumNodeConfig> tuning;

    TestQuorum(final File root, final int size, final Consumer<QuorumNodeConfig> tuning)
    {
        this.root = root;
        this.size = size;
        this.tuning = tuning;
        this.voters = probeVoters(size);
        this.nodes = new ControllerNode[size + 1];
        this.machines = new AtomicReferenceArray<>(size + 1);
    }

    TestQuorum(final File root, final int size)
    {
        this(root, size, (config) -> { });
    }

    /** {@code 1@127.0.0.1:P1,2@127.0.0.1:P2,...} with P..P+4 free on UDP for each voter. */
    static String probeVoters(final int size)
    {
        final StringBuilder voters = new StringBuilder();
        int port = 20_000 + ThreadLocalRandom.current().nextInt(10_000);
        for (int id = 1; id <= size; id++)
        {
            while (!udpPortsFree(port, QuorumMembers.PORTS_PER_VOTER))
            {
                port += PORT_SPACING;
            }
            if (voters.length() > 0)
            {
                voters.append(',');
            }
            voters.append(id).append("@127.0.0.1:").append(port);
            port += PORT_SPACING;
        }
        return voters.toString();
    }

    static QuorumNodeConfig testConfig(final String voters, final int id, final File baseDir)
    {
        return new QuorumNodeConfig()
            .members(QuorumMembers.forNode(voters, id, 0))
            .baseDir(baseDir)
            .leaderHeartbeatTimeoutNs(HEARTBEAT_TIMEOUT_NS)
            .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .startupCanvassTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .ingressTermLength(TEST_INGRESS_TERM)
            .logTermLength(TEST_LOG_TERM)
            .aeronDirectoryName(QuorumNodeConfig.defaultAeronDirectoryName(baseDir, "test-quorum-" + id));
    }

    String voters()
    {
        return voters;
    }

    QuorumMembers members()
    {
        return QuorumMembers.forClient(voters, 0);
    }

    File baseDir(final int id)
    {
        return new File(root, "node-" + id);
    }

    TestQuorum startAll()
    {
        for (int id = 1; id <= size; id++)
        {
            start(id);
        }
        return this;
    }

    ControllerNode start(final int id)
    {
        final QuorumNodeConfig config = testConfig(voters, id, baseDir(id));
        tuning.accept(config);
        nodes[id] = ControllerNode.launch(config, () ->
        {
            final KeyValueMachine machine = new KeyValueMachine();
            machines.set(id, machine);
            return machine;
        });
        return nodes[id];
    }

    void stop(final int id)
    {
        nodes[id].close();
        nodes[id] = null;
        machines.set(id, null);
    }

    void crash(final int id)
    {
        nodes[id].closeAbruptly();
        nodes[id] = null;
        machines.set(id, null);
    }

    ControllerNode node(final int id)
    {
        return nodes[id];
    }

    KeyValueMachine machine(final int id)
    {
        return machines.get(id);
    }

    List<Integer> runningIds()
    {
        final List<Integer> ids = new ArrayList<>();
        for (int id = 1; id <= size; id++)
        {
            if (null != nodes[id])
            {
                ids.add(id);
            }
        }
        return ids;
    }

    /** Waits until exactly one running node leads and every running node knows it; returns its id. */
    int awaitLeader()
    {
        final int[] leader = {-1};
        await("a leader known to every running node", () ->
        {
            int leaders = 0;
            int candidate = -1;
            for (final int id : runningIds())
            {
                if (Cluster.Role.LEADER == nodes[id].role())
                {
                    leaders++;
                    candidate = id;
                }
            }
            if (1 != leaders)
            {
                return false;
            }
            for (final int id : runningIds())
            {
                if (nodes[id].leaderMemberId() != candidate)
                {
                    return false;
                }
            }
            leader[0] = candidate;
            return true;
        });
        return leader[0];
    }

    /** Waits until every running node's machine holds {@code expected}. */
    void awaitState(final Map<String, String> expected)
    {
        await("every running machine to hold " + expected.size() + " entries", () ->
        {
            for (final int id : runningIds())
            {
                final KeyValueMachine machine = machines.get(id);
                if (null == machine || !expected.equals(machine.entries()))
                {
                    return false;
                }
            }
            return true;
        });
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.currentTimeMillis() + AWAIT_TIMEOUT_MS;
        final SleepingMillisIdleStrategy idle = new SleepingMillisIdleStrategy(5);
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("timed out waiting for " + what);
            }
            idle.idle();
        }
    }

    @Override
    public void close()
    {
        for (int id = 1; id <= size; id++)
        {
            if (null != nodes[id])
            {
                nodes[id].close();
                nodes[id] = null;
            }
        }
    }

    private static boolean udpPortsFree(final int from, final int count)
    {
        final List<DatagramSocket> sockets = new ArrayList<>();
        try
        {
            for (int port = from; port < from + count; port++)
            {
                sockets.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            }
            return true;
        }
        catch (final SocketException ex)
        {
            return false;
        }
        finally
        {
            sockets.forEach(DatagramSocket::close);
        }
    }
}
