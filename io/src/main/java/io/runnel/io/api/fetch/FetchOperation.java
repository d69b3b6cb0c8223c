package io.runnel.io.api.fetch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.protocol.FetchResponseEncoder;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.ParkedOperation;
import io.runnel.io.api.RequestContext;
import io.runnel.io.net.ResponseSend;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One fetch in flight. Reads are resolved by each partition's owning shard into file regions;
 * the origin shard gathers them, trims to the response's {@code max_bytes}, and either answers
 * or, when fewer than {@code min_bytes} are available and {@code max_wait_ms} has not passed,
 * parks until a partition's high watermark moves past its fetch offset (checked every duty
 * cycle, a volatile read per partition) or the deadline comes. A read that fails on its owner
 * answers its partition with an error code; the rest of the response is unaffected.
 */
final class FetchOperation implements ParkedOperation
{
    private static final int INVALID_SESSION_ID = 0;
    private static final int FINAL_EPOCH = -1;
    private static final int INITIAL_EPOCH = 0;

    private final RequestContext context;
    private final ApiShard origin;
    private final BrokerServices services;
    private final ShardCommand readDone = new ReadDone();
    private final FetchRequestData request;
    private final List<TopicEntry> topics = new ArrayList<>();
    private final List<PartitionEntry> partitions = new ArrayList<>();
    private long deadlineMs;
    private int pending;
    private boolean finalRead;

    private static final class TopicEntry
    {
        String name;
        Uuid id;
        final List<PartitionEntry> partitions = new ArrayList<>();
    }

    /** One partition of the fetch; also the command that reads it on its owning shard. */
    private final class PartitionEntry implements ShardCommand
    {
        int index;
        Partition partition;
        long fetchOffset;
        int maxBytes;
        short errorCode;
        long highWatermark = -1;
        long logStartOffset = -1;
        final FileRegion region = new FileRegion();

        @Override
        public void execute(final Shard owner)
        {
            read(owner, this);
        }

        @Override
        public void onFailure(final Shard owner, final Throwable cause)
        {
            errorCode = Errors.UNKNOWN_SERVER_ERROR.code();
            region.set(null, 0, 0);
            owner.proxyTo(origin.id()).send(readDone);
        }
    }

    /** An owner's report, arriving on the origin shard. */
    private final class ReadDone implements ShardCommand
    {
        @Override
        public void execute(final Shard shard)
        {
            readDone();
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            context.fail(cause);
        }
    }

    FetchOperation(final RequestContext context, final ApiShard origin, final BrokerServices services, final FetchRequestData request)
    {
        this.context = context;
        this.origin = origin;
        this.services = services;
        this.request = request;
    }

    void start(final long nowMs)
    {
        deadlineMs = nowMs + Math.max(0, request.maxWaitMs());
        final boolean byId = context.apiVersion() >= 13;
        final var registry = services.logManager().registry().snapshot();
        for (final FetchRequestData.FetchTopic fetchTopic : request.topics())
        {
            final TopicEntry topicEntry = new TopicEntry();
            topicEntry.name = fetchTopic.topic();
            topicEntry.id = fetchTopic.topicId();
            final Topic topic = byId ? registry.topic(fetchTopic.topicId()) : registry.topic(fetchTopic.topic());
            for (final FetchRequestData.FetchPartition fetchPartition : fetchTopic.partitions())
            {
                final PartitionEntry entry = new PartitionEntry();
                entry.index = fetchPartition.partition();
                entry.fetchOffset = fetchPartition.fetchOffset();
                entry.maxBytes = Math.max(0, Math.min(fetchPartition.partitionMaxBytes(), request.maxBytes()));
                entry.partition = topic == null ? null : topic.partition(entry.index);
                if (topic == null)
                {
                    entry.errorCode = byId ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
                }
                else if (entry.partition == null)
                {
                    entry.errorCode = Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
                }
                topicEntry.partitions.add(entry);
                partitions.add(entry);
            }
            topics.add(topicEntry);
        }
        final short sessionError = sessionError();
        if (sessionError != Errors.NONE.code())
        {
            respond(sessionError);
            return;
        }
        dispatchReads();
    }

    /** Sessions are declined: a request that names one we never created is told it does not exist. */
    private short sessionError()
    {
        if (request.sessionId() != INVALID_SESSION_ID)
        {
            return Errors.FETCH_SESSION_ID_NOT_FOUND.code();
        }
        if (request.sessionEpoch() != FINAL_EPOCH && request.sessionEpoch() != INITIAL_EPOCH)
        {
            return Errors.INVALID_FETCH_SESSION_EPOCH.code();
        }
        return Errors.NONE.code();
    }

    private void dispatchReads()
    {
        pending = 1;
        for (final PartitionEntry entry : partitions)
        {
            if (entry.partition != null)
            {
                pending++;
                origin.send(entry.partition.shard(), entry);
            }
        }
        readDone();
    }

    /** Runs on the owning shard. */
    private void read(final Shard owner, final PartitionEntry entry)
    {
        final PartitionLog log = entry.partition.log();
        if (log == null)
        {
            entry.errorCode = Errors.NOT_LEADER_OR_FOLLOWER.code();
        }
        else
        {
            final PartitionLog.ReadStatus status = log.read(entry.fetchOffset, entry.maxBytes, entry.region);
            entry.errorCode = status == PartitionLog.ReadStatus.OK ? Errors.NONE.code() : Errors.OFFSET_OUT_OF_RANGE.code();
            entry.highWatermark = log.highWatermark();
            entry.logStartOffset = log.logStartOffset();
        }
        owner.proxyTo(origin.id()).send(readDone);
    }

    /** Runs on the origin shard. */
    private void readDone()
    {
        if (--pending > 0)
        {
            return;
        }
        long available = 0;
        boolean anyError = false;
        for (final PartitionEntry entry : partitions)
        {
            available += entry.region.length();
            anyError |= entry.errorCode != Errors.NONE.code();
        }
        final long now = origin.nowMs();
        if (!finalRead && !anyError && available < request.minBytes() && now < deadlineMs && !context.connection().isClosed())
        {
            origin.parked().park(this, deadlineMs);
            return;
        }
        respond(Errors.NONE.code());
    }

    @Override
    public boolean isReady()
    {
        if (context.connection().isClosed())
        {
            return true;
        }
        for (final PartitionEntry entry : partitions)
        {
            if (entry.partition != null && entry.partition.state().highWatermark() > entry.highWatermark)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void resume(final long nowMs)
    {
        finalRead = nowMs >= deadlineMs;
        if (context.connection().isClosed())
        {
            context.finishWithoutResponse();
            return;
        }
        try
        {
            dispatchReads();
        }
        catch (final RuntimeException ex)
        {
            context.fail(ex);
        }
    }

    private void respond(final short topLevelError)
    {
        trimToMaxBytes();
        int capacity = FetchResponseEncoder.MAX_FIXED_BYTES + partitions.size() * FetchResponseEncoder.MAX_PARTITION_BYTES;
        for (final TopicEntry topic : topics)
        {
            capacity += FetchResponseEncoder.MAX_TOPIC_BYTES + (topic.name == null ? 0 : topic.name.length() * 3);
        }
        final UnsafeBuffer buffer = origin.reactor().framePool().acquire(capacity);
        final FetchResponseEncoder encoder = new FetchResponseEncoder().begin(buffer, 0, context.correlationId(),
            context.apiVersion(), topLevelError, INVALID_SESSION_ID, topLevelError == Errors.NONE.code() ? topics.size() : 0);
        final List<FileRegion> spliced = new ArrayList<>();
        if (topLevelError == Errors.NONE.code())
        {
            for (final TopicEntry topic : topics)
            {
                final Uuid id = topic.id == null ? Uuid.ZERO_UUID : topic.id;
                encoder.topic(topic.name, id.getMostSignificantBits(), id.getLeastSignificantBits(), topic.partitions.size());
                for (final PartitionEntry entry : topic.partitions)
                {
                    encoder.partition(entry.index, entry.errorCode, entry.highWatermark, entry.highWatermark,
                        entry.logStartOffset, entry.region.length());
                    if (entry.region.length() > 0)
                    {
                        spliced.add(entry.region);
                    }
                }
                encoder.endTopic();
            }
        }
        final int end = encoder.finish();
        final ByteBuffer bytes = buffer.byteBuffer();
        final ResponseSend send = origin.reactor().responseSends().acquire();
        int from = 0;
        for (int i = 0; i < encoder.spliceCount(); i++)
        {
            final int at = encoder.splicePosition(i);
            send.add(bytes.duplicate().limit(at).position(from));
            final FileRegion region = spliced.get(i);
            send.add(region.channel(), region.position(), region.length());
            from = at;
        }
        send.add(bytes.duplicate().limit(end).position(from));
        send.releasing(origin.reactor().framePool(), buffer);
        context.respond(send);
    }

    /** Applies the response-wide max_bytes in request order, always keeping the first non-empty partition whole. */
    private void trimToMaxBytes()
    {
        long budget = request.maxBytes();
        boolean first = true;
        for (final PartitionEntry entry : partitions)
        {
            final int length = entry.region.length();
            if (length == 0)
            {
                continue;
            }
            if (first)
            {
                first = false;
                budget -= length;
                continue;
            }
            final int allowed = (int)Math.max(0, Math.min(length, budget));
            entry.region.set(allowed == 0 ? null : entry.region.channel(), entry.region.position(), allowed);
            budget -= allowed;
        }
    }
}
