package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.runnel.broker.BrokerConfig;
import io.runnel.broker.config.BrokerConfigDef;
import io.runnel.broker.config.QuorumSettings;

/**
 * The {@code server.properties} of each node of a local development cluster: nodes 1..N, each a
 * broker and a controller (a voter of the quorum) on 127.0.0.1, in its own folder
 * {@code <data dir>/node-<id>}. Node i listens on {@code base + (i-1)*10} (PLAINTEXT, clients) and
 * the port above (CONTROLLER); the quorum's UDP ports are the CONTROLLER port and the four above it,
 * so ten ports per node keep the nodes apart. With the default base, node 1 serves the usual
 * 127.0.0.1:9092. Every file is what a KRaft node's would say; a layout is only made of files that
 * pass {@link BrokerConfig}'s validation.
 */
public final class LocalClusterLayout
{
    public static final int DEFAULT_BASE_PORT = 9092;
    /** Ports of one node: PLAINTEXT, then CONTROLLER whose port starts the quorum's UDP ports. */
    public static final int PORTS_PER_NODE = 10;
    /** Every node is a voter; a quorum larger than this only slows elections down. */
    public static final int MAX_NODES = 9;
    public static final String PROPERTIES_FILE = "server.properties";
    /** The node's log directory, within its folder (the quorum's __quorum goes in it too). */
    public static final String LOG_DIR_NAME = "logs";
    static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int MAX_PORT = 65_535;

    /**
     * One node of the layout.
     *
     * @param id             node.id, from 1
     * @param dir            the node's folder: its server.properties and its log directory
     * @param brokerPort     the PLAINTEXT listener's port
     * @param controllerPort the CONTROLLER listener's port (and the first of the quorum's UDP ports)
     * @param properties     the node's settings, in the order they are written
     */
    public record Node(int id, Path dir, int brokerPort, int controllerPort, Map<String, String> properties)
    {
        public Path propertiesFile()
        {
            return dir.resolve(PROPERTIES_FILE);
        }

        public Path logDir()
        {
            return dir.resolve(LOG_DIR_NAME);
        }

        /** The address clients bootstrap from. */
        public String bootstrapServer()
        {
            return HOST + ":" + brokerPort;
        }
    }

    private final List<Node> nodes;

    private LocalClusterLayout(final List<Node> nodes)
    {
        this.nodes = nodes;
    }

    /**
     * @param nodeCount how many nodes, 1 to {@link #MAX_NODES}
     * @param basePort  node 1's PLAINTEXT port
     * @param dataDir   where the node folders go
     * @param overrides keys set on every node, over the layout's own
     * @throws IllegalArgumentException if the count or ports are out of range, or a node's settings do not validate
     */
    public static LocalClusterLayout of(final int nodeCount, final int basePort, final Path dataDir, final Map<String, String> overrides)
    {
        if (nodeCount < 1 || nodeCount > MAX_NODES)
        {
            throw new IllegalArgumentException("a local cluster has 1 to " + MAX_NODES + " nodes, not " + nodeCount);
        }
        final int lastPort = basePort + (nodeCount - 1) * PORTS_PER_NODE + 1 + QuorumSettings.AERON_PORTS_PER_VOTER - 1;
        if (basePort < 1 || lastPort > MAX_PORT)
        {
            throw new IllegalArgumentException("with base port " + basePort + ", " + nodeCount + " nodes need ports " + basePort + "-" + lastPort
                + ", outside 1-" + MAX_PORT);
        }
        final Path root = dataDir.toAbsolutePath().normalize();
        final String voters = votersOf(nodeCount, basePort);
        final List<Node> nodes = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++)
        {
            final int brokerPort = basePort + (id - 1) * PORTS_PER_NODE;
            final Path dir = root.resolve("node-" + id);
            final Map<String, String> properties = new LinkedHashMap<>();
            properties.put(BrokerConfigDef.PROCESS_ROLES, "broker,controller");
            properties.put(BrokerConfigDef.NODE_ID, Integer.toString(id));
            properties.put(BrokerConfigDef.CONTROLLER_QUORUM_VOTERS, voters);
            properties.put(BrokerConfigDef.LISTENERS, BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + (brokerPort + 1));
            properties.put(BrokerConfigDef.CONTROLLER_LISTENER_NAMES, CONTROLLER_LISTENER);
            properties.put(BrokerConfigDef.INTER_BROKER_LISTENER_NAME, BROKER_LISTENER);
            properties.put(BrokerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP, CONTROLLER_LISTENER + ":PLAINTEXT," + BROKER_LISTENER + ":PLAINTEXT");
            properties.put(BrokerConfigDef.LOG_DIRS, dir.resolve(LOG_DIR_NAME).toString());
            properties.putAll(overrides);
            final Node node = new Node(id, dir, brokerPort, brokerPort + 1, Collections.unmodifiableMap(properties));
            validate(node);
            nodes.add(node);
        }
        return new LocalClusterLayout(Collections.unmodifiableList(nodes));
    }

    public List<Node> nodes()
    {
        return nodes;
    }

    /** What a client's bootstrap.servers should say: every node's PLAINTEXT address. */
    public String bootstrapServers()
    {
        return nodes.stream().map(Node::bootstrapServer).collect(Collectors.joining(","));
    }

    /** Creates each node's folder and (re)writes its server.properties. */
    public void write() throws IOException
    {
        for (final Node node : nodes)
        {
            Files.createDirectories(node.dir());
            Files.writeString(node.propertiesFile(), render(node), StandardCharsets.UTF_8);
        }
    }

    /** The file's text: a header saying where it comes from, then key=value lines in the node's order. */
    static String render(final Node node)
    {
        final StringBuilder out = new StringBuilder()
            .append("# Node ").append(node.id()).append(" of a local Runnel cluster, written by bin/runnel cluster on every start.\n")
            .append("# Start this node alone with: bin/runnel broker ").append(node.propertiesFile()).append('\n');
        node.properties().forEach((key, value) -> out.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n'));
        return out.toString();
    }

    private static String votersOf(final int nodeCount, final int basePort)
    {
        final List<String> voters = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++)
        {
            voters.add(id + "@" + HOST + ":" + (basePort + (id - 1) * PORTS_PER_NODE + 1));
        }
        return String.join(",", voters);
    }

    private static void validate(final Node node)
    {
        try
        {
            BrokerConfig.of(node.properties());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("node " + node.id() + ": " + ex.getMessage(), ex);
        }
    }
}
