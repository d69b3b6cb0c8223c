package io.runnel.bench.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;


/**
 * One combined broker+controller node of a {@link LocalCluster}, as a child process on 127.0.0.1: Runnel
 * through its {@code bin/runnel broker} with KRaft's keys as overrides, or Apache Kafka's
 * {@code kafka.Kafka} with the same keys in a server.properties (storage formatted first with the
 * cluster's shared id). Each can be killed with SIGKILL and started again on its data folder.
 */
final class ClusterNode
{
    static final String HOST = "127.0.0.1";

    private final LocalCluster.Kind kind;
    private final Path home;
    private final int nodeId;
    private final int brokerPort;
    private final int controllerPort;
    private final Path dataDir;
    private final Path log;
    private final Map<String, String> settings;
    private final String clusterId;
    private Process process;

    /**
     * @param log      where the node's output goes, appended to across restarts
     * @param settings the KRaft keys every node shares plus this node's, and any the caller set
     */
    ClusterNode(final LocalCluster.Kind kind, final Path home, final int nodeId, final int brokerPort, final int controllerPort, final Path dataDir,
        final Path log, final Map<String, String> settings, final String clusterId)
    {
        this.kind = kind;
        this.home = home;
        this.nodeId = nodeId;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.log = log;
        this.settings = settings;
        this.clusterId = clusterId;
    }

    Path log()
    {
        return log;
    }

    /** The exit code of a node that has exited; -1 while it runs or before it started. */
    int exitCode()
    {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    int nodeId()
    {
        return nodeId;
    }

    String bootstrap()
    {
        return HOST + ":" + brokerPort;
    }

    String controllerAddress()
    {
        return HOST + ":" + controllerPort;
    }

    boolean isAlive()
    {
        return process != null && process.isAlive();
    }

    long pid()
    {
        return process.pid();
    }

    /** Starts the process; returns at once (the caller waits for the cluster). */
    void start() throws IOException, InterruptedException
    {
        Files.createDirectories(dataDir);
        final ProcessBuilder builder = kind == LocalCluster.Kind.RUNNEL ? runnel() : kafka();
        process = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** SIGKILL, as kill -9: no shutdown hook runs. */
    void kill() throws InterruptedException
    {
        if (process != null)
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM (a clean shutdown on both systems); returns at once, see {@link #awaitStopped()}. */
    void terminate()
    {
        if (process != null && process.isAlive())
        {
            process.destroy();
        }
    }

    /** Waits for a {@link #terminate()}d node to exit; SIGKILL if it has not within 30 s. */
    void awaitStopped() throws InterruptedException
    {
        if (process != null && !process.waitFor(30, TimeUnit.SECONDS))
        {
            kill();
        }
    }

    /** True once the broker port accepts connections. */
    boolean accepts()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(HOST, brokerPort), 200);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private ProcessBuilder runnel()
    {
        final List<String> command = new ArrayList<>(List.of(home.resolve("bin/runnel").toString(), "broker",
            "--override", "log.dirs=" + dataDir.resolve("log")));
        settings.forEach((key, value) -> command.addAll(List.of("--override", key + "=" + value)));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("RUNNEL_JAVA_OPTS", String.join(" ", BrokerLaunch.RUNNEL_JVM_OPTIONS));
        builder.environment().put(BrokerLaunch.NO_REBUILD, "1");
        return builder;
    }

    private ProcessBuilder kafka() throws IOException
    {
        final Path kafkaLib = BrokerLaunch.kafkaLib(home);
        final Path config = dataDir.resolve("server.properties");
        final StringBuilder properties = new StringBuilder("log.dirs=" + dataDir.resolve("log") + "\n");
        settings.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Files.writeString(config, properties);
        BrokerLaunch.formatKafkaStorage(kafkaLib, clusterId, config, log);
        final List<String> command = new ArrayList<>(List.of(BrokerLaunch.java()));
        command.addAll(BrokerLaunch.KAFKA_JVM_OPTIONS);
        command.addAll(List.of("-cp", kafkaLib + "/*", "kafka.Kafka", config.toString()));
        return new ProcessBuilder(command);
    }

    /**
     * A TCP port free now, below Linux's ephemeral range (32768-60999): a node binds the port it is
     * given a moment later, and an ephemeral UDP socket another node's Aeron opened meanwhile once
     * took a broker's replication port (its client port number) first, so that node did not start.
     */
    static int freePort() throws IOException
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int candidate = LOW_PORTS_FROM + ThreadLocalRandom.current().nextInt(LOW_PORTS);
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getByName(HOST)))
            {
                return socket.getLocalPort();
            }
            catch (final IOException taken)
            {
                // In use: try another.
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST)))
        {
            return socket.getLocalPort();
        }
    }

    private static final int LOW_PORTS_FROM = 20_000;
    private static final int LOW_PORTS = 12_000;

    /**
     * A controller port P free on TCP whose UDP ports P..P+4 (Runnel's quorum) are free too, and at
     * least 10 from every port in {@code taken}.
     */
    static int freeControllerPort(final List<Integer> taken) throws IOException
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            final int port = freePort();
            if (port > 65_520 || taken.stream().anyMatch(other -> Math.abs(other - port) < 10) || !udpFree(port, 5))
            {
                continue;
            }
            return port;
        }
        throw new IOException("no free controller port range found");
    }

    static boolean udpFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(HOST, port)))
            {
                socket.getLocalPort();
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
