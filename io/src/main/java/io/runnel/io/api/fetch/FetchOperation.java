package io.runnel.io.api.fetch;

import java.io.UncheckedIOException;
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
import io.runnel.kernel.log.PartitionState;
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
 *
 * <p>Fetch sessions (KIP-227) follow Kafka's {@code FetchManager}: epoch 0 is a full fetch that
 * opens a session (if the shard's cache has room), -1 a full fetch without one (closing the one
 * named), any other epoch an incremental fetch of the named session, which must be the next
 * epoch. An incremental fetch reads every partition of the session and answers only those with
 * records, a changed high watermark or log start offset, or an error. The session is read and
 * changed on the origin shard only, before the reads go out and after they come back.
 */
final class FetchOperation implements ParkedOperation
{
    private static final int INVALID_SESSION_ID = FetchSessionCache.INVALID_SESSION_ID;
    private static final int FINAL_EPOCH = -1;
    private static final int INITIAL_EPOCH = 0;
    private static final byte READ_COMMITTED = 1;
    private static final int FIRST_TOPIC_ID_VERSION = 13;

    private final RequestContext context;
    private final ApiShard origin;
    private final BrokerServices services;
    private final FetchSessionCache sessions;
    private final ShardCommand readDone = new ReadDone();
    private final FetchRequestData request;
    private final List<PartitionEntry> partitions = new ArrayList<>();
    private boolean byId;
    private boolean readCommitted;
    /** The session this fetch belongs to: the one named (incremental), or the one opened when answering (full, epoch 0). */
    private FetchSession session;
    private boolean opensSession;
    private long deadlineMs;
    private int pending;
    private boolean finalRead;

    /** One partition of the fetch; also the command that reads it on its owning shard. */
    private final class PartitionEntry implements ShardCommand
    {
        String topicName;
        Uuid topicId;
        int index;
        Partition partition;
        long fetchOffset;
        /** As asked; the read itself always asks at least one byte, so that the first batch comes whole (KIP-74). */
        int maxBytes;
        int requestedMaxBytes;
        short errorCode;
        long highWatermark = -1;
        long logStartOffset = -1;
        FetchSession.CachedPartition cached;
        boolean included;
        final FileRegion region = new FileRegion();

        @Override
        public void execute(final Shard owner)
        {
            read(owner, this);
        }

        @Override
        public void onFailure(final Shard owner, final Throwable cause)
        {
            errorCode = cause instanceof UncheckedIOException ? Errors.KAFKA_STORAGE_ERROR.code() : Errors.UNKNOWN_SERVER_ERROR.code();
            region.clear();
            owner.proxyTo(origin.id()).send(readDone);
        }

        boolean sameTopic(final PartitionEntry other)
        {
            return byId ? topicId.equals(other.topicId) : topicName.equals(other.topicName);
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

    FetchOperation(final RequestContext context, final ApiShard origin, final BrokerServices services, final FetchSessionCache sessions,
        final FetchRequestData request)
    {
        this.context = context;
        this.origin = origin;
        this.services = services;
        this.sessions = sessions;
        this.request = request;
    }

    void start(final long nowMs)
    {
        deadlineMs = nowMs + Math.max(0, request.maxWaitMs());
        byId = context.apiVersion() >= FIRST_TOPIC_ID_VERSION;
        readCommitted = request.isolationLevel() == READ_COMMITTED;
        final int sessionId = request.sessionId();
        final int epoch = request.sessionEpoch();
        if (epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH)
        {
            // A full fetch closes any session it names.
            final FetchSession named = sessionId == INVALID_SESSION_ID ? null : sessions.get(sessionId);
            if (named != null)
            {
                sessions.remove(named);
            }
            opensSession = epoch == INITIAL_EPOCH;
            addRequestPartitions();
        }
        else
        {
            final short error = openIncremental(sessionId, epoch, nowMs);
            if (error != Errors.NONE.code())
            {
                respond(error);
                return;
            }
        }
        dispatchReads();
    }

    /** Checks the named session, applies the request to it and lists its partitions; returns the session error, if any. */
    private short openIncremental(final int sessionId, final int epoch, final long nowMs)
    {
        final FetchSession named = sessions.get(sessionId);
        if (named == null)
        {
            return Errors.FETCH_SESSION_ID_NOT_FOUND.code();
        }
        if (named.epoch != epoch)
        {
            return Errors.INVALID_FETCH_SESSION_EPOCH.code();
        }
        if (named.usesTopicIds != byId)
        {
            return Errors.FETCH_SESSION_TOPIC_ID_ERROR.code();
        }
        named.update(request);
        if (named.size() == 0)
        {
            // Everything forgotten: Kafka closes the session and answers without one.
            sessions.remove(named);
            addRequestPartitions();
            return Errors.NONE.code();
        }
        sessions.touch(named, nowMs);
        named.epoch = FetchSession.nextEpoch(named.epoch);
        session = named;
        Resolver resolver = null;
        for (final FetchSession.CachedPartition cached : named.partitions.values())
        {
            resolver = resolve(resolver, cached.topicName, cached.topicId);
            final PartitionEntry entry = add(resolver, cached.topicName, cached.topicId, cached.partition, cached.fetchOffset, cached.maxBytes);
            entry.cached = cached;
        }
        return Errors.NONE.code();
    }

    private void addRequestPartitions()
    {
        Resolver resolver = null;
        for (final FetchRequestData.FetchTopic fetchTopic : request.topics())
        {
            resolver = resolve(resolver, fetchTopic.topic(), fetchTopic.topicId());
            for (final FetchRequestData.FetchPartition fetchPartition : fetchTopic.partitions())
            {
                add(resolver, fetchTopic.topic(), fetchTopic.topicId(), fetchPartition.partition(), fetchPartition.fetchOffset(),
                    fetchPartition.partitionMaxBytes());
            }
        }
    }

    /** The topic of the partitions being added, looked up once per run of partitions of the same topic. */
    private record Resolver(String name, Uuid id, Topic topic)
    {
    }

    private Resolver resolve(final Resolver previous, final String name, final Uuid id)
    {
        if (previous != null && (byId ? previous.id.equals(id) : previous.name.equals(name)))
        {
            return previous;
        }
        final var registry = services.logManager().registry().snapshot();
        return new Resolver(name, id, byId ? registry.topic(id) : registry.topic(name));
    }

    private PartitionEntry add(final Resolver resolver, final String name, final Uuid id, final int index, final long fetchOffset,
        final int maxBytes)
    {
        final PartitionEntry entry = new PartitionEntry();
        entry.topicName = name;
        entry.topicId = id == null ? Uuid.ZERO_UUID : id;
        entry.index = index;
        entry.fetchOffset = fetchOffset;
        entry.requestedMaxBytes = maxBytes;
        entry.maxBytes = Math.max(0, Math.min(maxBytes, request.maxBytes()));
        entry.partition = resolver.topic == null ? null : resolver.topic.partition(index);
        if (resolver.topic == null)
        {
            entry.errorCode = byId ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
        }
        else if (entry.partition == null)
        {
            entry.errorCode = Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
        }
        else if (!entry.partition.leadership().isLedBy(services.cluster().localNodeId()))
        {
            // Consumers fetch from leaders (follower fetching, KIP-392, is not offered).
            entry.errorCode = Errors.NOT_LEADER_OR_FOLLOWER.code();
        }
        partitions.add(entry);
        return entry;
    }

    private void dispatchReads()
    {
        pending = 1;
        for (final PartitionEntry entry : partitions)
        {
            // Unknown or not led here: answered with the error set when it was added.
            if (entry.partition != null && entry.errorCode == Errors.NONE.code() && !nothingNew(entry))
            {
                pending++;
                origin.send(entry.partition.shard(), entry);
            }
        }
        readDone();
    }

    /**
     * An incremental fetch need not read a session partition the client has read to its end when
     * the owner's published high watermark and log start offset are still what the client was told:
     * the read would find nothing and the answer would leave the partition out. This is what makes
     * a session of many idle partitions cheap: no command to the owner for each of them.
     */
    private boolean nothingNew(final PartitionEntry entry)
    {
        final FetchSession.CachedPartition cached = entry.cached;
        if (cached == null || opensSession || cached.highWatermark < 0 || entry.fetchOffset != cached.highWatermark)
        {
            return false;
        }
        final PartitionState state = entry.partition.state();
        // An offline partition is read, so that its owner answers KAFKA_STORAGE_ERROR instead of "nothing new".
        if (state.highWatermark() != cached.highWatermark || state.logStartOffset() != cached.logStartOffset || state.isOffline())
        {
            return false;
        }
        entry.errorCode = Errors.NONE.code();
        entry.highWatermark = cached.highWatermark;
        entry.logStartOffset = cached.logStartOffset;
        entry.region.clear();
        return true;
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
            final PartitionLog.ReadStatus status = log.read(entry.fetchOffset, Math.max(1, entry.maxBytes), entry.region);
            entry.errorCode = switch (status)
            {
                case OK -> Errors.NONE.code();
                case OFFSET_OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE.code();
                case STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR.code();
            };
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
        // Asked of every parked fetch in every duty cycle: an indexed loop, so no iterator is allocated.
        for (int i = 0, n = partitions.size(); i < n; i++)
        {
            final PartitionEntry entry = partitions.get(i);
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
        final boolean ok = topLevelError == Errors.NONE.code();
        int sessionId = INVALID_SESSION_ID;
        if (ok)
        {
            trimToMaxBytes();
            sessionId = updateSession();
        }
        int capacity = FetchResponseEncoder.MAX_FIXED_BYTES;
        int topicCount = 0;
        PartitionEntry previous = null;
        for (final PartitionEntry entry : partitions)
        {
            if (!entry.included)
            {
                continue;
            }
            capacity += FetchResponseEncoder.MAX_PARTITION_BYTES;
            if (previous == null || !entry.sameTopic(previous))
            {
                topicCount++;
                capacity += FetchResponseEncoder.MAX_TOPIC_BYTES + (entry.topicName == null ? 0 : entry.topicName.length() * 3);
            }
            previous = entry;
        }
        final UnsafeBuffer buffer = origin.reactor().framePool().acquire(capacity);
        final FetchResponseEncoder encoder = new FetchResponseEncoder().begin(buffer, 0, context.correlationId(),
            context.apiVersion(), topLevelError, sessionId, topicCount);
        final List<FileRegion> spliced = new ArrayList<>();
        final int count = partitions.size();
        for (int i = 0; i < count; i++)
        {
            final PartitionEntry first = partitions.get(i);
            if (!first.included)
            {
                continue;
            }
            // A topic is a run of included partitions of the same topic, in session (or request) order.
            int runLength = 1;
            int end = i + 1;
            for (; end < count && (!partitions.get(end).included || partitions.get(end).sameTopic(first)); end++)
            {
                runLength += partitions.get(end).included ? 1 : 0;
            }
            encoder.topic(first.topicName, first.topicId.getMostSignificantBits(), first.topicId.getLeastSignificantBits(), runLength);
            for (int j = i; j < end; j++)
            {
                final PartitionEntry entry = partitions.get(j);
                if (!entry.included)
                {
                    continue;
                }
                final boolean failed = entry.errorCode != Errors.NONE.code();
                encoder.partition(entry.index, entry.errorCode, entry.highWatermark, entry.highWatermark,
                    entry.logStartOffset, readCommitted && !failed, entry.region.length());
                if (entry.region.length() > 0)
                {
                    spliced.add(entry.region);
                }
            }
            encoder.endTopic();
            i = end - 1;
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

    /**
     * Marks the partitions to answer and records in the session what the client is told: a full
     * fetch answers all and may open a session; an incremental one answers what changed.
     *
     * @return the session id to answer with
     */
    private int updateSession()
    {
        if (opensSession)
        {
            session = sessions.maybeCreate(origin.nowMs(), byId, partitions.size());
            if (session != null)
            {
                for (final PartitionEntry entry : partitions)
                {
                    entry.cached = new FetchSession.CachedPartition(entry.topicName, entry.topicId, entry.index);
                    entry.cached.fetchOffset = entry.fetchOffset;
                    entry.cached.maxBytes = entry.requestedMaxBytes;
                    session.partitions.put(new FetchSession.Key(byId ? entry.topicId : entry.topicName, entry.index), entry.cached);
                }
                sessions.touch(session, origin.nowMs());
            }
        }
        final boolean incremental = session != null && !opensSession;
        for (final PartitionEntry entry : partitions)
        {
            final FetchSession.CachedPartition cached = entry.cached;
            final boolean failed = entry.errorCode != Errors.NONE.code();
            entry.included = !incremental || failed || entry.region.length() > 0
                || cached.highWatermark != entry.highWatermark || cached.logStartOffset != entry.logStartOffset;
            if (cached != null)
            {
                cached.highWatermark = failed ? -1 : entry.highWatermark;
                cached.logStartOffset = entry.logStartOffset;
                if (incremental && entry.region.length() > 0)
                {
                    session.moveToEnd(cached);
                }
            }
        }
        return session == null ? INVALID_SESSION_ID : session.id;
    }

    /**
     * Applies the response-wide max_bytes in request order. The first partition with records keeps
     * its first batch whole however small the limits (KIP-74: a consumer always makes progress);
     * later ones get at most their own partition_max_bytes and what remains of the response's, and
     * none at all if that would cut their first batch: a partition's records that hold no whole
     * batch make the Java consumer fail ("no complete records were found"), so Kafka sends none.
     */
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
            final int allowed = (int)Math.max(0, Math.min(Math.min(length, entry.maxBytes), budget));
            entry.region.shortenTo(allowed < entry.region.firstBatchLength() ? 0 : allowed);
            budget -= entry.region.length();
        }
    }
}
