package io.runnel.io.api.control;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import io.runnel.io.api.ApiShard;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * The per-partition lookups of one request (ListOffsets, OffsetForLeaderEpoch, DeleteRecords,
 * DescribeLogDirs): each runs on the
 * shard that owns its partition, since only that shard reads the partition's log, and reports back
 * to the connection's shard, where the last report sends the response. A lookup that throws on its
 * owner answers its own partition with an error code; the rest of the response is unaffected.
 */
final class PartitionLookups implements ShardCommand
{
    /** One partition's lookup: what it reads from the log, and what its partition says when it cannot. */
    abstract static class Lookup implements ShardCommand
    {
        private final Partition partition;
        private PartitionLookups gather;
        private boolean reportsLater;

        Lookup(final Partition partition)
        {
            this.partition = partition;
        }

        /** Runs on the owning shard: fills the partition's answer from its log. */
        abstract void lookUp(Partition partition, PartitionLog log);

        /** Fills the partition's answer for an error: the code and whatever fields go with it. */
        abstract void answerError(short errorCode);

        /**
         * Called from {@link #lookUp}: this lookup's answer is not complete when lookUp returns;
         * whoever completes it later sends {@link #report()} to {@link #reportTo()}.
         */
        final void reportLater()
        {
            reportsLater = true;
        }

        /** The shard the report goes to: the connection's. */
        final int reportTo()
        {
            return gather.local.id();
        }

        /** The report, to be sent to {@link #reportTo()} once when the answer is complete (after {@link #reportLater()}). */
        final ShardCommand report()
        {
            return gather;
        }

        @Override
        public final void execute(final Shard owner)
        {
            final PartitionLog log = partition.log();
            if (log == null)
            {
                answerError(Errors.NOT_LEADER_OR_FOLLOWER.code());
            }
            else if (log.isOffline())
            {
                // As Kafka answers for a partition whose log dir failed.
                answerError(Errors.KAFKA_STORAGE_ERROR.code());
            }
            else
            {
                lookUp(partition, log);
            }
            if (!reportsLater)
            {
                gather.reportFrom(owner);
            }
        }

        @Override
        public final void onFailure(final Shard owner, final Throwable cause)
        {
            if (reportsLater)
            {
                // lookUp threw after it had handed its report to someone else, who still sends it.
                return;
            }
            answerError(cause instanceof UncheckedIOException ? Errors.KAFKA_STORAGE_ERROR.code() : Errors.UNKNOWN_SERVER_ERROR.code());
            gather.reportFrom(owner);
        }
    }

    private final ApiShard local;
    private final RequestContext context;
    private final ApiMessage response;
    private final List<Lookup> lookups = new ArrayList<>();
    private int pending;

    PartitionLookups(final ApiShard local, final RequestContext context, final ApiMessage response)
    {
        this.local = local;
        this.context = context;
        this.response = response;
    }

    void add(final Lookup lookup)
    {
        lookup.gather = this;
        lookups.add(lookup);
    }

    /** Sends every lookup to its owner; answers at once when there is none. */
    void dispatch()
    {
        pending = lookups.size() + 1; // held until every lookup is sent, so a local one cannot answer early
        for (final Lookup lookup : lookups)
        {
            local.send(lookup.partition.shard(), lookup);
        }
        execute(local.shard());
    }

    private void reportFrom(final Shard owner)
    {
        owner.proxyTo(local.id()).send(this);
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
