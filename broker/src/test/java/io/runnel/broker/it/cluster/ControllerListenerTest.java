package io.runnel.broker.it.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.KafkaTool;
import io.runnel.broker.testing.LocalCluster;
import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.tools.MetadataQuorumCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller listener (controller.listener.names) and the node roles it serves: what admin tools
 * ask of controllers with {@code --bootstrap-controller} (the AdminClient's bootstrap.controllers),
 * what happens to hostile input sent to it, a controller-only node (process.roles=controller) that
 * serves no clients, and a broker-only node that finds the quorum through
 * controller.quorum.bootstrap.servers alone.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ControllerListenerTest
{
    private static final Set<Integer> VOTERS = Set.of(1, 2, 3);

    @TempDir
    Path root;

    @Test
    void adminToolsReachTheControllersAndHostileInputLeavesTheQuorumUp() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(root, 3, Map.of()).start();
            Admin controllers = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, cluster.bootstrapControllers()));
            Admin brokers = TestClients.admin(cluster.bootstrapServers()))
        {
            // The AdminClient with bootstrap.controllers: DescribeCluster lists the controllers at their controller listeners.
            final DescribeClusterResult described = controllers.describeCluster();
            final Collection<Node> nodes = described.nodes().get(30, TimeUnit.SECONDS);
            assertEquals(VOTERS, ids(nodes), nodes.toString());
            for (final Node node : nodes)
            {
                assertEquals(cluster.controllerPort(node.id()), node.port(), "a controller's controller listener: " + node);
            }
            final QuorumInfo quorum = controllers.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
            assertTrue(VOTERS.contains(quorum.leaderId()), quorum.toString());
            assertEquals(quorum.leaderId(), described.controller().get(30, TimeUnit.SECONDS).id(), "the active controller is the leader");
            assertEquals(brokers.describeCluster().clusterId().get(30, TimeUnit.SECONDS), described.clusterId().get(30, TimeUnit.SECONDS));

            final KafkaTool.Run status = KafkaTool.run("kafka-metadata-quorum", MetadataQuorumCommand::main,
                "--bootstrap-controller", cluster.bootstrapControllers(), "describe", "--status");
            assertEquals(0, status.status(), status.out() + status.err());
            assertTrue(status.out().contains("LeaderId:") && status.out().contains("CurrentVoters:"), status.out());

            // A broker lists brokers only; a controller controllers only.
            try (RawKafkaClient broker = RawKafkaClient.connect(cluster.node(1).port());
                RawKafkaClient controller = RawKafkaClient.connect(cluster.controllerPort(1)))
            {
                final DescribeClusterResponseData askedForControllers = broker.request(ApiKeys.DESCRIBE_CLUSTER, (short)1,
                    new DescribeClusterRequestData().setEndpointType((byte)2));
                assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE.code(), askedForControllers.errorCode(), askedForControllers.toString());
                final DescribeClusterResponseData askedForBrokers = controller.request(ApiKeys.DESCRIBE_CLUSTER, (short)1,
                    new DescribeClusterRequestData().setEndpointType((byte)1));
                assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE.code(), askedForBrokers.errorCode(), askedForBrokers.toString());

                // ApiVersions on the controller listener advertises what it serves, and nothing of a broker's.
                final ApiVersionsResponseData versions = controller.apiVersions((short)3);
                final Set<Short> advertised = new TreeSet<>();
                versions.apiKeys().forEach(key -> advertised.add(key.apiKey()));
                assertEquals(Set.of(ApiKeys.API_VERSIONS.id, ApiKeys.DESCRIBE_CLUSTER.id, ApiKeys.DESCRIBE_QUORUM.id), advertised);
            }

            sweepTheControllerListener(cluster.controllerPort(2), VOTERS);

            // Hostile input to the controller listener: each closes its connection; the quorum and the brokers carry on.
            hostile(cluster.controllerPort(1), RawKafkaClient.frame("not a kafka request".getBytes(StandardCharsets.UTF_8)));
            hostile(cluster.controllerPort(2), ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            hostile(cluster.controllerPort(3), RawKafkaClient.frame(RawKafkaClient.requestPayload(ApiKeys.METADATA.id, (short)12, 7,
                new MetadataRequestData().setTopics(null), (short)12)));
            hostile(cluster.controllerPort(1), RawKafkaClient.frame(new byte[] {0, 18}));

            brokers.createTopics(List.of(new NewTopic("after-hostile-input", 3, (short)1))).all().get(30, TimeUnit.SECONDS);
            try (var producer = TestClients.producer(cluster.bootstrapServers(), Map.of()))
            {
                producer.send(new ProducerRecord<>("after-hostile-input", "k".getBytes(), "v".getBytes())).get(30, TimeUnit.SECONDS);
            }
            assertEquals(VOTERS, ids(controllers.describeCluster().nodes().get(30, TimeUnit.SECONDS)));
        }
    }

    @Test
    void aControllerOnlyNodeServesNoClientsAndABrokerOnlyNodeFindsTheQuorumThroughBootstrapServers() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(root, 3, Map.of()).controllerOnly(3).start())
        {
            final TestBroker brokerOnly = cluster.startBrokerOnly(4);
            try (Admin brokers = TestClients.admin(cluster.bootstrapServers() + "," + brokerOnly.bootstrapServers()))
            {
                // Brokers are the nodes with the broker role: 1 and 2 (combined) and 4 (broker-only), never controller-only 3.
                final Set<Integer> listed = awaitBrokers(brokers, Set.of(1, 2, 4));
                assertFalse(listed.contains(3), "a controller-only node is no broker: " + listed);

                brokers.createTopics(List.of(new NewTopic("spread", 6, (short)1))).all().get(30, TimeUnit.SECONDS);
                final Set<Integer> leaders = new TreeSet<>();
                TestClients.describeOnceLed(brokers, "spread").partitions()
                    .forEach(partition -> leaders.add(partition.leader().id()));
                assertEquals(Set.of(1, 2, 4), leaders, "leaders spread over the three brokers, the broker-only one included");
                try (var producer = TestClients.producer(brokerOnly.bootstrapServers(), Map.of()))
                {
                    for (int partition = 0; partition < 6; partition++)
                    {
                        producer.send(new ProducerRecord<>("spread", partition, "k".getBytes(), "v".getBytes())).get(30, TimeUnit.SECONDS);
                    }
                }
            }
            try (Admin controllers = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, cluster.bootstrapControllers())))
            {
                final QuorumInfo quorum = controllers.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
                final Set<Integer> voters = new TreeSet<>();
                quorum.voters().forEach(voter -> voters.add(voter.replicaId()));
                assertEquals(VOTERS, voters, "the controller-only node votes: " + quorum);
                final Set<Integer> observers = new TreeSet<>();
                quorum.observers().forEach(observer -> observers.add(observer.replicaId()));
                assertEquals(Set.of(4), observers, "the broker-only node is an observer: " + quorum);
            }
        }
    }

    /** Every API and version the controller listener advertises answers a real request correctly at that version. */
    private static void sweepTheControllerListener(final int port, final Set<Integer> voters) throws Exception
    {
        try (RawKafkaClient controller = RawKafkaClient.connect(port))
        {
            final ApiVersionsResponseData advertised = controller.apiVersions((short)3);
            assertEquals(Errors.NONE.code(), advertised.errorCode());
            for (final ApiVersionsResponseData.ApiVersion range : advertised.apiKeys())
            {
                final ApiKeys api = ApiKeys.forId(range.apiKey());
                for (short version = range.minVersion(); version <= range.maxVersion(); version++)
                {
                    final String what = api + " v" + version + " on the controller listener";
                    switch (api)
                    {
                        case API_VERSIONS ->
                        {
                            final ApiVersionsResponseData answer = controller.apiVersions(version);
                            assertEquals(Errors.NONE.code(), answer.errorCode(), what);
                            assertEquals(advertised.apiKeys(), answer.apiKeys(), what);
                        }
                        case DESCRIBE_CLUSTER ->
                        {
                            final DescribeClusterResponseData answer = controller.request(api, version,
                                new DescribeClusterRequestData().setEndpointType((byte)2));
                            assertEquals(Errors.NONE.code(), answer.errorCode(), what + ": " + answer);
                            final Set<Integer> listed = new TreeSet<>();
                            answer.brokers().forEach(node -> listed.add(node.brokerId()));
                            assertEquals(voters, listed, what);
                            assertTrue(voters.contains(answer.controllerId()), what + ": " + answer);
                        }
                        case DESCRIBE_QUORUM ->
                        {
                            final DescribeQuorumResponseData answer = controller.request(api, version, new DescribeQuorumRequestData()
                                .setTopics(List.of(new DescribeQuorumRequestData.TopicData().setTopicName("__cluster_metadata")
                                    .setPartitions(List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0))))));
                            assertEquals(Errors.NONE.code(), answer.errorCode(), what + ": " + answer);
                            assertEquals(1, answer.topics().size(), what + ": " + answer);
                            final DescribeQuorumResponseData.PartitionData partition = answer.topics().get(0).partitions().get(0);
                            assertEquals(Errors.NONE.code(), partition.errorCode(), what + ": " + answer);
                            assertTrue(voters.contains(partition.leaderId()), what + ": " + answer);
                            assertEquals(voters.size(), partition.currentVoters().size(), what + ": " + answer);
                        }
                        default -> throw new AssertionError(api + " is advertised on the controller listener without a sweep case");
                    }
                }
            }
        }
    }

    private static void hostile(final int port, final byte[] bytes) throws Exception
    {
        try (RawKafkaClient client = RawKafkaClient.connect(port))
        {
            client.sendRaw(bytes);
            assertTrue(client.isClosedByPeer(Duration.ofSeconds(10)), "the controller listener closes the connection");
        }
    }

    private static Set<Integer> awaitBrokers(final Admin admin, final Set<Integer> expected) throws Exception
    {
        Set<Integer> listed = Set.of();
        for (int attempt = 0; attempt < 100 && !listed.equals(expected); attempt++)
        {
            listed = ids(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
            if (!listed.equals(expected))
            {
                Thread.sleep(200);
            }
        }
        assertEquals(expected, listed);
        return listed;
    }

    private static Set<Integer> ids(final Collection<Node> nodes)
    {
        final Set<Integer> ids = new TreeSet<>();
        nodes.forEach(node -> ids.add(node.id()));
        return ids;
    }
}
