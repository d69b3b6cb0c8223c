package io.runnel.cluster.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.runnel.codecs.batch.RecordBatch;
import io.runnel.codecs.replication.EpochEndDecoder;
import io.runnel.codecs.replication.EpochEndEncoder;
import io.runnel.codecs.replication.FetchPositionDecoder;
import io.runnel.codecs.replication.FetchPositionEncoder;
import io.runnel.codecs.replication.MessageHeaderDecoder;
import io.runnel.codecs.replication.MessageHeaderEncoder;
import io.runnel.codecs.replication.RecordsDecoder;
import io.runnel.codecs.replication.RecordsEncoder;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.LeaderEpochCache;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.ThrottledReplicas;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardDuty;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's share of replication, in its duty cycle: it leads and follows the replicated
 * partitions (more than one replica) the shard owns, on the shard's thread, so the logs are
 * touched by their owner only.
 *
 * <p>As a follower it tells the leader where its log ends ({@code FetchPosition}), appends the
 * batches the leader answers with ({@code Records}) exactly as the leader stored them, and asks
 * again. As a leader it answers each follower from that follower's position, reading its own log
 * from disk for a follower far behind and at once for one that is caught up (its fetch waits,
 * parked, until the log grows), and moves the high watermark to the smallest durable position of
 * the in-sync replicas. A follower whose last epoch ends earlier in the leader's log (it had
 * appended what a later leader never saw) is told where ({@code EpochEnd}), truncates, and asks again.
 * Replicas out of the ISR that their topic names as throttled (KIP-73, what a reassignment with
 * {@code --throttle} sets) are served, and fetch, at the broker's throttled rates.
 */
public final class ReplicaDuty implements ShardDuty
{
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaDuty.class);
    /**
     * How long a caught-up follower's parked fetch waits before an answer without batches tells it a
     * newer log start or high watermark (Kafka's follower fetch waits up to replica.fetch.wait.max.ms,
     * 500 ms, and its answer carries both): once per parked fetch, so an idle partition costs nothing.
     */
    private static final long STATE_PUSH_DELAY_MS = 100;
    /** How often owned partitions are looked over for leadership changes the conductor swapped in. */
    private static final long RESCAN_INTERVAL_MS = 10;
    private static final int FRAGMENT_LIMIT = 64;
    private static final String CONTROL_TERM_LENGTH = "64k";

    private final Shard shard;
    private final TopicRegistry registry;
    private final ReplicationSettings settings;
    private final Aeron aeron;
    private final Subscription subscription;
    private final IntFunction<String> endpointOf;
    private final IsrChanges isrChanges;
    /** Retires the segments below a log start that followed the leader's. */
    private final io.runnel.kernel.conductor.Conductor conductor;
    private final FragmentHandler assembler = new FragmentAssembler(this::onMessage);

    private final Map<Partition, Led> led = new HashMap<>();
    private final Map<Partition, Followed> followed = new HashMap<>();
    /** The values of {@link #led} and {@link #followed}, refreshed when they change: iterated every cycle without allocating. */
    private final List<Led> ledList = new ArrayList<>();
    private final List<Followed> followedList = new ArrayList<>();
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private long nextRescanMs;
    private long nextErrorLogMs;
    /** This duty cycle's time, for the message handlers. */
    private long nowMs;
    /** A failed ISR change is asked again after this long. */
    private static final long ISR_RETRY_MS = 1_000;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final FetchPositionDecoder fetchDecoder = new FetchPositionDecoder();
    private final FetchPositionEncoder fetchEncoder = new FetchPositionEncoder();
    private final RecordsDecoder recordsDecoder = new RecordsDecoder();
    private final RecordsEncoder recordsEncoder = new RecordsEncoder();
    private final EpochEndDecoder epochEndDecoder = new EpochEndDecoder();
    private final EpochEndEncoder epochEndEncoder = new EpochEndEncoder();
    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final ByteBuffer appendBuffer;
    private final UnsafeBuffer appendView;
    private final RecordBatch batch = new RecordBatch();
    private final FileRegion region = new FileRegion();
    private final long[] epochEnd = new long[2];

    ReplicaDuty(final Shard shard, final TopicRegistry registry, final io.runnel.kernel.conductor.Conductor conductor,
        final ReplicationSettings settings, final Aeron aeron, final Subscription subscription, final IntFunction<String> endpointOf,
        final IsrChanges isrChanges)
    {
        this.isrChanges = isrChanges;
        this.conductor = conductor;
        this.shard = shard;
        this.registry = registry;
        this.settings = settings;
        this.aeron = aeron;
        this.subscription = subscription;
        this.endpointOf = endpointOf;
        final int capacity = settings.maxRecordsBytes() + 4096;
        this.sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        this.appendBuffer = ByteBuffer.allocateDirect(capacity);
        this.appendView = new UnsafeBuffer(appendBuffer);
    }

    /** A follower of a partition led here, as the leader sees it. */
    private static final class FollowerPosition
    {
        final int nodeId;
        /** Where the follower's log ends: the next answer starts here. -1 until it first asks. */
        long fetchOffset = -1;
        /** End of what is durable on the follower: what it counts for the high watermark. */
        long durableOffset = -1;
        /** Its fetch waits for the log to grow past fetchOffset. */
        boolean parked;
        /** When its log last reached the leader's end (Kafka's lastCaughtUpTime): too long ago, it leaves the ISR. */
        long lastCaughtUpMs;
        long lastFetchMs;
        /** The leader's log end at the follower's previous fetch. */
        long leoAtLastFetch = Long.MAX_VALUE;
        /** The log start offset and high watermark the last answer told it: newer ones are sent even with no batches. */
        long logStartSent = -1;
        long highWatermarkSent = -1;

        FollowerPosition(final int nodeId, final long nowMs)
        {
            this.nodeId = nodeId;
            this.lastCaughtUpMs = nowMs;
        }
    }

    private static final class Led
    {
        final Partition partition;
        final Leadership leadership;
        final List<FollowerPosition> followers = new ArrayList<>();
        /** The log end when this leadership began: a follower joins the ISR only once it holds that much. */
        final long epochStartOffset;
        long lastFlushed = -1;
        /** Kept across the leaderships of one epoch, so an ISR change in flight is not asked for twice. */
        final IsrProposal isrProposal;

        Led(final Partition partition, final Leadership leadership, final int localNodeId, final long nowMs, final Led previous)
        {
            this.partition = partition;
            this.leadership = leadership;
            // The same leadership with another ISR keeps what it knows of its followers.
            this.epochStartOffset = previous != null ? previous.epochStartOffset : partition.log().logEndOffset();
            this.isrProposal = previous != null ? previous.isrProposal : new IsrProposal();
            for (final int replica : leadership.replicas())
            {
                if (replica != localNodeId)
                {
                    FollowerPosition known = null;
                    if (previous != null)
                    {
                        for (final FollowerPosition candidate : previous.followers)
                        {
                            known = candidate.nodeId == replica ? candidate : known;
                        }
                    }
                    followers.add(known != null ? known : new FollowerPosition(replica, nowMs));
                }
            }
        }
    }

    /** A leader's AlterPartition: out or not (set on the shard, cleared on the quorum member's thread), and when to ask again. */
    private static final class IsrProposal
    {
        volatile boolean pending;
        volatile long retryAtMs;
    }

    private static final class Followed
    {
        final Partition partition;
        final Leadership leadership;
        /** A FetchPosition is out and not answered yet. */
        boolean awaiting;
        long sentMs;

        Followed(final Partition partition, final Leadership leadership)
        {
            this.partition = partition;
            this.leadership = leadership;
        }
    }

    /** Another broker, reached through this shard's own publication to its replication stream. */
    private final class Peer
    {
        final int nodeId;
        String endpoint;
        long registrationId = Aeron.NULL_VALUE;
        ExclusivePublication publication;

        Peer(final int nodeId)
        {
            this.nodeId = nodeId;
        }

        /** The publication, once the driver has it; null until then (or while the peer's endpoint is unknown). */
        ExclusivePublication publication()
        {
            final String current = endpointOf.apply(nodeId);
            if (current == null)
            {
                return null;
            }
            if (!current.equals(endpoint))
            {
                // A restarted peer may listen elsewhere: start over on its new endpoint.
                CloseHelper.quietClose(publication);
                publication = null;
                endpoint = current;
                registrationId = aeron.asyncAddExclusivePublication(ReplicationNetwork.publicationChannel(current, settings.termLength()),
                    ReplicationNetwork.STREAM_ID);
            }
            if (publication == null && registrationId != Aeron.NULL_VALUE)
            {
                publication = aeron.getExclusivePublication(registrationId);
            }
            return publication;
        }
    }

    @Override
    public int doWork(final long nowMs)
    {
        this.nowMs = nowMs;
        if (aeron.isClosed())
        {
            // The media driver went first (the quorum member stops before the shards): nothing to replicate with.
            return 0;
        }
        int work = 0;
        try
        {
            if (nowMs >= nextRescanMs)
            {
                nextRescanMs = nowMs + RESCAN_INTERVAL_MS;
                work += rescan();
            }
            work += subscription.poll(assembler, FRAGMENT_LIMIT);
            for (int i = 0, n = ledList.size(); i < n; i++)
            {
                work += lead(ledList.get(i));
            }
            for (int i = 0, n = followedList.size(); i < n; i++)
            {
                work += follow(followedList.get(i), nowMs);
            }
        }
        catch (final RuntimeException ex)
        {
            // The shard's other work (requests, group commit) must go on; replication tries again next cycle.
            if (nowMs >= nextErrorLogMs)
            {
                // At most one line a second, however often it fails.
                nextErrorLogMs = nowMs + ISR_RETRY_MS;
                LOG.error("shard {}: replication failed this cycle", shard.id(), ex);
            }
        }
        return work;
    }

    /** Whether this shard leads or follows a replicated partition now (its thread's call: the idle strategy's). */
    public boolean replicatesAny()
    {
        return !ledList.isEmpty() || !followedList.isEmpty();
    }

    /** Takes up the leaderships and followerships the metadata gave this shard's partitions, and drops the ones it took away. */
    private int rescan()
    {
        int changes = 0;
        final int self = settings.localNodeId();
        final List<Partition> owned = shard.ownedPartitions();
        for (int i = 0, n = owned.size(); i < n; i++)
        {
            final Partition partition = owned.get(i);
            final Leadership leadership = partition.leadership();
            if (partition.log() == null || leadership.replicas().size() < 2)
            {
                continue;
            }
            if (leadership.isLedBy(self))
            {
                final Led current = led.get(partition);
                if (current == null || current.leadership != leadership)
                {
                    followed.remove(partition);
                    final boolean sameEpoch = current != null && current.leadership.leaderEpoch() == leadership.leaderEpoch();
                    final Led next = new Led(partition, leadership, self, nowMs, sameEpoch ? current : null);
                    led.put(partition, next);
                    if (sameEpoch)
                    {
                        LOG.info("{}: in-sync replicas now {} (were {})", partition, leadership.isr(), current.leadership.isr());
                        advanceHighWatermark(next);
                    }
                    else
                    {
                        // Until each in-sync follower has said where it is, the high watermark stays where it was.
                        partition.log().replicaHighWatermark(partition.log().highWatermark());
                        LOG.info("{}: leading at epoch {}, replicas {}, in sync {}", partition, leadership.leaderEpoch(),
                            leadership.replicas(), leadership.isr());
                    }
                    changes++;
                }
            }
            else if (leadership.hasReplicaOn(self))
            {
                final Followed current = followed.get(partition);
                if (current == null || current.leadership != leadership)
                {
                    led.remove(partition);
                    followed.put(partition, new Followed(partition, leadership));
                    if (leadership.leader() != Leadership.NO_LEADER
                        && (current == null || current.leadership.leaderEpoch() != leadership.leaderEpoch()))
                    {
                        LOG.info("{}: following {} at epoch {}", partition, leadership.leader(), leadership.leaderEpoch());
                    }
                    changes++;
                }
            }
        }
        changes += dropStale(led.keySet().iterator(), true);
        changes += dropStale(followed.keySet().iterator(), false);
        if (changes > 0)
        {
            ledList.clear();
            ledList.addAll(led.values());
            followedList.clear();
            followedList.addAll(followed.values());
        }
        return changes;
    }

    private int dropStale(final Iterator<Partition> partitions, final boolean leading)
    {
        int dropped = 0;
        while (partitions.hasNext())
        {
            final Partition partition = partitions.next();
            final Leadership leadership = partition.leadership();
            final boolean stillOurs = partition.log() != null && leadership.replicas().size() >= 2
                && (leading ? leadership.isLedBy(settings.localNodeId()) : !leadership.isLedBy(settings.localNodeId())
                && leadership.hasReplicaOn(settings.localNodeId()));
            if (!stillOurs)
            {
                partitions.remove();
                dropped++;
            }
        }
        return dropped;
    }

    // ---------------------------------------------------------------- leader

    private int lead(final Led partition)
    {
        int work = 0;
        final PartitionLog log = partition.partition.log();
        for (int i = 0, n = partition.followers.size(); i < n; i++)
        {
            final FollowerPosition follower = partition.followers.get(i);
            if (follower.parked && log.logEndOffset() > follower.fetchOffset)
            {
                work += sendRecords(partition, follower) ? 1 : 0;
            }
            else if (follower.parked && (log.logStartOffset() > follower.logStartSent || log.highWatermark() > follower.highWatermarkSent)
                && nowMs - follower.lastFetchMs >= STATE_PUSH_DELAY_MS && canSend(follower.nodeId))
            {
                // Nothing new to send, but the log start or the high watermark moved since the last answer: a follower
                // must delete what the leader deleted, and one that becomes leader starts nearer the true high watermark.
                work += sendEmptyRecords(partition, follower) ? 1 : 0;
            }
        }
        if (log.flushedOffset() != partition.lastFlushed)
        {
            partition.lastFlushed = log.flushedOffset();
            advanceHighWatermark(partition);
        }
        return work + maybeChangeIsr(partition);
    }

    /**
     * As Kafka's leader does: a follower that has not caught up with the log end for
     * replica.lag.time.max.ms leaves the ISR, and one out of it that holds the high watermark and
     * everything of this leadership's epoch comes back. One change at a time, through the quorum.
     */
    private int maybeChangeIsr(final Led partition)
    {
        final IsrProposal proposal = partition.isrProposal;
        if (proposal.pending || nowMs < proposal.retryAtMs)
        {
            return 0;
        }
        final List<Integer> isr = partition.leadership.isr();
        final List<Integer> next = new ArrayList<>(isr);
        final PartitionLog log = partition.partition.log();
        for (final FollowerPosition follower : partition.followers)
        {
            final boolean inSync = isr.contains(follower.nodeId);
            if (inSync && nowMs - follower.lastCaughtUpMs > settings.replicaLagTimeMaxMs())
            {
                next.remove(Integer.valueOf(follower.nodeId));
            }
            else if (!inSync && follower.fetchOffset >= Math.max(log.highWatermark(), partition.epochStartOffset)
                && nowMs - follower.lastCaughtUpMs <= settings.replicaLagTimeMaxMs())
            {
                next.add(follower.nodeId);
            }
        }
        if (next.equals(isr))
        {
            return 0;
        }
        proposal.pending = true;
        LOG.info("{}: asking the quorum to change the in-sync replicas from {} to {}", partition.partition, isr, next);
        isrChanges.propose(partition.partition.topic().id(), partition.partition.index(), partition.leadership.leaderEpoch(), isr,
            List.copyOf(next), error ->
            {
                if (error != org.apache.kafka.common.protocol.Errors.NONE)
                {
                    LOG.warn("{}: the ISR change to {} was refused: {}", partition.partition, next, error);
                    proposal.retryAtMs = System.currentTimeMillis() + ISR_RETRY_MS;
                }
                proposal.pending = false;
            });
        return 1;
    }

    /** The high watermark: the smallest durable end among the in-sync replicas, this one included. */
    private static void advanceHighWatermark(final Led partition)
    {
        final PartitionLog log = partition.partition.log();
        long bound = log.flushedOffset();
        for (int i = 0, n = partition.followers.size(); i < n; i++)
        {
            final FollowerPosition follower = partition.followers.get(i);
            if (partition.leadership.isr().contains(follower.nodeId))
            {
                bound = Math.min(bound, follower.durableOffset);
            }
        }
        if (bound >= 0)
        {
            log.replicaHighWatermark(bound);
        }
    }

    private void onFetchPosition(final Partition partition)
    {
        final Led state = led.get(partition);
        if (state == null || fetchDecoder.leaderEpoch() != state.leadership.leaderEpoch())
        {
            // Not led here at that epoch (yet, or any more): the follower asks again once the metadata agrees.
            return;
        }
        FollowerPosition follower = null;
        for (final FollowerPosition candidate : state.followers)
        {
            if (candidate.nodeId == fetchDecoder.followerId())
            {
                follower = candidate;
            }
        }
        if (follower == null)
        {
            return;
        }
        final PartitionLog log = partition.log();
        final long fetchOffset = fetchDecoder.fetchOffset();
        final int lastFetchedEpoch = fetchDecoder.lastFetchedEpoch();
        if (lastFetchedEpoch != LeaderEpochCache.UNDEFINED_EPOCH || fetchOffset > log.logEndOffset())
        {
            log.endOffsetForEpoch(lastFetchedEpoch, epochEnd);
            final boolean unknownEpoch = epochEnd[0] == LeaderEpochCache.UNDEFINED_EPOCH;
            if (unknownEpoch || epochEnd[0] != lastFetchedEpoch || epochEnd[1] < fetchOffset)
            {
                // The follower's tail is not this log's: it keeps what both logs hold.
                final long end = unknownEpoch ? Math.min(fetchOffset, log.logEndOffset()) : Math.min(fetchOffset, epochEnd[1]);
                sendEpochEnd(state, follower.nodeId, (int)epochEnd[0], end);
                return;
            }
        }
        final long leaderEnd = log.logEndOffset();
        if (fetchOffset >= leaderEnd)
        {
            follower.lastCaughtUpMs = nowMs;
        }
        else if (fetchOffset >= follower.leoAtLastFetch)
        {
            // It holds what the leader had at its previous fetch: it was caught up then.
            follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, follower.lastFetchMs);
        }
        follower.leoAtLastFetch = leaderEnd;
        follower.lastFetchMs = nowMs;
        follower.fetchOffset = fetchOffset;
        follower.durableOffset = Math.min(fetchDecoder.durableOffset(), fetchOffset);
        advanceHighWatermark(state);
        if (fetchOffset < log.logEndOffset())
        {
            sendRecords(state, follower);
        }
        else
        {
            follower.parked = true;
        }
    }

    /** Answers a follower's fetch with the batches from its position; false (still parked) if the message could not go out. */
    private boolean sendRecords(final Led state, final FollowerPosition follower)
    {
        final PartitionLog log = state.partition.log();
        if (!canSend(follower.nodeId))
        {
            // Still parked: answered once the follower's stream has room again.
            follower.parked = true;
            return false;
        }
        final boolean throttled = leaderThrottled(state, follower.nodeId);
        if (throttled && !settings.leaderThrottle().allows(nowMs))
        {
            // Still parked: answered once the broker's leader.replication.throttled.rate allows another message.
            follower.parked = true;
            return false;
        }
        final PartitionLog.ReadStatus status = log.readForReplica(follower.fetchOffset, settings.maxRecordsBytes(), region);
        if (status != PartitionLog.ReadStatus.OK || region.length() == 0)
        {
            if (status == PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE && follower.fetchOffset < log.logStartOffset())
            {
                // Behind this log's start: an answer with no batches tells it where the log starts now.
                LOG.info("{}: follower {} is at offset {}, below the log start {}; it starts again there", state.partition,
                    follower.nodeId, follower.fetchOffset, log.logStartOffset());
                return sendEmptyRecords(state, follower);
            }
            follower.parked = false;
            return false;
        }
        final int length = Math.min(region.length(), sendBuffer.capacity() - 1024);
        if (length < region.firstBatchLength())
        {
            LOG.error("{}: a batch of {} bytes at offset {} is larger than a replication message may be ({} bytes); "
                + "follower {} cannot catch up", state.partition, region.firstBatchLength(), follower.fetchOffset, length, follower.nodeId);
            follower.parked = false;
            return false;
        }
        encodeRecordsHeader(state, follower);
        final int lengthAt = recordsEncoder.limit();
        final int dataAt = lengthAt + RecordsEncoder.recordsHeaderLength();
        final int read = readRegion(length, dataAt);
        if (read < 0)
        {
            follower.parked = false;
            return false;
        }
        sendBuffer.putInt(lengthAt, read, ByteOrder.LITTLE_ENDIAN);
        final int messageLength = dataAt + read;
        if (offer(follower.nodeId, sendBuffer, messageLength))
        {
            if (throttled)
            {
                settings.leaderThrottle().record(messageLength, nowMs);
            }
            follower.parked = false;
            return true;
        }
        follower.parked = true;
        return false;
    }

    /**
     * KIP-73's leader side: where the topic's leader.replication.throttled.replicas names this
     * broker's replica of the partition, its followers out of the ISR get their batches at the
     * broker's throttled rate. In-sync replicas never wait, so a throttle cannot slow acks=all.
     * (As in Kafka, each list names the replicas that do the throttling: the reassignment tool puts
     * the partition's current replicas, any of which may lead, in the leader list, and the replicas
     * it adds in the follower list.)
     */
    private boolean leaderThrottled(final Led state, final int followerId)
    {
        final ThrottledReplicas named = state.partition.log().config().leaderThrottledReplicas();
        return !named.isEmpty() && named.covers(state.partition.index(), settings.localNodeId())
            && !state.leadership.isr().contains(followerId);
    }

    /** KIP-73's follower side: this broker's replica, out of the ISR and named in follower.replication.throttled.replicas. */
    private boolean followerThrottled(final Followed state)
    {
        final ThrottledReplicas named = state.partition.log().config().followerThrottledReplicas();
        return !named.isEmpty() && named.covers(state.partition.index(), settings.localNodeId())
            && !state.leadership.isr().contains(settings.localNodeId());
    }

    private boolean sendEmptyRecords(final Led state, final FollowerPosition follower)
    {
        encodeRecordsHeader(state, follower);
        recordsEncoder.putRecords(sendBuffer, 0, 0);
        final boolean sent = offer(follower.nodeId, sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + recordsEncoder.encodedLength());
        follower.parked = !sent;
        return sent;
    }

    /** A Records message's fixed fields, for {@code follower}'s fetch, into the send buffer; its batches follow. */
    private void encodeRecordsHeader(final Led state, final FollowerPosition follower)
    {
        final PartitionLog log = state.partition.log();
        final Uuid topicId = state.partition.topic().id();
        recordsEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .partition(state.partition.index())
            .followerId(follower.nodeId)
            .leaderEpoch(state.leadership.leaderEpoch())
            .fetchOffset(follower.fetchOffset)
            .highWatermark(log.highWatermark())
            .logStartOffset(log.logStartOffset());
        follower.logStartSent = log.logStartOffset();
        follower.highWatermarkSent = log.highWatermark();
        recordsEncoder.topicId().mostSignificantBits(topicId.getMostSignificantBits()).leastSignificantBits(topicId.getLeastSignificantBits());
    }

    /** Reads the region's first {@code length} bytes into the send buffer at {@code at}: whole batches only. */
    private int readRegion(final int length, final int at)
    {
        final ByteBuffer target = sendBuffer.byteBuffer().duplicate();
        target.limit(at + length).position(at);
        try
        {
            while (target.hasRemaining())
            {
                if (region.channel().read(target, region.position() + target.position() - at) < 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("reading a partition for a follower failed: {}", ex.toString());
            return -1;
        }
        // Cut to the last whole batch: the region may end inside one when it was cut to the message size.
        int end = 0;
        final int read = target.position() - at;
        while (end + RecordBatch.HEADER_SIZE <= read)
        {
            batch.wrap(sendBuffer, at + end);
            final int size = batch.sizeInBytes();
            if (end + size > read)
            {
                break;
            }
            end += size;
        }
        return end;
    }

    private void sendEpochEnd(final Led state, final int followerId, final int epoch, final long endOffset)
    {
        final Uuid topicId = state.partition.topic().id();
        epochEndEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
            .partition(state.partition.index())
            .followerId(followerId)
            .leaderEpoch(state.leadership.leaderEpoch())
            .epoch(epoch)
            .endOffset(endOffset);
        epochEndEncoder.topicId().mostSignificantBits(topicId.getMostSignificantBits()).leastSignificantBits(topicId.getLeastSignificantBits());
        offer(followerId, controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + epochEndEncoder.encodedLength());
    }

    // ---------------------------------------------------------------- follower

    private int follow(final Followed state, final long nowMs)
    {
        final Leadership leadership = state.leadership;
        if (leadership.leader() == Leadership.NO_LEADER)
        {
            return 0;
        }
        final PartitionLog log = state.partition.log();
        // Under the fsync policy what was appended this cycle is forced at its end: report once it is durable.
        final boolean durable = log.flushedOffset() == log.logEndOffset();
        if (!state.awaiting && durable || state.awaiting && nowMs - state.sentMs >= settings.fetchRetryMs())
        {
            if (followerThrottled(state) && !settings.followerThrottle().allows(nowMs))
            {
                // The next fetch waits until follower.replication.throttled.rate allows more.
                return 0;
            }
            final Uuid topicId = state.partition.topic().id();
            fetchEncoder.wrapAndApplyHeader(controlBuffer, 0, headerEncoder)
                .partition(state.partition.index())
                .followerId(settings.localNodeId())
                .leaderEpoch(leadership.leaderEpoch())
                .fetchOffset(log.logEndOffset())
                .durableOffset(log.flushedOffset())
                .lastFetchedEpoch(log.latestEpoch());
            fetchEncoder.topicId().mostSignificantBits(topicId.getMostSignificantBits()).leastSignificantBits(topicId.getLeastSignificantBits());
            state.sentMs = nowMs;
            if (offer(leadership.leader(), controlBuffer, MessageHeaderEncoder.ENCODED_LENGTH + fetchEncoder.encodedLength()))
            {
                state.awaiting = true;
                return 1;
            }
        }
        return 0;
    }

    private void onRecords(final Partition partition, final DirectBuffer buffer)
    {
        final Followed state = followed.get(partition);
        if (state == null || recordsDecoder.leaderEpoch() != state.leadership.leaderEpoch()
            || recordsDecoder.followerId() != settings.localNodeId())
        {
            return;
        }
        final PartitionLog log = partition.log();
        state.awaiting = false;
        if (recordsDecoder.logStartOffset() > log.logEndOffset() && recordsDecoder.fetchOffset() == log.logEndOffset())
        {
            // The leader no longer has what follows this log's end: start again at its log start.
            log.truncateFullyAndStartAt(recordsDecoder.logStartOffset());
            return;
        }
        if (recordsDecoder.fetchOffset() != log.logEndOffset())
        {
            // An answer to an earlier fetch (a retry crossed it): this log has moved on, the next fetch says where to.
            return;
        }
        final long highWatermark = recordsDecoder.highWatermark();
        final int length = recordsDecoder.recordsLength();
        if (length > 0 && followerThrottled(state))
        {
            settings.followerThrottle().record(length, nowMs);
        }
        final int at = recordsDecoder.limit() + RecordsDecoder.recordsHeaderLength();
        int position = 0;
        while (position + RecordBatch.HEADER_SIZE <= length)
        {
            batch.wrap(buffer, at + position);
            final int size = batch.sizeInBytes();
            if (size < RecordBatch.HEADER_SIZE || position + size > length)
            {
                LOG.warn("{}: a replicated batch at offset {} runs past its message; dropped, fetching again", partition, batch.baseOffset());
                break;
            }
            if (position == 0 && batch.baseOffset() < log.logEndOffset() && batch.lastOffset() >= log.logEndOffset()
                && log.logStartOffset() == log.logEndOffset())
            {
                // An emptied log at the leader's log start, which lies inside this batch: it is stored whole, from its base.
                log.truncateFullyAndStartAt(batch.baseOffset(), log.logEndOffset());
                batch.wrap(buffer, at + position);
            }
            appendBuffer.clear();
            buffer.getBytes(at + position, appendBuffer, size);
            appendBuffer.flip();
            final PartitionLog.AppendStatus status = shard.appendReplicated(partition, batch.wrap(appendView, 0), appendBuffer);
            if (status != PartitionLog.AppendStatus.APPENDED)
            {
                LOG.warn("{}: replicated batch at offset {} not appended ({}); fetching again", partition, batch.baseOffset(), status);
                break;
            }
            position += size;
        }
        recordsDecoder.limit(at + length);
        log.replicaHighWatermark(highWatermark);
        followLogStart(partition, log, recordsDecoder.logStartOffset());
    }

    /**
     * A follower's log starts where its leader's does (Kafka's maybeIncrementLogStartOffset): what
     * DeleteRecords or the leader's retention removed goes here too, up to this replica's high
     * watermark, so a consumer or a new leader never serves records the leader deleted. The
     * segments wholly below go through the conductor's retirement, as a local deletion's do.
     */
    private void followLogStart(final Partition partition, final PartitionLog log, final long leaderLogStart)
    {
        if (leaderLogStart <= log.logStartOffset())
        {
            return;
        }
        final long before = log.logStartOffset();
        final java.util.List<io.runnel.kernel.log.Segment> below = log.deleteRecordsBefore(Math.min(leaderLogStart, log.highWatermark()));
        if (below != null && log.logStartOffset() > before)
        {
            // Through the conductor even with no whole segment below: it checkpoints the new log start too.
            conductor.retire(partition, below, log.config().fileDeleteDelayMs(), () -> { });
        }
    }

    private void onEpochEnd(final Partition partition)
    {
        final Followed state = followed.get(partition);
        if (state == null || epochEndDecoder.leaderEpoch() != state.leadership.leaderEpoch()
            || epochEndDecoder.followerId() != settings.localNodeId())
        {
            return;
        }
        final PartitionLog log = partition.log();
        final long end = Math.min(epochEndDecoder.endOffset(), log.logEndOffset());
        LOG.info("{}: leader {} ends epoch {} at offset {}; truncating from {}", partition, state.leadership.leader(),
            epochEndDecoder.epoch(), epochEndDecoder.endOffset(), log.logEndOffset());
        log.truncateTo(end);
        state.awaiting = false;
    }

    // ---------------------------------------------------------------- transport

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != FetchPositionDecoder.SCHEMA_ID)
        {
            return;
        }
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        try
        {
            switch (headerDecoder.templateId())
            {
                case FetchPositionDecoder.TEMPLATE_ID ->
                {
                    fetchDecoder.wrap(buffer, body, blockLength, version);
                    final Partition partition = ownPartition(fetchDecoder.topicId().mostSignificantBits(),
                        fetchDecoder.topicId().leastSignificantBits(), fetchDecoder.partition());
                    if (partition != null)
                    {
                        onFetchPosition(partition);
                    }
                }
                case RecordsDecoder.TEMPLATE_ID ->
                {
                    recordsDecoder.wrap(buffer, body, blockLength, version);
                    final Partition partition = ownPartition(recordsDecoder.topicId().mostSignificantBits(),
                        recordsDecoder.topicId().leastSignificantBits(), recordsDecoder.partition());
                    if (partition != null)
                    {
                        onRecords(partition, buffer);
                    }
                }
                case EpochEndDecoder.TEMPLATE_ID ->
                {
                    epochEndDecoder.wrap(buffer, body, blockLength, version);
                    final Partition partition = ownPartition(epochEndDecoder.topicId().mostSignificantBits(),
                        epochEndDecoder.topicId().leastSignificantBits(), epochEndDecoder.partition());
                    if (partition != null)
                    {
                        onEpochEnd(partition);
                    }
                }
                default -> { }
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("shard {}: a replication message (template {}) failed", shard.id(), headerDecoder.templateId(), ex);
        }
    }

    /** The partition a message names, if this shard owns it; every shard of the node sees every message. */
    private Partition ownPartition(final long idMsb, final long idLsb, final int index)
    {
        final Topic topic = registry.snapshot().topic(new Uuid(idMsb, idLsb));
        if (topic == null || index < 0 || index >= topic.partitionCount())
        {
            return null;
        }
        final Partition partition = topic.partition(index);
        return partition.shard() == shard.id() && partition.log() != null ? partition : null;
    }

    private Peer peer(final int nodeId)
    {
        Peer peer = peers.get(nodeId);
        if (peer == null)
        {
            peer = new Peer(nodeId);
            peers.put(nodeId, peer);
        }
        return peer;
    }

    /**
     * True if a message to {@code nodeId} would go out now: its publication is connected and below its
     * flow-control limit (Aeron takes a message, however long, while the position is under the limit).
     * Checked before a log is read for a follower, so that a follower that is gone, frozen or slow
     * costs a few reads of counters each cycle, not a read of its batches.
     */
    private boolean canSend(final int nodeId)
    {
        final ExclusivePublication publication = peer(nodeId).publication();
        return publication != null && publication.isConnected() && publication.availableWindow() > 0;
    }

    private boolean offer(final int nodeId, final DirectBuffer buffer, final int length)
    {
        final Peer peer = peer(nodeId);
        final ExclusivePublication publication = peer.publication();
        if (publication == null)
        {
            return false;
        }
        final long result = publication.offer(buffer, 0, length);
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            LOG.warn("shard {}: the replication publication to broker {} is {}; opening another", shard.id(), nodeId,
                result == Publication.CLOSED ? "closed" : "full");
            CloseHelper.quietClose(publication);
            peer.publication = null;
            peer.endpoint = null;
        }
        return result > 0;
    }

    @Override
    public void onClose()
    {
        for (final Peer peer : peers.values())
        {
            CloseHelper.quietClose(peer.publication);
        }
        CloseHelper.quietClose(subscription);
    }
}
