package io.runnel.broker.it.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.runnel.broker.testing.KafkaTool;
import io.runnel.broker.testing.LocalCluster;
import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.tools.BrokerApiVersionsCommand;
import org.apache.kafka.tools.MetadataQuorumCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's own admin tools against a 3-node cluster, run in this JVM as a user runs them:
 * {@code kafka-metadata-quorum describe --status / --replication} see the quorum's leader and its
 * three voters (the leader, asked itself, how far each voter's log has come), and
 * {@code kafka-broker-api-versions} reaches all three brokers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterAdminToolsTest
{
    private static final Set<Integer> NODES = Set.of(1, 2, 3);
    private static final Pattern VOTER_ID = Pattern.compile("\"id\": (\\d+)");

    @TempDir
    Path root;

    @Test
    void metadataQuorumAndBrokerApiVersionsToolsSeeTheWholeCluster() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(root, 3, Map.of()).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            final QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS);
            assertTrue(NODES.contains(quorum.leaderId()), "a leader among the voters: " + quorum);
            assertEquals(NODES, ids(quorum.voters()), "every controller votes: " + quorum);
            assertTrue(quorum.observers().isEmpty(), "combined nodes are voters, not observers: " + quorum);
            assertTrue(quorum.highWatermark() > 0, "the quorum's log has committed the registrations: " + quorum);
            assertEquals(NODES, quorum.nodes().keySet(), "every voter's endpoint: " + quorum);

            final DescribeQuorumResponseData.PartitionData fromLeader = positionsFromTheLeader(cluster, quorum.leaderId());
            assertEquals(quorum.leaderId(), fromLeader.leaderId(), fromLeader.toString());
            for (final DescribeQuorumResponseData.ReplicaState voter : fromLeader.currentVoters())
            {
                assertTrue(voter.logEndOffset() > 0, "the leader knows how far each voter is: " + fromLeader);
                if (voter.replicaId() != fromLeader.leaderId())
                {
                    assertTrue(voter.lastFetchTimestamp() > 0, "and when it last heard from it: " + fromLeader);
                }
            }

            final String status = ok(KafkaTool.run("kafka-metadata-quorum", MetadataQuorumCommand::main,
                "--bootstrap-server", cluster.bootstrapServers(), "describe", "--status"));
            assertTrue(status.contains("ClusterId:") && status.contains(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)), status);
            final int leader = Integer.parseInt(field(status, "LeaderId"));
            assertTrue(NODES.contains(leader), status);
            assertTrue(Long.parseLong(field(status, "HighWatermark")) > 0, status);
            assertEquals(NODES, voterIds(field(status, "CurrentVoters")), status);
            assertEquals("[]", field(status, "CurrentObservers"), status);

            final String replication = ok(KafkaTool.run("kafka-metadata-quorum", MetadataQuorumCommand::main,
                "--bootstrap-server", cluster.bootstrapServers(), "describe", "--replication"));
            final List<String> rows = replication.lines().skip(1).filter(line -> !line.isBlank()).toList();
            assertEquals(3, rows.size(), replication);
            assertEquals(1, rows.stream().filter(row -> row.trim().endsWith("Leader")).count(), replication);
            assertEquals(2, rows.stream().filter(row -> row.trim().endsWith("Follower")).count(), replication);

            final String versions = ok(KafkaTool.run("kafka-broker-api-versions", BrokerApiVersionsCommand::main,
                "--bootstrap-server", cluster.bootstrapServers()));
            for (final int node : NODES)
            {
                assertTrue(versions.contains("(id: " + node + " rack: null isFenced: false) -> ("), "broker " + node + " listed:\n" + versions);
            }
            assertTrue(versions.contains("DescribeQuorum(55): 0 to 2"), versions);
        }
    }

    /**
     * DescribeQuorum asked of the leader's broker alone (an AdminClient picks any broker), once its
     * voter has read every voter's position from its consensus module (it does so every couple of seconds).
     */
    private static DescribeQuorumResponseData.PartitionData positionsFromTheLeader(final LocalCluster cluster, final int leaderId)
        throws Exception
    {
        final short version = ApiKeys.DESCRIBE_QUORUM.latestVersion();
        final DescribeQuorumRequestData request = new DescribeQuorumRequestData().setTopics(List.of(new DescribeQuorumRequestData.TopicData()
            .setTopicName("__cluster_metadata").setPartitions(List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0)))));
        try (RawKafkaClient leader = RawKafkaClient.connect(cluster.node(leaderId).port()))
        {
            DescribeQuorumResponseData.PartitionData quorum = null;
            for (int attempt = 0; attempt < 100; attempt++)
            {
                final DescribeQuorumResponseData response = leader.request(ApiKeys.DESCRIBE_QUORUM, version, request);
                quorum = response.topics().get(0).partitions().get(0);
                if (quorum.currentVoters().stream().allMatch(voter -> voter.logEndOffset() >= 0))
                {
                    return quorum;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the leader never reported every voter's position: " + quorum);
        }
    }

    private static Set<Integer> ids(final List<QuorumInfo.ReplicaState> replicas)
    {
        final Set<Integer> ids = new TreeSet<>();
        replicas.forEach(replica -> ids.add(replica.replicaId()));
        return ids;
    }

    private static Set<Integer> voterIds(final String voters)
    {
        final Set<Integer> ids = new TreeSet<>();
        final Matcher matcher = VOTER_ID.matcher(voters);
        while (matcher.find())
        {
            ids.add(Integer.parseInt(matcher.group(1)));
        }
        return ids;
    }

    /** The value of a {@code Name: value} line of the tool's output. */
    private static String field(final String output, final String name)
    {
        return output.lines().filter(line -> line.startsWith(name + ":")).findFirst()
            .orElseThrow(() -> new AssertionError(name + " not in\n" + output)).substring(name.length() + 1).trim();
    }

    private static String ok(final KafkaTool.Run run)
    {
        assertEquals(0, run.status(), run.out() + run.err());
        return run.out();
    }
}
