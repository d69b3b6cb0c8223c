package io.runnel.broker.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.runnel.broker.BrokerConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KRaft keys read together, as Kafka's KafkaConfig checks a KRaft node: each bad combination refused in one line naming the key. */
class ClusterRoleConfigTest
{
    private static final String VOTERS = "1@127.0.0.1:9093,2@127.0.0.1:9103,3@127.0.0.1:9113";

    @Test
    void withoutAQuorumTheNodeIsTheSingleBrokerItAlwaysWas()
    {
        final BrokerConfig config = BrokerConfig.of(Map.of());
        final ClusterRoleConfig role = config.clusterRole();
        assertTrue(role.singleNode());
        assertEquals(Set.of(ProcessRole.BROKER, ProcessRole.CONTROLLER), role.roles());
        assertEquals(List.of(plaintext("PLAINTEXT", "127.0.0.1", 9092)), role.listeners().broker());
        assertEquals(List.of(), role.listeners().controller());
        assertEquals(List.of(plaintext("PLAINTEXT", "127.0.0.1", 9092)), role.listeners().advertisedBroker());
        assertEquals("PLAINTEXT", role.listeners().interBrokerListenerName());
        assertEquals("127.0.0.1", config.host());
        assertEquals(9092, config.port());
        assertEquals("127.0.0.1", config.advertisedHost());
        assertEquals(9092, config.advertisedPort());
        assertEquals(2_000, role.brokerHeartbeatIntervalMs());
        assertEquals(9_000, role.brokerSessionTimeoutMs());
        assertNull(role.rack());
        assertTrue(BrokerConfig.of(Map.of("process.roles", "broker")).clusterRole().singleNode(), "broker alone is a single node too");
    }

    @Test
    void aSingleNodeStillAdvertisesLoopbackForEveryInterfaceAndServesItsFirstListener()
    {
        final BrokerConfig all = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://:9092"));
        assertEquals("0.0.0.0", all.host());
        assertEquals("127.0.0.1", all.advertisedHost());
        final BrokerConfig advertised = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://0.0.0.0:0", "advertised.listeners", "PLAINTEXT://0.0.0.0:0"));
        assertEquals("127.0.0.1", advertised.advertisedHost());
        assertEquals(0, advertised.advertisedPort(), "0: the port the listener bound");
        final BrokerConfig two = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:9092,INTERNAL://127.0.0.1:9094",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT", "advertised.listeners",
            "PLAINTEXT://broker.example:19092,INTERNAL://127.0.0.1:9094"));
        assertEquals(9092, two.port());
        assertEquals("broker.example", two.advertisedHost());
        assertEquals(19092, two.advertisedPort());
    }

    @Test
    void aCombinedNodeOfAThreeVoterQuorum()
    {
        final BrokerConfig config = BrokerConfig.of(combined(1, 9092));
        final ClusterRoleConfig role = config.clusterRole();
        assertFalse(role.singleNode());
        assertTrue(role.isBroker() && role.isController());
        assertEquals(1, role.nodeId());
        assertEquals(List.of(new QuorumVoter(1, "127.0.0.1", 9093), new QuorumVoter(2, "127.0.0.1", 9103), new QuorumVoter(3, "127.0.0.1", 9113)),
            role.quorum().voters());
        assertEquals(VOTERS, role.quorum().votersString());
        assertEquals(List.of(plaintext("PLAINTEXT", "127.0.0.1", 9092)), role.listeners().broker());
        assertEquals(List.of(plaintext("CONTROLLER", "127.0.0.1", 9093)), role.listeners().controller());
        assertEquals(List.of(plaintext("CONTROLLER", "127.0.0.1", 9093)), role.listeners().advertisedController());
        assertEquals(List.of(plaintext("PLAINTEXT", "127.0.0.1", 9092)), role.listeners().advertisedBroker());
        assertEquals(List.of("CONTROLLER"), role.listeners().controllerListenerNames());
        assertEquals(9092, config.port(), "clients are served on the broker listener");
        assertEquals(9093, role.quorum().firstAeronPort(role.quorum().voter(1).orElseThrow()));
        assertEquals(Path.of("./data"), role.quorum().metadataLogDir());
        assertEquals(Path.of("./data/__quorum"), role.quorum().dir());
        assertEquals(1_000, role.quorum().electionTimeoutMs());
        assertEquals(2_000, role.quorum().fetchTimeoutMs());
        assertEquals(100_000, role.quorum().snapshotIntervalCommands());
    }

    @Test
    void kafkasOwnKraftServerPropertiesAreAcceptedAsTheySay()
    {
        // Kafka 4.x's config/server.properties, as shipped: the controller listener is advertised too (KIP-853).
        final Map<String, String> kafka = Map.of("process.roles", "broker,controller", "node.id", "1",
            "controller.quorum.voters", "1@localhost:9093", "listeners", "PLAINTEXT://:9092,CONTROLLER://:9093",
            "inter.broker.listener.name", "PLAINTEXT", "advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
            "controller.listener.names", "CONTROLLER",
            "listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
            "log.dirs", "/tmp/kraft-combined-logs");
        final BrokerConfig config = BrokerConfig.of(kafka);
        final NodeListeners listeners = config.clusterRole().listeners();
        assertEquals(List.of(plaintext("PLAINTEXT", "localhost", 9092)), listeners.advertisedBroker(), "clients never see the controller listener");
        assertEquals(List.of(plaintext("CONTROLLER", "localhost", 9093)), listeners.advertisedController());
        assertEquals("0.0.0.0", config.host());
        assertEquals("localhost", config.advertisedHost());
    }

    @Test
    void theShippedServerPropertiesBecomeAClusterNodeWithTheKraftKeysAlone()
    {
        // Surefire runs in the module directory; config/ is at the repository root.
        final BrokerConfig config = BrokerConfig.parse(Path.of("..", ConfigDocs.SERVER_PROPERTIES), combined(1, 9092));
        assertFalse(config.clusterRole().singleNode());
        assertEquals(List.of(plaintext("CONTROLLER", "127.0.0.1", 9093)), config.clusterRole().listeners().controller());
    }

    @Test
    void brokerOnlyAndControllerOnlyNodes()
    {
        final ClusterRoleConfig broker = BrokerConfig.of(Map.of("process.roles", "broker", "node.id", "4", "controller.quorum.voters", VOTERS,
            "listeners", "PLAINTEXT://127.0.0.1:9122", "controller.listener.names", "CONTROLLER", "broker.rack", "rack-a")).clusterRole();
        assertEquals(Set.of(ProcessRole.BROKER), broker.roles());
        assertEquals(List.of(), broker.listeners().controller());
        assertEquals(List.of("CONTROLLER"), broker.listeners().controllerListenerNames());
        assertEquals("rack-a", broker.rack());
        final ClusterRoleConfig bootstrapped = BrokerConfig.of(Map.of("process.roles", "broker", "node.id", "4",
            "controller.quorum.bootstrap.servers", "127.0.0.1:9093,localhost:9103", "listeners", "PLAINTEXT://127.0.0.1:9122",
            "controller.listener.names", "CONTROLLER")).clusterRole();
        assertFalse(bootstrapped.singleNode());
        assertEquals(List.of(), bootstrapped.quorum().voters());
        assertEquals(2, bootstrapped.quorum().bootstrapServers().size());
        assertEquals("localhost", bootstrapped.quorum().bootstrapServers().get(1).getHostString());
        final ClusterRoleConfig controller = BrokerConfig.of(Map.of("process.roles", "controller", "node.id", "2", "controller.quorum.voters", VOTERS,
            "listeners", "CONTROLLER://127.0.0.1:9103", "controller.listener.names", "CONTROLLER")).clusterRole();
        assertEquals(Set.of(ProcessRole.CONTROLLER), controller.roles());
        assertEquals(List.of(), controller.listeners().broker());
        assertEquals(List.of(plaintext("CONTROLLER", "127.0.0.1", 9103)), controller.listeners().controller());
    }

    @Test
    void quorumDirectoriesDeriveFromTheLogDirectoriesUnlessSet()
    {
        final QuorumSettings fromLogDirs = BrokerConfig.of(with(combined(1, 9092), "log.dirs", "/var/runnel/a,/var/runnel/b")).clusterRole().quorum();
        assertEquals(Path.of("/var/runnel/a/__quorum"), fromLogDirs.dir());
        if (Files.isDirectory(Path.of("/dev/shm")))
        {
            assertEquals(Path.of("/dev/shm"), fromLogDirs.aeronDir().getParent());
            assertTrue(fromLogDirs.aeronDir().getFileName().toString().startsWith("runnel-node-1-"), fromLogDirs.aeronDir().toString());
        }
        else
        {
            assertEquals(Path.of("/var/runnel/a/__quorum/aeron"), fromLogDirs.aeronDir());
        }
        final QuorumSettings otherNode = BrokerConfig.of(with(combined(2, 9102), "log.dirs", "/var/runnel/2")).clusterRole().quorum();
        assertFalse(otherNode.aeronDir().equals(fromLogDirs.aeronDir()), "each node its own media driver");
        assertEquals(Path.of("/meta/__quorum"), BrokerConfig.of(with(combined(1, 9092), "metadata.log.dir", "/meta")).clusterRole().quorum().dir());
        final Map<String, String> overridden = with(with(with(combined(1, 9092), "runnel.quorum.dir", "/q"), "runnel.quorum.aeron.dir", "/shm/q"),
            "runnel.quorum.port.offset", "100");
        final QuorumSettings quorum = BrokerConfig.of(overridden).clusterRole().quorum();
        assertEquals(Path.of("/q"), quorum.dir());
        assertEquals(Path.of("/shm/q"), quorum.aeronDir());
        assertEquals(9193, quorum.firstAeronPort(quorum.voter(1).orElseThrow()));
    }

    @Test
    void malformedVoterListsAreRefused()
    {
        final String prefix = "Invalid value %s for configuration controller.quorum.voters: ";
        assertEquals(prefix.formatted("1-127.0.0.1:9093") + "each voter must be {id}@{host}:{port}, not '1-127.0.0.1:9093'",
            refused(with(combined(1, 9092), "controller.quorum.voters", "1-127.0.0.1:9093")));
        assertEquals(prefix.formatted("one@127.0.0.1:9093") + "the voter id of 'one@127.0.0.1:9093' is not a number",
            refused(with(combined(1, 9092), "controller.quorum.voters", "one@127.0.0.1:9093")));
        assertEquals(prefix.formatted("1@127.0.0.1") + "each entry must be {id}@{host}:{port}, not '1@127.0.0.1'",
            refused(with(combined(1, 9092), "controller.quorum.voters", "1@127.0.0.1")));
        assertEquals(prefix.formatted("1@127.0.0.1:9093,1@127.0.0.1:9103") + "voter id 1 appears twice (1@127.0.0.1:9093, 1@127.0.0.1:9103)",
            refused(with(combined(1, 9092), "controller.quorum.voters", "1@127.0.0.1:9093,1@127.0.0.1:9103")));
        assertEquals(prefix.formatted("1@127.0.0.1:9093,2@127.0.0.1:9093") + "voters 1 and 2 have the same address 127.0.0.1:9093",
            refused(with(combined(1, 9092), "controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9093")));
        assertEquals(prefix.formatted("1@127.0.0.1:70000") + "the port of '1@127.0.0.1:70000' is not in 1-65535",
            refused(with(combined(1, 9092), "controller.quorum.voters", "1@127.0.0.1:70000")));
        assertEquals(prefix.formatted("1@127.0.0.1:0") + "the port of '1@127.0.0.1:0' is not in 1-65535",
            refused(with(combined(1, 9092), "controller.quorum.voters", "1@127.0.0.1:0")));
        assertEquals(prefix.formatted("1@0.0.0.0:9093") + "'1@0.0.0.0:9093' names 0.0.0.0, which reaches no host",
            refused(with(combined(1, 9092), "controller.quorum.voters", "1@0.0.0.0:9093")));
        assertEquals("Invalid value localhost for configuration controller.quorum.bootstrap.servers: each entry must be {host}:{port}, not 'localhost'",
            refused(Map.of("controller.quorum.bootstrap.servers", "localhost")));
    }

    @Test
    void aControllerMustBeAVoterWithItsControllerListener()
    {
        assertEquals("If process.roles contains the 'controller' role, the node id 4 must be included in the set of voters "
            + "controller.quorum.voters=[1, 2, 3]", refused(with(combined(1, 9092), "node.id", "4")));
        assertEquals("controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running "
            + "the KRaft controller role", refused(with(without(combined(1, 9092), "controller.listener.names"),
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT")));
        assertEquals("Invalid value PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093 for configuration listeners: "
            + "listener.security.protocol.map gives no security protocol for the listener name CONTROLLER",
            refused(without(combined(1, 9092), "controller.listener.names")), "unnamed, CONTROLLER is not PLAINTEXT by default");
        assertEquals("controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft "
            + "controller role; QUORUM does not", refused(with(combined(1, 9092), "controller.listener.names", "CONTROLLER,QUORUM")));
        assertEquals("controller.quorum.voters gives node 1 the port 9093, but its controller listener CONTROLLER://127.0.0.1:9095 is on 9095: "
            + "the quorum's ports follow from the voter's, so they must agree",
            refused(with(combined(1, 9092), "listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9095")));
        assertEquals("The listeners config must only contain KRaft controller listeners from controller.listener.names when "
            + "process.roles=controller; PLAINTEXT is not one", refused(with(combined(1, 9092), "process.roles", "controller")));
        assertEquals("process.roles includes controller, so controller.quorum.voters must list the voters: the quorum (Aeron Cluster) has a "
            + "fixed membership, and controller.quorum.bootstrap.servers alone is for broker-only nodes",
            refused(with(without(combined(1, 9092), "controller.quorum.voters"), "controller.quorum.bootstrap.servers", "127.0.0.1:9093")));
        assertEquals("There must be at least one broker advertised listener (advertised.listeners, else listeners). Perhaps all listeners "
            + "appear in controller.listener.names?", refused(with(combined(1, 9092), "listeners", "CONTROLLER://127.0.0.1:9093")));
    }

    @Test
    void aBrokerOnlyNodeReachesTheControllersButIsNotOne()
    {
        final Map<String, String> broker = Map.of("process.roles", "broker", "node.id", "4", "controller.quorum.voters", VOTERS,
            "listeners", "PLAINTEXT://127.0.0.1:9122", "controller.listener.names", "CONTROLLER");
        assertEquals("If process.roles contains just the 'broker' role, the node id 1 must not be included in the set of voters "
            + "controller.quorum.voters=[1, 2, 3]", refused(with(broker, "node.id", "1")));
        assertEquals("controller.listener.names must contain at least one value when running KRaft with just the broker role",
            refused(without(broker, "controller.listener.names")));
        assertEquals("controller.listener.names must not contain a value appearing in the 'listeners' configuration when running KRaft "
            + "with just the broker role; CONTROLLER does",
            refused(with(broker, "listeners", "PLAINTEXT://127.0.0.1:9122,CONTROLLER://127.0.0.1:9123")));
        assertEquals("Controller listener with name CONTROLLER defined in controller.listener.names not found in listener.security.protocol.map",
            refused(with(broker, "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT")));
        assertEquals("controller.listener.names: CONTROLLER uses security protocol SSL; Runnel implements only PLAINTEXT so far (TLS and SASL "
            + "come later)", refused(with(broker, "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL")));
        assertEquals("node.id must be set when controller.quorum.voters or controller.quorum.bootstrap.servers is: each node of a cluster "
            + "has its own id", refused(without(broker, "node.id")));
    }

    @Test
    void listenersAreNamedUniquelyOnTheirOwnPortsAndOnlyPlaintext()
    {
        assertEquals("listeners: SSL://host:9093 uses security protocol SSL; Runnel implements only PLAINTEXT so far (TLS and SASL come later)",
            refused(Map.of("listeners", "SSL://host:9093")));
        assertEquals("Invalid value CLIENT://127.0.0.1:9092 for configuration listeners: listener.security.protocol.map gives no security "
            + "protocol for the listener name CLIENT", refused(Map.of("listeners", "CLIENT://127.0.0.1:9092")));
        assertEquals("Invalid value PLAINTEXT://a:9092,plaintext://b:9093 for configuration listeners: each listener must have its own name; "
            + "PLAINTEXT appears twice", refused(Map.of("listeners", "PLAINTEXT://a:9092,plaintext://b:9093")));
        assertEquals("Invalid value PLAINTEXT://a:9092,INTERNAL://b:9092 for configuration listeners: each listener must have its own port; "
            + "PLAINTEXT and INTERNAL share 9092", refused(Map.of("listeners", "PLAINTEXT://a:9092,INTERNAL://b:9092",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT")));
        assertEquals("Invalid value 127.0.0.1:9092 for configuration listeners: each listener must be NAME://host:port, not '127.0.0.1:9092'",
            refused(Map.of("listeners", "127.0.0.1:9092")));
        assertEquals("Invalid value PLAINTEXT://h:99999 for configuration listeners: port 99999 of PLAINTEXT is not in 0-65535",
            refused(Map.of("listeners", "PLAINTEXT://h:99999")));
        assertEquals("Invalid value CLIENT:FOO for configuration listener.security.protocol.map: 'FOO' is not a security protocol "
            + "(PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)", refused(Map.of("listener.security.protocol.map", "CLIENT:FOO")));
        final BrokerConfig dualStack = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:9092,INTERNAL://[::1]:9092",
            "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT"));
        assertEquals("INTERNAL://[::1]:9092", dualStack.clusterRole().listeners().broker().get(1).toString(),
            "one IPv4 and one IPv6 listener may share a port, as in Kafka");
    }

    @Test
    void advertisedListenersNameBoundListenersAndAreRoutableInACluster()
    {
        assertEquals("advertised.listeners listener names must be equal to or a subset of the ones defined in listeners; EXTERNAL is not one "
            + "of PLAINTEXT", refused(Map.of("advertised.listeners", "EXTERNAL://host:9092", "listener.security.protocol.map", "EXTERNAL:PLAINTEXT,PLAINTEXT:PLAINTEXT")));
        assertEquals("advertised.listeners cannot use the nonroutable meta-address 0.0.0.0 (PLAINTEXT://0.0.0.0:9092). Use a routable IP address.",
            refused(with(combined(1, 9092), "advertised.listeners", "PLAINTEXT://0.0.0.0:9092")));
        assertEquals("inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on "
            + "currently configured listeners are PLAINTEXT (unset, it is PLAINTEXT)", refused(with(combined(1, 9092), "inter.broker.listener.name", "REPLICATION")));
    }

    @Test
    void heartbeatsComeAtLeastTwicePerSession()
    {
        assertEquals("broker.heartbeat.interval.ms (5000 ms) must be at most half of broker.session.timeout.ms (9000 ms), or one late heartbeat "
            + "fences the broker", refused(Map.of("broker.heartbeat.interval.ms", "5000")));
        assertEquals(500, BrokerConfig.of(Map.of("broker.heartbeat.interval.ms", "500", "broker.session.timeout.ms", "1000"))
            .clusterRole().brokerHeartbeatIntervalMs());
    }

    @Test
    void theQuorumsUdpPortsMustExistAndNotOverlapOnOneHost()
    {
        assertEquals("runnel.quorum.port.offset 56430 puts the quorum's UDP ports of voter 2 (65533-65537) outside 1-65535",
            refused(with(combined(1, 9092), "runnel.quorum.port.offset", "56430")));
        assertEquals("controller.quorum.voters: voters 1 and 2 are both on 127.0.0.1 with ports less than 5 apart, so their quorum UDP ports "
            + "(5 each from the voter's port) overlap", refused(with(combined(1, 9092), "controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9096")));
        assertEquals(2, BrokerConfig.of(with(combined(1, 9092), "controller.quorum.voters", "1@127.0.0.1:9093,2@other:9094"))
            .clusterRole().quorum().voters().size(), "voters on other hosts may use nearby ports");
    }

    @Test
    void withoutAQuorumThereIsNoControllerToBe()
    {
        assertEquals("process.roles=controller needs controller.quorum.voters: a node without a quorum is a single broker (process.roles "
            + "broker,controller or broker)", refused(Map.of("process.roles", "controller")));
        assertEquals("controller.listener.names is set, but neither controller.quorum.voters nor controller.quorum.bootstrap.servers is: "
            + "without a quorum the node is a single broker, which has no controller listener",
            refused(Map.of("controller.listener.names", "CONTROLLER")));
        assertEquals("Invalid value broker,observer for configuration process.roles: the roles are broker and controller",
            refused(Map.of("process.roles", "broker,observer")));
        assertEquals("Invalid value broker,broker for configuration process.roles: a role is named twice",
            refused(Map.of("process.roles", "broker,broker")));
    }

    private static Map<String, String> combined(final int nodeId, final int brokerPort)
    {
        return Map.of("process.roles", "broker,controller", "node.id", Integer.toString(nodeId), "controller.quorum.voters", VOTERS,
            "listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + (brokerPort + 1),
            "controller.listener.names", "CONTROLLER");
    }

    private static Map<String, String> with(final Map<String, String> settings, final String key, final String value)
    {
        final Map<String, String> changed = new HashMap<>(settings);
        changed.put(key, value);
        return changed;
    }

    private static Map<String, String> without(final Map<String, String> settings, final String key)
    {
        final Map<String, String> changed = new HashMap<>(settings);
        changed.remove(key);
        return changed;
    }

    private static ListenerEndpoint plaintext(final String name, final String host, final int port)
    {
        return new ListenerEndpoint(name, SecurityProtocol.PLAINTEXT, host, port);
    }

    private static String refused(final Map<String, String> settings)
    {
        return assertThrows(IllegalArgumentException.class, () -> BrokerConfig.of(settings)).getMessage();
    }
}
