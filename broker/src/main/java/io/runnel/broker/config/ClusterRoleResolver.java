package io.runnel.broker.config;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import static io.runnel.broker.config.BrokerConfigDef.ADVERTISED_LISTENERS;
import static io.runnel.broker.config.BrokerConfigDef.BROKER_HEARTBEAT_INTERVAL_MS;
import static io.runnel.broker.config.BrokerConfigDef.BROKER_ID;
import static io.runnel.broker.config.BrokerConfigDef.BROKER_RACK;
import static io.runnel.broker.config.BrokerConfigDef.BROKER_SESSION_TIMEOUT_MS;
import static io.runnel.broker.config.BrokerConfigDef.CONTROLLER_LISTENER_NAMES;
import static io.runnel.broker.config.BrokerConfigDef.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS;
import static io.runnel.broker.config.BrokerConfigDef.CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS;
import static io.runnel.broker.config.BrokerConfigDef.CONTROLLER_QUORUM_FETCH_TIMEOUT_MS;
import static io.runnel.broker.config.BrokerConfigDef.CONTROLLER_QUORUM_VOTERS;
import static io.runnel.broker.config.BrokerConfigDef.INTER_BROKER_LISTENER_NAME;
import static io.runnel.broker.config.BrokerConfigDef.LISTENERS;
import static io.runnel.broker.config.BrokerConfigDef.LISTENER_SECURITY_PROTOCOL_MAP;
import static io.runnel.broker.config.BrokerConfigDef.METADATA_LOG_DIR;
import static io.runnel.broker.config.BrokerConfigDef.NODE_ID;
import static io.runnel.broker.config.BrokerConfigDef.PROCESS_ROLES;
import static io.runnel.broker.config.BrokerConfigDef.QUORUM_AERON_DIR;
import static io.runnel.broker.config.BrokerConfigDef.QUORUM_DIR;
import static io.runnel.broker.config.BrokerConfigDef.QUORUM_PORT_OFFSET;
import static io.runnel.broker.config.BrokerConfigDef.QUORUM_SNAPSHOT_INTERVAL_COMMANDS;

/**
 * Reads the KRaft keys into a {@link ClusterRoleConfig}, checking them together as Kafka's
 * KafkaConfig checks a KRaft node (the same rules, mostly in Kafka's words), plus what Runnel's
 * quorum needs: a controller's voter entry names the port of its first controller listener, and
 * the five Aeron UDP ports of voters on one host do not overlap. Each refusal is one line that
 * names the key.
 *
 * <p>Departures from Kafka: a controller needs {@code controller.quorum.voters} (Aeron Cluster has a
 * fixed membership, so there is no dynamic quorum to bootstrap), only PLAINTEXT listeners are
 * implemented, and a node with no quorum at all is Runnel's single node (Kafka refuses it), which
 * keeps every setting it had before clusters.
 */
public final class ClusterRoleResolver
{
    /** Kafka's inter-broker listener when none is named: the one named after security.inter.broker.protocol's default. */
    private static final String DEFAULT_INTER_BROKER_LISTENER = SecurityProtocol.PLAINTEXT.name;
    private static final String ALL_INTERFACES = "0.0.0.0";
    /** What a single node has always advertised in place of an empty host or 0.0.0.0. */
    private static final String LOOPBACK = "127.0.0.1";
    private static final Path SHARED_MEMORY = Path.of("/dev/shm");
    private static final int MAX_PORT = 65_535;
    private static final String ONLY_PLAINTEXT = "; Runnel implements only PLAINTEXT so far (TLS and SASL come later)";

    private final ResolvedConfig config;
    private final Path logDir;

    private ClusterRoleResolver(final ResolvedConfig config, final Path logDir)
    {
        this.config = config;
        this.logDir = logDir;
    }

    /**
     * @param config the node's settings
     * @param logDir the first log directory (the quorum's files go there unless metadata.log.dir says otherwise)
     * @throws IllegalArgumentException naming the key whose value does not fit the others
     */
    public static ClusterRoleConfig resolve(final ResolvedConfig config, final Path logDir)
    {
        try
        {
            return new ClusterRoleResolver(config, logDir).resolve();
        }
        catch (final ConfigException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    private ClusterRoleConfig resolve()
    {
        final Set<ProcessRole> roles = roles();
        final int nodeId = config.<Integer>first(NODE_ID, BROKER_ID);
        final QuorumSettings quorum = quorum(nodeId);
        final List<String> controllerNames = controllerListenerNames();
        final Map<String, SecurityProtocol> protocols = protocols(controllerNames);
        final List<ListenerEndpoint> listeners = ListenerList.parse(LISTENERS, config.value(LISTENERS), protocols);
        final boolean advertisedSet = config.isSet(ADVERTISED_LISTENERS);
        final List<ListenerEndpoint> advertised = advertisedSet ?
            ListenerList.parse(ADVERTISED_LISTENERS, config.value(ADVERTISED_LISTENERS), protocols) : listeners;
        requirePlaintext(LISTENERS, listeners);
        requirePlaintext(ADVERTISED_LISTENERS, advertised);
        requireAdvertisedAreListeners(listeners, advertised);

        final boolean singleNode = quorum.voters().isEmpty() && quorum.bootstrapServers().isEmpty();
        if (singleNode)
        {
            checkSingleNode(roles, controllerNames);
        }
        else
        {
            checkClusterNode(roles, nodeId, quorum, controllerNames, listeners, protocols);
            if (advertisedSet)
            {
                requireRoutable(advertised);
            }
        }

        final List<ListenerEndpoint> brokerListeners = named(listeners, controllerNames, false);
        final List<ListenerEndpoint> controllerListeners = named(listeners, controllerNames, true);
        final List<ListenerEndpoint> advertisedBroker = reachable(named(advertised, controllerNames, false));
        final String interBrokerListener = config.isSet(INTER_BROKER_LISTENER_NAME) ?
            config.<String>value(INTER_BROKER_LISTENER_NAME).toUpperCase(Locale.ROOT) : DEFAULT_INTER_BROKER_LISTENER;
        if (roles.contains(ProcessRole.BROKER))
        {
            checkBrokerListeners(advertisedBroker, interBrokerListener);
        }
        final int heartbeatIntervalMs = config.<Integer>value(BROKER_HEARTBEAT_INTERVAL_MS);
        final int sessionTimeoutMs = config.<Integer>value(BROKER_SESSION_TIMEOUT_MS);
        if (heartbeatIntervalMs > sessionTimeoutMs / 2)
        {
            throw new IllegalArgumentException(BROKER_HEARTBEAT_INTERVAL_MS + " (" + heartbeatIntervalMs + " ms) must be at most half of "
                + BROKER_SESSION_TIMEOUT_MS + " (" + sessionTimeoutMs + " ms), or one late heartbeat fences the broker");
        }
        final NodeListeners nodeListeners = new NodeListeners(brokerListeners, controllerListeners, advertisedBroker,
            advertisedControllers(controllerNames, controllerListeners, advertised), controllerNames, interBrokerListener);
        return new ClusterRoleConfig(roles, nodeId, config.value(BROKER_RACK), nodeListeners, quorum, heartbeatIntervalMs, sessionTimeoutMs);
    }

    private Set<ProcessRole> roles()
    {
        final Set<ProcessRole> roles = EnumSet.noneOf(ProcessRole.class);
        for (final String name : config.<List<String>>value(PROCESS_ROLES))
        {
            roles.add(ProcessRole.forConfigName(name));
        }
        return roles;
    }

    private QuorumSettings quorum(final int nodeId)
    {
        final List<QuorumVoter> voters = config.isSet(CONTROLLER_QUORUM_VOTERS) ?
            QuorumVoter.parseList(CONTROLLER_QUORUM_VOTERS, config.value(CONTROLLER_QUORUM_VOTERS)) : List.of();
        final List<InetSocketAddress> bootstrapServers = config.isSet(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS) ?
            QuorumVoter.parseBootstrapServers(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, config.value(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS)) : List.of();
        final Path metadataLogDir = config.isSet(METADATA_LOG_DIR) ? Path.of(config.<String>value(METADATA_LOG_DIR)) : logDir;
        final Path dir = config.isSet(QUORUM_DIR) ? Path.of(config.<String>value(QUORUM_DIR)) : metadataLogDir.resolve(QuorumSettings.DEFAULT_DIR_NAME);
        final Path aeronDir = config.isSet(QUORUM_AERON_DIR) ? Path.of(config.<String>value(QUORUM_AERON_DIR)) : defaultAeronDir(nodeId, dir);
        return new QuorumSettings(voters, bootstrapServers, config.value(CONTROLLER_QUORUM_ELECTION_TIMEOUT_MS),
            config.value(CONTROLLER_QUORUM_FETCH_TIMEOUT_MS), config.value(QUORUM_PORT_OFFSET), metadataLogDir, dir, aeronDir,
            config.value(QUORUM_SNAPSHOT_INTERVAL_COMMANDS));
    }

    /**
     * A media driver folder in shared memory, as Aeron's own default, but one per node: nodes of a
     * local cluster share the machine, and the name follows from the quorum folder so a restart finds
     * the same one (the driver empties it on start).
     */
    private static Path defaultAeronDir(final int nodeId, final Path quorumDir)
    {
        if (!Files.isDirectory(SHARED_MEMORY))
        {
            return quorumDir.resolve("aeron");
        }
        final String where = Integer.toHexString(quorumDir.toAbsolutePath().normalize().toString().hashCode());
        return SHARED_MEMORY.resolve("runnel-node-" + nodeId + "-" + where);
    }

    private List<String> controllerListenerNames()
    {
        final Set<String> names = new LinkedHashSet<>();
        if (config.isSet(CONTROLLER_LISTENER_NAMES))
        {
            for (final String name : config.<List<String>>value(CONTROLLER_LISTENER_NAMES))
            {
                final String normalised = name.trim().toUpperCase(Locale.ROOT);
                if (!ListenerList.isListenerName(normalised))
                {
                    throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + ": '" + name.trim() + "' is not a listener name");
                }
                if (!names.add(normalised))
                {
                    throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + " names " + normalised + " twice");
                }
            }
        }
        return List.copyOf(names);
    }

    /** Kafka's effective map: unless the map is set, the controller listener names are PLAINTEXT too. */
    private Map<String, SecurityProtocol> protocols(final List<String> controllerNames)
    {
        if (config.isSet(LISTENER_SECURITY_PROTOCOL_MAP))
        {
            return SecurityProtocolMap.parse(LISTENER_SECURITY_PROTOCOL_MAP, config.value(LISTENER_SECURITY_PROTOCOL_MAP));
        }
        final Map<String, SecurityProtocol> protocols =
            new LinkedHashMap<>(SecurityProtocolMap.parse(LISTENER_SECURITY_PROTOCOL_MAP, SecurityProtocolMap.KAFKA_DEFAULT));
        controllerNames.forEach(name -> protocols.putIfAbsent(name, SecurityProtocol.PLAINTEXT));
        return protocols;
    }

    private static void requirePlaintext(final String key, final List<ListenerEndpoint> listeners)
    {
        for (final ListenerEndpoint listener : listeners)
        {
            if (listener.securityProtocol() != SecurityProtocol.PLAINTEXT)
            {
                throw new IllegalArgumentException(key + ": " + listener + " uses security protocol " + listener.securityProtocol().name
                    + ONLY_PLAINTEXT);
            }
        }
    }

    private static void requireAdvertisedAreListeners(final List<ListenerEndpoint> listeners, final List<ListenerEndpoint> advertised)
    {
        final Set<String> names = listeners.stream().map(ListenerEndpoint::name).collect(Collectors.toSet());
        for (final ListenerEndpoint listener : advertised)
        {
            if (!names.contains(listener.name()))
            {
                throw new IllegalArgumentException(ADVERTISED_LISTENERS + " listener names must be equal to or a subset of the ones defined in "
                    + LISTENERS + "; " + listener.name() + " is not one of " + String.join(",", names));
            }
        }
    }

    private void checkSingleNode(final Set<ProcessRole> roles, final List<String> controllerNames)
    {
        if (!roles.contains(ProcessRole.BROKER))
        {
            throw new IllegalArgumentException(PROCESS_ROLES + "=controller needs " + CONTROLLER_QUORUM_VOTERS
                + ": a node without a quorum is a single broker (process.roles broker,controller or broker)");
        }
        if (!controllerNames.isEmpty())
        {
            throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + " is set, but neither " + CONTROLLER_QUORUM_VOTERS + " nor "
                + CONTROLLER_QUORUM_BOOTSTRAP_SERVERS + " is: without a quorum the node is a single broker, which has no controller listener");
        }
    }

    private void checkClusterNode(final Set<ProcessRole> roles, final int nodeId, final QuorumSettings quorum, final List<String> controllerNames,
        final List<ListenerEndpoint> listeners, final Map<String, SecurityProtocol> protocols)
    {
        if (!config.isSet(NODE_ID) && !config.isSet(BROKER_ID))
        {
            throw new IllegalArgumentException(NODE_ID + " must be set when " + CONTROLLER_QUORUM_VOTERS + " or " + CONTROLLER_QUORUM_BOOTSTRAP_SERVERS
                + " is: each node of a cluster has its own id");
        }
        if (roles.contains(ProcessRole.CONTROLLER))
        {
            checkController(roles, nodeId, quorum, controllerNames, listeners);
        }
        else
        {
            checkBrokerOnly(nodeId, quorum, controllerNames, listeners, protocols);
        }
        checkAeronPorts(quorum);
    }

    private void checkController(final Set<ProcessRole> roles, final int nodeId, final QuorumSettings quorum, final List<String> controllerNames,
        final List<ListenerEndpoint> listeners)
    {
        if (quorum.voters().isEmpty())
        {
            throw new IllegalArgumentException(PROCESS_ROLES + " includes controller, so " + CONTROLLER_QUORUM_VOTERS + " must list the voters: "
                + "the quorum (Aeron Cluster) has a fixed membership, and " + CONTROLLER_QUORUM_BOOTSTRAP_SERVERS + " alone is for broker-only nodes");
        }
        final Optional<QuorumVoter> self = quorum.voter(nodeId);
        if (self.isEmpty())
        {
            throw new IllegalArgumentException("If " + PROCESS_ROLES + " contains the 'controller' role, the node id " + nodeId
                + " must be included in the set of voters " + CONTROLLER_QUORUM_VOTERS + "=" + voterIds(quorum));
        }
        final Map<String, ListenerEndpoint> byName = new LinkedHashMap<>();
        listeners.forEach(listener -> byName.put(listener.name(), listener));
        if (controllerNames.isEmpty())
        {
            throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + " must contain at least one value appearing in the '" + LISTENERS
                + "' configuration when running the KRaft controller role");
        }
        for (final String name : controllerNames)
        {
            if (!byName.containsKey(name))
            {
                throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + " must only contain values appearing in the '" + LISTENERS
                    + "' configuration when running the KRaft controller role; " + name + " does not");
            }
        }
        final ListenerEndpoint first = byName.get(controllerNames.get(0));
        if (first.port() != self.get().port())
        {
            throw new IllegalArgumentException(CONTROLLER_QUORUM_VOTERS + " gives node " + nodeId + " the port " + self.get().port()
                + ", but its controller listener " + first + " is on " + first.port() + ": the quorum's ports follow from the voter's, so they must agree");
        }
        if (!roles.contains(ProcessRole.BROKER))
        {
            for (final ListenerEndpoint listener : listeners)
            {
                if (!controllerNames.contains(listener.name()))
                {
                    throw new IllegalArgumentException("The " + LISTENERS + " config must only contain KRaft controller listeners from "
                        + CONTROLLER_LISTENER_NAMES + " when " + PROCESS_ROLES + "=controller; " + listener.name() + " is not one");
                }
            }
        }
    }

    private void checkBrokerOnly(final int nodeId, final QuorumSettings quorum, final List<String> controllerNames,
        final List<ListenerEndpoint> listeners, final Map<String, SecurityProtocol> protocols)
    {
        if (quorum.voter(nodeId).isPresent())
        {
            throw new IllegalArgumentException("If " + PROCESS_ROLES + " contains just the 'broker' role, the node id " + nodeId
                + " must not be included in the set of voters " + CONTROLLER_QUORUM_VOTERS + "=" + voterIds(quorum));
        }
        if (controllerNames.isEmpty())
        {
            throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + " must contain at least one value when running KRaft with just the broker role");
        }
        for (final ListenerEndpoint listener : listeners)
        {
            if (controllerNames.contains(listener.name()))
            {
                throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + " must not contain a value appearing in the '" + LISTENERS
                    + "' configuration when running KRaft with just the broker role; " + listener.name() + " does");
            }
        }
        for (final String name : controllerNames)
        {
            final SecurityProtocol protocol = protocols.get(name);
            if (protocol == null)
            {
                throw new IllegalArgumentException("Controller listener with name " + name + " defined in " + CONTROLLER_LISTENER_NAMES
                    + " not found in " + LISTENER_SECURITY_PROTOCOL_MAP);
            }
            if (protocol != SecurityProtocol.PLAINTEXT)
            {
                throw new IllegalArgumentException(CONTROLLER_LISTENER_NAMES + ": " + name + " uses security protocol " + protocol.name + ONLY_PLAINTEXT);
            }
        }
    }

    /** Each voter's Aeron ports must exist, and voters sharing a host (a local cluster) must not share ports. */
    private static void checkAeronPorts(final QuorumSettings quorum)
    {
        final List<QuorumVoter> checked = new ArrayList<>();
        for (final QuorumVoter voter : quorum.voters())
        {
            final int first = quorum.firstAeronPort(voter);
            final int last = first + QuorumSettings.AERON_PORTS_PER_VOTER - 1;
            if (first < 1 || last > MAX_PORT)
            {
                throw new IllegalArgumentException(QUORUM_PORT_OFFSET + " " + quorum.portOffset() + " puts the quorum's UDP ports of voter "
                    + voter.id() + " (" + first + "-" + last + ") outside 1-" + MAX_PORT);
            }
            for (final QuorumVoter other : checked)
            {
                if (other.host().equalsIgnoreCase(voter.host()) && Math.abs(other.port() - voter.port()) < QuorumSettings.AERON_PORTS_PER_VOTER)
                {
                    throw new IllegalArgumentException(CONTROLLER_QUORUM_VOTERS + ": voters " + other.id() + " and " + voter.id() + " are both on "
                        + voter.host() + " with ports less than " + QuorumSettings.AERON_PORTS_PER_VOTER + " apart, so their quorum UDP ports ("
                        + QuorumSettings.AERON_PORTS_PER_VOTER + " each from the voter's port) overlap");
                }
            }
            checked.add(voter);
        }
    }

    private static void requireRoutable(final List<ListenerEndpoint> advertised)
    {
        for (final ListenerEndpoint listener : advertised)
        {
            if (listener.host().equals(ALL_INTERFACES))
            {
                throw new IllegalArgumentException(ADVERTISED_LISTENERS + " cannot use the nonroutable meta-address 0.0.0.0 (" + listener
                    + "). Use a routable IP address.");
            }
        }
    }

    private static void checkBrokerListeners(final List<ListenerEndpoint> advertisedBroker, final String interBrokerListener)
    {
        if (advertisedBroker.isEmpty())
        {
            throw new IllegalArgumentException("There must be at least one broker advertised listener (" + ADVERTISED_LISTENERS + ", else "
                + LISTENERS + "). Perhaps all listeners appear in " + CONTROLLER_LISTENER_NAMES + "?");
        }
        if (advertisedBroker.stream().noneMatch(listener -> listener.name().equals(interBrokerListener)))
        {
            throw new IllegalArgumentException(INTER_BROKER_LISTENER_NAME + " must be a listener name defined in " + ADVERTISED_LISTENERS
                + ". The valid options based on currently configured listeners are "
                + advertisedBroker.stream().map(ListenerEndpoint::name).collect(Collectors.joining(",")) + " (unset, it is PLAINTEXT)");
        }
    }

    /** The listeners whose names are (or are not) controller listener names, in configured order. */
    private static List<ListenerEndpoint> named(final List<ListenerEndpoint> listeners, final List<String> controllerNames,
        final boolean controller)
    {
        return listeners.stream().filter(listener -> controllerNames.contains(listener.name()) == controller).toList();
    }

    /** Kafka's effective advertised controller listeners: per name, the advertised one, else the bound one. */
    private static List<ListenerEndpoint> advertisedControllers(final List<String> controllerNames, final List<ListenerEndpoint> controllerListeners,
        final List<ListenerEndpoint> advertised)
    {
        final List<ListenerEndpoint> controllers = new ArrayList<>();
        for (final String name : controllerNames)
        {
            advertised.stream().filter(listener -> listener.name().equals(name)).findFirst()
                .or(() -> controllerListeners.stream().filter(listener -> listener.name().equals(name)).findFirst())
                .ifPresent(controllers::add);
        }
        return reachable(controllers);
    }

    /** An empty host or 0.0.0.0 (bind every interface) is advertised as the loopback address, as the single node always did. */
    private static List<ListenerEndpoint> reachable(final List<ListenerEndpoint> listeners)
    {
        return listeners.stream()
            .map(listener -> listener.host().isEmpty() || listener.host().equals(ALL_INTERFACES) ? listener.withHost(LOOPBACK) : listener)
            .toList();
    }

    private static String voterIds(final QuorumSettings quorum)
    {
        return quorum.voters().stream().map(voter -> Integer.toString(voter.id())).collect(Collectors.joining(", ", "[", "]"));
    }
}
