package io.runnel.io.api.control;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ListOffsets: earliest, latest, max timestamp, or the first offset at or after a timestamp.
 * Each lookup runs on the shard that owns the partition (it reads the indexes); the answers are
 * gathered on the connection's shard. A lookup that fails on its owner answers its partition with
 * an error code.
 */
public final class ListOffsetsHandler
{
    private static final short FIRST_VERSION_WITH_LEADER_EPOCH = 4;

    private final ApiShard local;
    private final BrokerServices services;

    public ListOffsetsHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    public void handle(final RequestContext context)
    {
        final ListOffsetsRequestData request = (ListOffsetsRequestData)ControlMessages.readRequest(
            ApiKeys.LIST_OFFSETS, context.apiVersion(), context.body());
        final ListOffsetsResponseData response = new ListOffsetsResponseData();
        final PartitionLookups lookups = new PartitionLookups(local, context, response);
        // The leader epoch exists from v4; below it the field must keep its default (-1) or it cannot be written.
        final boolean withLeaderEpoch = context.apiVersion() >= FIRST_VERSION_WITH_LEADER_EPOCH;
        final var snapshot = services.logManager().registry().snapshot();
        for (final ListOffsetsRequestData.ListOffsetsTopic requestTopic : request.topics())
        {
            final ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(requestTopic.name());
            response.topics().add(topicResponse);
            final Topic topic = snapshot.topic(requestTopic.name());
            for (final ListOffsetsRequestData.ListOffsetsPartition requestPartition : requestTopic.partitions())
            {
                final ListOffsetsResponseData.ListOffsetsPartitionResponse partitionResponse =
                    new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(requestPartition.partitionIndex())
                        .setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
                topicResponse.partitions().add(partitionResponse);
                final Partition partition = topic == null ? null : topic.partition(requestPartition.partitionIndex());
                if (partition == null)
                {
                    partitionResponse.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                if (!partition.leadership().isLedBy(services.cluster().localNodeId()))
                {
                    partitionResponse.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                    continue;
                }
                if (withLeaderEpoch)
                {
                    partitionResponse.setLeaderEpoch(partition.leaderEpoch());
                }
                lookups.add(new Lookup(partition, requestPartition.timestamp(), partitionResponse));
            }
        }
        lookups.dispatch();
    }

    /** One partition's lookup, run on its owning shard: it reads the indexes. */
    private static final class Lookup extends PartitionLookups.Lookup
    {
        private final long timestamp;
        private final ListOffsetsResponseData.ListOffsetsPartitionResponse out;

        Lookup(final Partition partition, final long timestamp, final ListOffsetsResponseData.ListOffsetsPartitionResponse out)
        {
            super(partition);
            this.timestamp = timestamp;
            this.out = out;
        }

        @Override
        void lookUp(final Partition partition, final PartitionLog log)
        {
            final long[] result = new long[2];
            log.offsetForTimestamp(timestamp, result);
            out.setOffset(result[0]).setTimestamp(result[1]);
        }

        @Override
        void answerError(final short errorCode)
        {
            out.setErrorCode(errorCode).setOffset(-1).setTimestamp(-1);
        }
    }
}
