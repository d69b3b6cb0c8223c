package io.runnel.io.api.produce;

import java.nio.ByteBuffer;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.codecs.protocol.ProduceResponseEncoder;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.io.net.Reactor;
import io.runnel.io.net.ResponseSend;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.Partition;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * One produce request in flight: scattered to the owning shards, gathered back on the shard of
 * its connection. Each owner writes only its own partitions' slots and then posts a completion
 * through the origin's inbox, which orders those writes before the origin reads them.
 */
final class ProduceOperation
{
    /** Each owning shard's thread wraps batches with its own flyweight. */
    private static final ThreadLocal<RecordBatch> BATCH = ThreadLocal.withInitial(RecordBatch::new);

    private final RequestContext context;
    private final Reactor origin;
    private final BrokerServices services;
    private final short acks;
    private final String[] topicNames;
    private final Uuid[] topicIds;
    private final int[] topicPartitions;
    private final int[] partitionIndex;
    private final Partition[] partitions;
    private final int[] recordsOffset;
    private final int[] recordsLength;
    private final short[] errorCode;
    private final long[] baseOffset;
    private final long[] logStartOffset;
    private int pending;

    ProduceOperation(final RequestContext context, final Reactor origin, final BrokerServices services, final short acks,
        final int topicCount, final int partitionCount)
    {
        this.context = context;
        this.origin = origin;
        this.services = services;
        this.acks = acks;
        topicNames = new String[topicCount];
        topicIds = new Uuid[topicCount];
        topicPartitions = new int[topicCount];
        partitionIndex = new int[partitionCount];
        partitions = new Partition[partitionCount];
        recordsOffset = new int[partitionCount];
        recordsLength = new int[partitionCount];
        errorCode = new short[partitionCount];
        baseOffset = new long[partitionCount];
        logStartOffset = new long[partitionCount];
    }

    void topic(final int t, final String name, final Uuid id, final int partitionCount)
    {
        topicNames[t] = name;
        topicIds[t] = id;
        topicPartitions[t] = partitionCount;
    }

    void partition(final int i, final int index, final Partition partition, final int offset, final int length, final short error)
    {
        partitionIndex[i] = index;
        partitions[i] = error == Errors.NONE.code() ? partition : null;
        recordsOffset[i] = offset;
        recordsLength[i] = length;
        errorCode[i] = error;
        baseOffset[i] = -1;
        logStartOffset[i] = -1;
    }

    void dispatch()
    {
        pending = 1; // held until every append is dispatched, so a fast local append cannot complete us early
        for (int i = 0; i < partitions.length; i++)
        {
            final Partition partition = partitions[i];
            if (partition != null)
            {
                pending++;
                final int slot = i;
                origin.runOn(partition.shard(), owner -> append(owner, slot));
            }
        }
        partitionDone();
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
        else if (recordsLength[i] > log.config().maxMessageBytes())
        {
            errorCode[i] = Errors.MESSAGE_TOO_LARGE.code();
        }
        else
        {
            final UnsafeBuffer frame = context.frame();
            final RecordBatch batch = BATCH.get().wrap(frame, recordsOffset[i]);
            final ByteBuffer bytes = frame.byteBuffer().duplicate();
            bytes.limit(recordsOffset[i] + recordsLength[i]).position(recordsOffset[i]);
            final PartitionLog.AppendStatus status = owner.append(log, batch, bytes);
            switch (status)
            {
                case APPENDED, DUPLICATE -> baseOffset[i] = log.lastBaseOffset();
                case OUT_OF_ORDER_SEQUENCE -> errorCode[i] = Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code();
                case INVALID_PRODUCER_EPOCH -> errorCode[i] = Errors.INVALID_PRODUCER_EPOCH.code();
            }
            logStartOffset[i] = log.logStartOffset();
        }
        final Reactor here = services.reactor(owner.id());
        owner.whenDurable(() -> here.reply(origin, this::partitionDone));
    }

    /** Runs on the origin shard. */
    private void partitionDone()
    {
        if (--pending > 0)
        {
            return;
        }
        if (acks == 0)
        {
            final boolean failed = hasErrors();
            context.finishWithoutResponse();
            if (failed)
            {
                // acks=0 has no response to carry the error: Kafka closes the connection so the client notices.
                context.connection().close("produce with acks=0 failed on at least one partition");
            }
            return;
        }
        respond();
    }

    private boolean hasErrors()
    {
        for (final short error : errorCode)
        {
            if (error != Errors.NONE.code())
            {
                return true;
            }
        }
        return false;
    }

    private void respond()
    {
        int capacity = ProduceResponseEncoder.MAX_FIXED_BYTES + partitions.length * ProduceResponseEncoder.MAX_PARTITION_BYTES;
        for (final String name : topicNames)
        {
            capacity += 16 + 5 + 1 + (name == null ? 0 : name.length() * 3);
        }
        final UnsafeBuffer buffer = origin.framePool().acquire(capacity);
        final ProduceResponseEncoder encoder = new ProduceResponseEncoder()
            .begin(buffer, 0, context.correlationId(), context.apiVersion(), topicNames.length);
        int i = 0;
        for (int t = 0; t < topicNames.length; t++)
        {
            final Uuid id = topicIds[t];
            encoder.topic(topicNames[t], id == null ? 0 : id.getMostSignificantBits(), id == null ? 0 : id.getLeastSignificantBits(), topicPartitions[t]);
            for (int p = 0; p < topicPartitions[t]; p++, i++)
            {
                encoder.partition(partitionIndex[i], errorCode[i], baseOffset[i], -1L, logStartOffset[i]);
            }
            encoder.endTopic();
        }
        final int end = encoder.finish(0);
        final ByteBuffer bytes = buffer.byteBuffer();
        bytes.limit(end).position(0);
        context.respond(ResponseSend.of(bytes).onComplete(() -> origin.framePool().release(buffer)));
    }

}
