package io.runnel.io.api.control;

import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
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
        final Gather gather = new Gather(context);
        // The leader epoch exists from v4; below it the field must keep its default (-1) or it cannot be written.
        final boolean withLeaderEpoch = context.apiVersion() >= FIRST_VERSION_WITH_LEADER_EPOCH;
        final var snapshot = services.logManager().registry().snapshot();
        for (final ListOffsetsRequestData.ListOffsetsTopic requestTopic : request.topics())
        {
            final ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(requestTopic.name());
            gather.response.topics().add(topicResponse);
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
                if (withLeaderEpoch)
                {
                    partitionResponse.setLeaderEpoch(partition.leaderEpoch());
                }
                gather.lookups.add(new Lookup(gather, partition, requestPartition.timestamp(), partitionResponse));
            }
        }
        gather.dispatch();
    }

    /** The lookups of one request and their answers, gathered on the connection's shard. */
    private final class Gather implements ShardCommand
    {
        final RequestContext context;
        final ListOffsetsResponseData response = new ListOffsetsResponseData();
        final List<Lookup> lookups = new ArrayList<>();
        int pending;

        Gather(final RequestContext context)
        {
            this.context = context;
        }

        int originShard()
        {
            return local.id();
        }

        void dispatch()
        {
            pending = lookups.size() + 1; // held until every lookup is sent, so a local one cannot answer early
            for (final Lookup lookup : lookups)
            {
                local.send(lookup.partition.shard(), lookup);
            }
            execute(local.shard());
        }

        /** One lookup reported back (on the connection's shard). */
        @Override
        public void execute(final Shard shard)
        {
            if (--pending == 0)
            {
                context.respond(response);
            }
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            context.fail(cause);
        }
    }

    /** One partition's lookup, run on its owning shard. */
    private record Lookup(Gather gather, Partition partition, long timestamp,
        ListOffsetsResponseData.ListOffsetsPartitionResponse out) implements ShardCommand
    {
        @Override
        public void execute(final Shard owner)
        {
            final PartitionLog log = partition.log();
            if (log == null)
            {
                out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
            }
            else
            {
                final long[] result = new long[2];
                log.offsetForTimestamp(timestamp, result);
                out.setOffset(result[0]).setTimestamp(result[1]);
            }
            owner.proxyTo(gather.originShard()).send(gather);
        }

        @Override
        public void onFailure(final Shard owner, final Throwable cause)
        {
            out.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()).setOffset(-1).setTimestamp(-1);
            owner.proxyTo(gather.originShard()).send(gather);
        }
    }
}
