package io.runnel.io.api.control;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.log.PartitionLog;
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
 * Kafka's leader answers it, from the partition log's leader-epoch history (its
 * {@code leader-epoch-checkpoint}); a log with no history yet (written before the history was kept)
 * is answered as one epoch, the current, from the log start. Each lookup runs on the partition's owning shard (it reads the log's offsets); answers are
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
        final OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        final PartitionLookups lookups = new PartitionLookups(local, context, response);
        final var snapshot = services.logManager().registry().snapshot();
        for (final OffsetForLeaderEpochRequestData.OffsetForLeaderTopic requestTopic : request.topics())
        {
            final OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(requestTopic.topic());
            response.topics().add(topicResult);
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
                if (!partition.leadership().isLedBy(services.cluster().localNodeId()))
                {
                    out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
                    continue;
                }
                final Errors fenced = fence(requestPartition.currentLeaderEpoch(), partition.leaderEpoch());
                if (fenced != Errors.NONE)
                {
                    out.setErrorCode(fenced.code());
                    continue;
                }
                lookups.add(new Lookup(partition, requestPartition.leaderEpoch(), out));
            }
        }
        lookups.dispatch();
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
     * {@code LeaderEpochFileCache.endOffsetFor} for a log with no epoch history: one epoch,
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

    /** One partition's lookup, run on its owning shard: it reads the log's offsets. */
    private static final class Lookup extends PartitionLookups.Lookup
    {
        private final int requestedEpoch;
        private final EpochEndOffset out;

        Lookup(final Partition partition, final int requestedEpoch, final EpochEndOffset out)
        {
            super(partition);
            this.requestedEpoch = requestedEpoch;
            this.out = out;
        }

        @Override
        void lookUp(final Partition partition, final PartitionLog log)
        {
            if (log.latestEpoch() == UNDEFINED_EPOCH)
            {
                endOffsetFor(requestedEpoch, partition.leaderEpoch(), log.logStartOffset(), log.logEndOffset(), out);
                return;
            }
            // With replication a partition has several epochs: a consumer validating its position
            // after a leader change must get the real end of its epoch, not the log start.
            final long[] epochAndOffset = new long[2];
            log.endOffsetForEpoch(requestedEpoch, epochAndOffset);
            out.setLeaderEpoch((int)epochAndOffset[0]).setEndOffset(epochAndOffset[1]);
        }

        @Override
        void answerError(final short errorCode)
        {
            out.setErrorCode(errorCode).setLeaderEpoch(UNDEFINED_EPOCH).setEndOffset(UNDEFINED_EPOCH_OFFSET);
        }
    }
}
