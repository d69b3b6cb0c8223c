package io.runnel.io.api.produce;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.codecs.protocol.ProduceResponseEncoder;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.RequestContext;
import io.runnel.io.net.ResponseSend;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ReplicationWaiter;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One produce request in flight: scattered to the owning shards, gathered back on the shard of
 * its connection. Each owner writes only its own partitions' slots and then posts a completion
 * through the origin's inbox, which orders those writes before the origin reads them. An append
 * that fails on its owner reports an error code for its partition like any other outcome, so the
 * request is always answered.
 *
 * <p>Operations are pooled by their {@link ProduceHandler} and reused with everything they hold
 * (arrays, the per-partition commands that cross shards, the response encoder), so that a produce
 * allocates nothing in steady state. An operation goes back to the pool only once every partition
 * has reported back, so no other shard still refers to it.
 */
final class ProduceOperation
{
    /** Each owning shard's thread wraps batches with its own flyweight and writes through its own frame views. */
    private static final ThreadLocal<RecordBatch> BATCH = ThreadLocal.withInitial(RecordBatch::new);
    private static final ThreadLocal<FrameViews> VIEWS = ThreadLocal.withInitial(FrameViews::new);
    private static final ThreadLocal<AppendPolicy> POLICY = ThreadLocal.withInitial(AppendPolicy::new);
    /** log_append_time_ms of a partition whose topic keeps its producers' timestamps (CreateTime). */
    private static final long NO_LOG_APPEND_TIME = -1L;
    private static final byte[] NO_NAME = new byte[0];

    private static final Logger LOG = LoggerFactory.getLogger(ProduceOperation.class);

    private final ApiShard origin;
    private final ProduceHandler handler;
    private final ProduceResponseEncoder encoder = new ProduceResponseEncoder();
    private final ShardCommand partitionDone = new PartitionDone();

    private RequestContext context;
    private short acks;
    /** The request's timeout_ms: how long acks=all waits for the in-sync replicas. */
    private int timeoutMs;
    private int topicCount;
    private int partitionCount;
    private int pending;

    private byte[][] topicNames = new byte[1][];
    private long[] topicIdMsb = new long[1];
    private long[] topicIdLsb = new long[1];
    private int[] topicPartitions = new int[1];
    private int[] partitionIndex = new int[1];
    private Partition[] partitions = new Partition[1];
    private int[] recordsOffset = new int[1];
    private int[] recordsLength = new int[1];
    private short[] errorCode = new short[1];
    private long[] minTimestamp = new long[1];
    private long[] maxTimestamp = new long[1];
    private long[] baseOffset = new long[1];
    private long[] logAppendTime = new long[1];
    private long[] logStartOffset = new long[1];
    /** End of each appended batch and the leader epoch it was appended at: what acks=all waits for. */
    private long[] endOffset = new long[1];
    private int[] appendEpoch = new int[1];
    private PartitionAppend[] appends = new PartitionAppend[0];

    ProduceOperation(final ApiShard origin, final ProduceHandler handler)
    {
        this.origin = origin;
        this.handler = handler;
    }

    ProduceOperation begin(final RequestContext context, final short acks, final int timeoutMs, final int topicCount,
        final int partitionCount)
    {
        this.context = context;
        this.acks = acks;
        this.timeoutMs = timeoutMs;
        this.topicCount = topicCount;
        this.partitionCount = partitionCount;
        if (topicNames.length < topicCount)
        {
            final int size = Math.max(topicCount, topicNames.length * 2);
            topicNames = Arrays.copyOf(topicNames, size);
            topicIdMsb = Arrays.copyOf(topicIdMsb, size);
            topicIdLsb = Arrays.copyOf(topicIdLsb, size);
            topicPartitions = Arrays.copyOf(topicPartitions, size);
        }
        if (partitions.length < partitionCount)
        {
            final int size = Math.max(partitionCount, partitions.length * 2);
            partitionIndex = Arrays.copyOf(partitionIndex, size);
            partitions = Arrays.copyOf(partitions, size);
            recordsOffset = Arrays.copyOf(recordsOffset, size);
            recordsLength = Arrays.copyOf(recordsLength, size);
            errorCode = Arrays.copyOf(errorCode, size);
            minTimestamp = Arrays.copyOf(minTimestamp, size);
            maxTimestamp = Arrays.copyOf(maxTimestamp, size);
            baseOffset = Arrays.copyOf(baseOffset, size);
            logAppendTime = Arrays.copyOf(logAppendTime, size);
            logStartOffset = Arrays.copyOf(logStartOffset, size);
            endOffset = Arrays.copyOf(endOffset, size);
            appendEpoch = Arrays.copyOf(appendEpoch, size);
        }
        return this;
    }

    /** A topic the request names; {@code topic} is null when it does not exist (then the request's own name bytes are answered). */
    void topic(final int t, final Topic topic, final byte[] requestedName, final long idMsb, final long idLsb, final int partitionCount)
    {
        topicNames[t] = topic != null ? topic.nameUtf8() : requestedName != null ? requestedName : NO_NAME;
        topicIdMsb[t] = idMsb;
        topicIdLsb[t] = idLsb;
        topicPartitions[t] = partitionCount;
    }

    /**
     * A partition of the request: its batch at {@code [offset, offset + length)} of the frame, whose
     * record timestamps span [{@code minTimestamp}, {@code maxTimestamp}] (as the validator read them,
     * for the owner to hold to the topic's limits), or the error it is answered with.
     */
    void partition(final int i, final int index, final Partition partition, final int offset, final int length, final short error,
        final long minTimestamp, final long maxTimestamp)
    {
        partitionIndex[i] = index;
        partitions[i] = error == Errors.NONE.code() ? partition : null;
        recordsOffset[i] = offset;
        recordsLength[i] = length;
        errorCode[i] = error;
        this.minTimestamp[i] = minTimestamp;
        this.maxTimestamp[i] = maxTimestamp;
        baseOffset[i] = -1;
        logAppendTime[i] = NO_LOG_APPEND_TIME;
        logStartOffset[i] = -1;
    }

    void dispatch()
    {
        pending = 1; // held until every append is dispatched, so a fast local append cannot complete us early
        for (int i = 0; i < partitionCount; i++)
        {
            final Partition partition = partitions[i];
            if (partition != null)
            {
                pending++;
                origin.send(partition.shard(), append(i));
            }
        }
        partitionDone();
    }

    private PartitionAppend append(final int slot)
    {
        if (slot >= appends.length)
        {
            final int old = appends.length;
            appends = Arrays.copyOf(appends, Math.max(slot + 1, old * 2));
            for (int i = old; i < appends.length; i++)
            {
                appends[i] = new PartitionAppend(i);
            }
        }
        return appends[slot];
    }

    /** Runs on the owning shard. */
    private void append(final Shard owner, final int i)
    {
        final Partition partition = partitions[i];
        final PartitionLog log = partition.log();
        if (log == null)
        {
            errorCode[i] = Errors.NOT_LEADER_OR_FOLLOWER.code();
        }
        else if (acks == -1 && partition.leadership().isr().size() < log.config().minInsyncReplicas())
        {
            // As Kafka: acks=all needs min.insync.replicas in sync before it appends at all.
            errorCode[i] = Errors.NOT_ENOUGH_REPLICAS.code();
        }
        else
        {
            final UnsafeBuffer frame = context.frame();
            final AppendPolicy policy = POLICY.get();
            final short refused = policy.apply(log.config(), owner.clock().time(), BATCH.get().wrap(frame, recordsOffset[i]),
                VIEWS.get().view(frame.byteBuffer(), recordsOffset[i], recordsLength[i]), minTimestamp[i], maxTimestamp[i]);
            if (refused != Errors.NONE.code())
            {
                errorCode[i] = refused;
                return;
            }
            final RecordBatch batch = policy.batch();
            final PartitionLog.AppendStatus status = owner.append(partition, batch, policy.bytes());
            switch (status)
            {
                case APPENDED ->
                {
                    baseOffset[i] = log.lastBaseOffset();
                    logAppendTime[i] = policy.logAppendTime() ? batch.maxTimestamp() : NO_LOG_APPEND_TIME;
                    endOffset[i] = baseOffset[i] + batch.lastOffsetDelta() + 1;
                    appendEpoch[i] = partition.leaderEpoch();
                }
                case DUPLICATE ->
                {
                    baseOffset[i] = log.lastBaseOffset();
                    endOffset[i] = baseOffset[i] + batch.lastOffsetDelta() + 1;
                    appendEpoch[i] = partition.leaderEpoch();
                }
                case OUT_OF_ORDER_SEQUENCE -> errorCode[i] = Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code();
                case INVALID_PRODUCER_EPOCH -> errorCode[i] = Errors.INVALID_PRODUCER_EPOCH.code();
                case STORAGE_ERROR -> errorCode[i] = Errors.KAFKA_STORAGE_ERROR.code();
            }
            logStartOffset[i] = log.logStartOffset();
        }
    }

    /** Runs on the origin shard. */
    private void partitionDone()
    {
        if (--pending > 0)
        {
            return;
        }
        try
        {
            if (acks == 0)
            {
                final boolean failed = hasErrors();
                context.finishWithoutResponse();
                if (failed)
                {
                    // acks=0 has no response to carry the error: Kafka closes the connection so the client notices.
                    context.connection().close("produce with acks=0 failed on at least one partition");
                }
            }
            else
            {
                respond();
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cannot answer a produce request; answering with an error", ex);
            context.fail(ex);
        }
        finally
        {
            context = null;
            Arrays.fill(partitions, 0, partitionCount, null);
            handler.recycle(this);
        }
    }

    /** The error a partition reports when its append failed unexpectedly on its owner. */
    private static short errorFor(final Throwable cause)
    {
        return cause instanceof UncheckedIOException ? Errors.KAFKA_STORAGE_ERROR.code() : Errors.UNKNOWN_SERVER_ERROR.code();
    }

    private boolean hasErrors()
    {
        for (int i = 0; i < partitionCount; i++)
        {
            if (errorCode[i] != Errors.NONE.code())
            {
                return true;
            }
        }
        return false;
    }

    private void respond()
    {
        int nameBytes = 0;
        for (int t = 0; t < topicCount; t++)
        {
            nameBytes += topicNames[t].length;
        }
        final int capacity = ProduceResponseEncoder.maxFrameBytes(topicCount, nameBytes, partitionCount);
        final UnsafeBuffer buffer = origin.reactor().framePool().acquire(capacity);
        encoder.begin(buffer, 0, context.correlationId(), context.apiVersion(), topicCount);
        int i = 0;
        for (int t = 0; t < topicCount; t++)
        {
            encoder.topic(topicNames[t], topicIdMsb[t], topicIdLsb[t], topicPartitions[t]);
            for (int p = 0; p < topicPartitions[t]; p++, i++)
            {
                encoder.partition(partitionIndex[i], errorCode[i], baseOffset[i], logAppendTime[i], logStartOffset[i]);
            }
            encoder.endTopic();
        }
        final int end = encoder.finish(0);
        final ByteBuffer bytes = buffer.byteBuffer();
        bytes.limit(end).position(0);
        final ResponseSend send = origin.reactor().responseSends().acquire().add(bytes).releasing(origin.reactor().framePool(), buffer);
        context.respond(send);
    }

    /**
     * One partition's append, sent to its owning shard, and its report back once the append is
     * durable. Reused with the operation: the slot's command crosses shards without allocating.
     */
    private final class PartitionAppend implements ShardCommand, Runnable, ReplicationWaiter
    {
        private final int slot;
        private Shard owner;

        PartitionAppend(final int slot)
        {
            this.slot = slot;
        }

        /** On the owning shard. */
        @Override
        public void execute(final Shard shard)
        {
            owner = shard;
            append(shard, slot);
            shard.whenDurable(this);
        }

        /** On the owning shard, when the append threw: the partition reports the error, the rest of the request goes on. */
        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            owner = shard;
            errorCode[slot] = errorFor(cause);
            baseOffset[slot] = -1;
            shard.whenDurable(this);
        }

        /**
         * On the owning shard, once what it appended is durable (at once unless the flush policy is
         * fsync) or its fsync failed, which rolled the batch back: then it is a storage error, never a success.
         */
        @Override
        public void run()
        {
            final Partition partition = partitions[slot];
            final PartitionLog log = partition == null ? null : partition.log();
            if (errorCode[slot] == Errors.NONE.code() && log != null && !log.isFlushed(baseOffset[slot]))
            {
                errorCode[slot] = Errors.KAFKA_STORAGE_ERROR.code();
                baseOffset[slot] = -1;
            }
            if (acks == -1 && errorCode[slot] == Errors.NONE.code() && partition.leadership().replicas().size() > 1)
            {
                // acks=all on a replicated partition: parked (never blocking the shard) until every in-sync replica has it.
                owner.whenReplicated(partition, appendEpoch[slot], endOffset[slot], owner.clock().time() + timeoutMs, this);
                return;
            }
            owner.proxyTo(origin.id()).send(partitionDone);
        }

        /** On the owning shard, once the in-sync replicas have the batch, or they cannot be waited for any longer. */
        @Override
        public void onReplicated(final Outcome outcome)
        {
            switch (outcome)
            {
                case REPLICATED ->
                {
                    final Partition partition = partitions[slot];
                    if (partition.leadership().isr().size() < partition.log().config().minInsyncReplicas())
                    {
                        // Replicated, but the ISR shrank below min.insync.replicas while it waited (Kafka answers the same).
                        errorCode[slot] = Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND.code();
                    }
                }
                case NOT_LEADER -> errorCode[slot] = Errors.NOT_LEADER_OR_FOLLOWER.code();
                case TIMED_OUT -> errorCode[slot] = Errors.REQUEST_TIMED_OUT.code();
            }
            if (errorCode[slot] != Errors.NONE.code())
            {
                baseOffset[slot] = -1;
            }
            owner.proxyTo(origin.id()).send(partitionDone);
        }
    }

    /** A partition's report, arriving on the origin shard. */
    private final class PartitionDone implements ShardCommand
    {
        @Override
        public void execute(final Shard shard)
        {
            partitionDone();
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            // partitionDone answers its own failures; reaching here means the bookkeeping itself broke.
            LOG.error("produce completion failed on shard {}", shard.id(), cause);
        }
    }
}
