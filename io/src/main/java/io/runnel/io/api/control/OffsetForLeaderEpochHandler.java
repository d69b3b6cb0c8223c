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
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetForLeaderEpoch (KIP-101, KIP-320): the end offset of a leader epoch, so a consumer can
 * check its position after a leader change and a follower can find where to truncate. Answered as
 * Kafka's leader answers it, from the partition's epoch history. A single node has one epoch per
 * partition, starting at the log start offset; replication will bring an epoch cache with more.
 * Each lookup runs on the partition's owning shard (it reads the log's offsets); answers are
 * gathered on the connection's shard. A lookup that fails on its owner answers its partition with
 * an error code.
 */
public final class OffsetForLeaderEpochHandler
{
    /** Kafka's {@code UNDEFINED_EPOCH} and {@code UNDEFINED_EPOCH_OFFSET}. */
    static final int UNDEFINED_EPOCH = -1;
    static final long UNDEFINED_EPOCH_OFFSET = -1L;

    private final ApiShard local;
    private final BrokerServices services;

    public OffsetForLeaderEpochHandler(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    public void handle(final RequestContext context)
    {
        final OffsetForLeaderEpochRequestData request = (OffsetForLeaderEpochRequestData)ControlMessages.readRequest(
            ApiKeys.OFFSET_FOR_LEADER_EPOCH, context.apiVersion(), context.body());
        final Gather gather = new Gather(context);
        final var snapshot = services.logManager().registry().snapshot();
        for (final OffsetForLeaderEpochRequestData.OffsetForLeaderTopic requestTopic : request.topics())
        {
            final OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(requestTopic.topic());
            gather.response.topics().add(topicResult);
            final Topic topic = snapshot.topic(requestTopic.topic());
            for (final OffsetForLeaderEpochRequestData.OffsetForLeaderPartition requestPartition : requestTopic.partitions())
            {
                final EpochEndOffset out = new EpochEndOffset().setPartition(requestPartition.partition())
                    .setLeaderEpoch(UNDEFINED_EPOCH).setEndOffset(UNDEFINED_EPOCH_OFFSET);
                topicResult.partitions().add(out);
                final Partition partition = topic == null ? null : topic.partition(requestPartition.partition());
                if (partition == null)
                {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                final Errors fenced = fence(requestPartition.currentLeaderEpoch(), partition.leaderEpoch());
                if (fenced != Errors.NONE)
                {
                    out.setErrorCode(fenced.code());
                    continue;
                }
                gather.lookups.add(new Lookup(gather, partition, requestPartition.leaderEpoch(), out));
            }
        }
        gather.dispatch();
    }

    /**
     * Kafka's leader-epoch check of the requester's view (KIP-320): a requester behind the leader
     * is fenced; one ahead knows of a leader this broker has not heard of yet. -1 skips the check.
     */
    static Errors fence(final int currentLeaderEpoch, final int leaderEpoch)
    {
        if (currentLeaderEpoch == UNDEFINED_EPOCH)
        {
            return Errors.NONE;
        }
        if (currentLeaderEpoch < leaderEpoch)
        {
            return Errors.FENCED_LEADER_EPOCH;
        }
        return currentLeaderEpoch > leaderEpoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.NONE;
    }

    /**
     * Kafka's {@code LeaderEpochFileCache.endOffsetFor} over this partition's history: one epoch,
     * {@code leaderEpoch}, that began at the log start offset. The current epoch ends at the log
     * end; an older epoch ends where the next began (answered with the requested epoch when no
     * older one is known); an epoch newer than any, or -1, is undefined.
     */
    static void endOffsetFor(final int requestedEpoch, final int leaderEpoch, final long epochStartOffset, final long logEndOffset,
        final EpochEndOffset out)
    {
        if (requestedEpoch == UNDEFINED_EPOCH || requestedEpoch > leaderEpoch)
        {
            out.setLeaderEpoch(UNDEFINED_EPOCH).setEndOffset(UNDEFINED_EPOCH_OFFSET);
        }
        else if (requestedEpoch == leaderEpoch)
        {
            out.setLeaderEpoch(leaderEpoch).setEndOffset(logEndOffset);
        }
        else
        {
            out.setLeaderEpoch(requestedEpoch).setEndOffset(epochStartOffset);
        }
    }

    /** The lookups of one request and their answers, gathered on the connection's shard. */
    private final class Gather implements ShardCommand
    {
        final RequestContext context;
        final OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
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
    private record Lookup(Gather gather, Partition partition, int requestedEpoch, EpochEndOffset out) implements ShardCommand
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
                endOffsetFor(requestedEpoch, partition.leaderEpoch(), log.logStartOffset(), log.logEndOffset(), out);
            }
            owner.proxyTo(gather.originShard()).send(gather);
        }

        @Override
        public void onFailure(final Shard owner, final Throwable cause)
        {
            out.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()).setLeaderEpoch(UNDEFINED_EPOCH).setEndOffset(UNDEFINED_EPOCH_OFFSET);
            owner.proxyTo(gather.originShard()).send(gather);
        }
    }
}
