package io.runnel.io.api.control;

import java.util.List;

import io.runnel.kernel.metadata.ClusterView;
import io.runnel.kernel.metadata.QuorumStatus;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeQuorum (what {@code kafka-metadata-quorum describe} asks): the metadata quorum as this
 * node knows it, in KRaft's terms. The quorum's log is KRaft's {@code __cluster_metadata-0}, the
 * only partition asked of it; its offsets here are positions of the quorum's log (a single node's
 * embedded store has an empty one). Every node answers, where Kafka's brokers forward to the
 * active controller: what only the leader knows (how far the other voters have come) is -1.
 */
final class QuorumDescriber
{
    /** The topic KRaft keeps its metadata log in; the tools and the AdminClient ask for it by name. */
    static final String METADATA_TOPIC = "__cluster_metadata";
    private static final int METADATA_PARTITION = 0;

    private final ClusterView cluster;

    QuorumDescriber(final ClusterView cluster)
    {
        this.cluster = cluster;
    }

    /** Nodes (the voters' endpoints) are in the response from v2 on: an older version cannot carry them. */
    private static final short FIRST_VERSION_WITH_NODES = 2;

    DescribeQuorumResponseData describe(final DescribeQuorumRequestData request, final short version)
    {
        final QuorumStatus status = cluster.quorumStatus();
        final DescribeQuorumResponseData response = new DescribeQuorumResponseData().setErrorCode(Errors.NONE.code());
        for (final DescribeQuorumRequestData.TopicData topic : request.topics())
        {
            final DescribeQuorumResponseData.TopicData answer = new DescribeQuorumResponseData.TopicData().setTopicName(topic.topicName());
            for (final DescribeQuorumRequestData.PartitionData partition : topic.partitions())
            {
                answer.partitions().add(partition(topic.topicName(), partition.partitionIndex(), status));
            }
            response.topics().add(answer);
        }
        for (final QuorumStatus.Endpoint endpoint : version >= FIRST_VERSION_WITH_NODES ? status.endpoints() : List.<QuorumStatus.Endpoint>of())
        {
            DescribeQuorumResponseData.Node node = response.nodes().find(endpoint.nodeId());
            if (node == null)
            {
                node = new DescribeQuorumResponseData.Node().setNodeId(endpoint.nodeId());
                response.nodes().add(node);
            }
            node.listeners().add(new DescribeQuorumResponseData.Listener()
                .setName(endpoint.listenerName()).setHost(endpoint.host()).setPort(endpoint.port()));
        }
        return response;
    }

    private static DescribeQuorumResponseData.PartitionData partition(final String topic, final int index, final QuorumStatus status)
    {
        final DescribeQuorumResponseData.PartitionData out = new DescribeQuorumResponseData.PartitionData().setPartitionIndex(index);
        if (!METADATA_TOPIC.equals(topic) || index != METADATA_PARTITION)
        {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                .setErrorMessage("the metadata quorum's log is " + METADATA_TOPIC + "-" + METADATA_PARTITION);
        }
        if (status.leaderId() < 0)
        {
            // Retriable: the AdminClient asks again until an election is over.
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setErrorMessage("the metadata quorum has no known leader");
        }
        out.setErrorCode(Errors.NONE.code())
            .setLeaderId(status.leaderId())
            .setLeaderEpoch((int)Math.min(Integer.MAX_VALUE, Math.max(-1, status.leaderEpoch())))
            .setHighWatermark(status.highWatermark());
        for (final QuorumStatus.Replica voter : status.voters())
        {
            out.currentVoters().add(replica(voter));
        }
        for (final QuorumStatus.Replica observer : status.observers())
        {
            out.observers().add(replica(observer));
        }
        return out;
    }

    private static DescribeQuorumResponseData.ReplicaState replica(final QuorumStatus.Replica replica)
    {
        // Static voters (controller.quorum.voters) have no directory id: Kafka reports the zero id for them too.
        return new DescribeQuorumResponseData.ReplicaState()
            .setReplicaId(replica.nodeId())
            .setReplicaDirectoryId(Uuid.ZERO_UUID)
            .setLogEndOffset(replica.logEndOffset())
            .setLastFetchTimestamp(replica.lastFetchTimestampMs())
            .setLastCaughtUpTimestamp(replica.lastCaughtUpTimestampMs());
    }
}
