package io.runnel.kernel.shard;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.log.PageCacheWriteback;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.threading.ShardThreads;
import io.runnel.kernel.topic.Partition;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One core's worth of the broker: an Agrona agent on its own thread that owns a set of partition
 * logs and, through its {@link ShardDuty}s, a set of connections. Its duty cycle, top to bottom:
 * run commands from other shards and the conductor, move commands that did not fit into other
 * shards' inboxes, run the duties (network I/O, parked fetches, coordinators), then, under the
 * fsync policy, group-commit the partitions appended to in this cycle and release the
 * acknowledgements that waited for it; and once every {@link #OFFLINE_RETRY_INTERVAL_MS}, try to
 * bring back partitions a failed write took offline (a full disk that got space again).
 *
 * <p>A shard never creates or deletes files, never takes a lock shared with another thread and
 * never waits for another thread: partitions arrive and leave through {@link #adopt} and
 * {@link #release}, sent by the conductor.
 */
public final class Shard implements Agent
{
    /** Commands from other shards and the conductor; bounded, so a slow shard pushes back (see {@link ShardProxy}). */
    public static final int INBOX_CAPACITY = 64 * 1024;
    private static final int INBOX_DRAIN_LIMIT = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
    /**
     * How often offline partitions are retried: a statvfs and a truncate each, cheap enough to do
     * every second, and a second is soon enough for a producer that retries for minutes.
     */
    public static final long OFFLINE_RETRY_INTERVAL_MS = 1_000;

    private final int id;
    private final EpochClock clock;
    private final ManyToOneConcurrentArrayQueue<ShardCommand> inbox = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
    /** Made once: a method reference built in every duty cycle was the shard's largest allocation (JFR, 50 MB/s). */
    private final Consumer<ShardCommand> executeCommand = this::execute;
    private final ShardCounters counters;
    private ShardProxy[] proxies = new ShardProxy[0];
    private final List<ShardDuty> duties = new ArrayList<>();
    private final List<PartitionListener> partitionListeners = new ArrayList<>();
    private volatile Consumer<ShardCommand> faultHook;
    private boolean backPressureLogged;
    private final List<Partition> owned = new ArrayList<>();
    private final List<PartitionLog> dirty = new ArrayList<>();
    private final ArrayDeque<Runnable> afterFlush = new ArrayDeque<>();
    private final ArrayDeque<Runnable> runAfterFlush = new ArrayDeque<>();
    /** acks=all acknowledgements parked until their partition's high watermark passes them. */
    private final List<ParkedAck> replicationWaiters = new ArrayList<>();
    private volatile Runnable wakeup = () -> { };
    private final Thread[] thread = new Thread[1];
    private long nextOfflineRetryMs;
    private PageCacheWriteback writeback;

    public Shard(final int id, final EpochClock clock, final ShardCounters counters)
    {
        this.id = id;
        this.clock = clock;
        this.counters = counters;
    }

    /** Gives this shard a proxy to every shard (itself included); call once, before the shards start. */
    public void connect(final Shard[] shards)
    {
        proxies = new ShardProxy[shards.length];
        for (int i = 0; i < shards.length; i++)
        {
            proxies[i] = new ShardProxy(shards[i], counters);
        }
    }

    /** How this shard sends commands to shard {@code shardId}. Shard thread only. */
    public ShardProxy proxyTo(final int shardId)
    {
        return proxies[shardId];
    }

    public ShardCounters counters()
    {
        return counters;
    }

    /**
     * True while this shard's backlogs for other shards' inboxes are past
     * {@link ShardProxy#BACKLOG_HIGH_WATER}: its network layer then reads no new requests.
     */
    public boolean isBackPressured()
    {
        return counters.backlogged() >= ShardProxy.BACKLOG_HIGH_WATER;
    }

    /** True while commands wait in this shard's backlogs: the idle strategy must keep polling. */
    public boolean hasBacklog()
    {
        return counters.backlogged() > 0;
    }

    /** Adds a listener for partitions arriving and leaving; call before the shard starts. */
    public void addPartitionListener(final PartitionListener listener)
    {
        partitionListeners.add(listener);
    }

    /**
     * Test hook: runs before every command this shard executes and may throw to simulate a failing
     * command. Null (the default) in production.
     */
    public void faultHook(final Consumer<ShardCommand> hook)
    {
        this.faultHook = hook;
    }

    public int id()
    {
        return id;
    }

    public EpochClock clock()
    {
        return clock;
    }

    /** Page-cache policy: where appended segments are handed to be written back; call before the shard starts. */
    public void pageCacheWriteback(final PageCacheWriteback writeback)
    {
        this.writeback = writeback;
    }

    /** Adds a duty; call before the shard starts. */
    public void addDuty(final ShardDuty duty)
    {
        duties.add(duty);
    }

    /** How to wake this shard's thread if it is blocked idling (set by the network layer). */
    public void wakeupWith(final Runnable wakeup)
    {
        this.wakeup = wakeup;
    }

    /**
     * Offers a command from any thread.
     *
     * @return false if the inbox is full: the caller keeps the command and retries next cycle.
     */
    public boolean offer(final ShardCommand command)
    {
        if (inbox.offer(command))
        {
            wakeup.run();
            return true;
        }
        return false;
    }

    /**
     * Runs a command on the calling thread before this shard's thread starts (start-up, and tests
     * that drive a kernel without threads). A failure propagates to the caller.
     */
    public void runBeforeStart(final ShardCommand command)
    {
        if (thread[0] != null)
        {
            throw new IllegalStateException("shard " + id + " is running: send commands through a ShardProxy");
        }
        command.execute(this);
    }

    /** True if commands are waiting in the inbox (the idle strategy checks before blocking). */
    public boolean hasPendingCommands()
    {
        return !inbox.isEmpty();
    }

    /** True when called from this shard's own thread. */
    public boolean isCurrentThread()
    {
        return Thread.currentThread() == thread[0];
    }

    @Override
    public void onStart()
    {
        thread[0] = Thread.currentThread();
        ShardThreads.enter(id);
    }

    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        int work = inbox.drain(executeCommand, INBOX_DRAIN_LIMIT);
        work += retryBacklogs();
        for (int i = 0, n = duties.size(); i < n; i++)
        {
            work += duties.get(i).doWork(nowMs);
        }
        work += groupCommit();
        work += releaseReplicatedAcks(nowMs);
        work += retryOfflinePartitions(nowMs);
        return work;
    }

    private record ParkedAck(Partition partition, int leaderEpoch, long endOffset, long deadlineMs, ReplicationWaiter waiter)
    {
    }

    /**
     * acks=all: {@code waiter} is told, on this shard, once {@code partition}'s high watermark
     * reaches {@code endOffset} (at once if it has), or the partition is no longer led here at
     * {@code leaderEpoch}, or {@code deadlineMs} passes. Shard thread only.
     */
    public void whenReplicated(final Partition partition, final int leaderEpoch, final long endOffset, final long deadlineMs,
        final ReplicationWaiter waiter)
    {
        final PartitionLog log = partition.log();
        if (log != null && log.highWatermark() >= endOffset && partition.leaderEpoch() == leaderEpoch)
        {
            waiter.onReplicated(ReplicationWaiter.Outcome.REPLICATED);
            return;
        }
        replicationWaiters.add(new ParkedAck(partition, leaderEpoch, endOffset, deadlineMs, waiter));
    }

    private int releaseReplicatedAcks(final long nowMs)
    {
        int released = 0;
        for (int i = replicationWaiters.size() - 1; i >= 0; i--)
        {
            final ParkedAck parked = replicationWaiters.get(i);
            final Partition partition = parked.partition();
            final PartitionLog log = partition.log();
            final ReplicationWaiter.Outcome outcome;
            // Every change of leader moves the epoch: the same epoch means this node still leads.
            if (log == null || partition.leaderEpoch() != parked.leaderEpoch())
            {
                outcome = ReplicationWaiter.Outcome.NOT_LEADER;
            }
            else if (log.highWatermark() >= parked.endOffset())
            {
                outcome = ReplicationWaiter.Outcome.REPLICATED;
            }
            else if (nowMs >= parked.deadlineMs())
            {
                outcome = ReplicationWaiter.Outcome.TIMED_OUT;
            }
            else
            {
                continue;
            }
            replicationWaiters.remove(i);
            released++;
            try
            {
                parked.waiter().onReplicated(outcome);
            }
            catch (final RuntimeException ex)
            {
                LOG.error("shard {}: an acks=all acknowledgement of {} failed", id, partition, ex);
            }
        }
        return released;
    }

    /**
     * A follower's append of a batch as its leader stored it (see {@link PartitionLog#appendReplicated});
     * under the fsync policy the log joins this cycle's group commit, like a leader's append.
     */
    public PartitionLog.AppendStatus appendReplicated(final Partition partition, final RecordBatch batch, final ByteBuffer bytes)
    {
        final PartitionLog log = partition.log();
        final PartitionLog.AppendStatus status = log.appendReplicated(batch, bytes);
        afterAppend(log, status);
        return status;
    }

    /** Partitions a failed write or fsync took offline come back here, without a restart, once their disk allows. */
    private int retryOfflinePartitions(final long nowMs)
    {
        if (nowMs < nextOfflineRetryMs)
        {
            return 0;
        }
        nextOfflineRetryMs = nowMs + OFFLINE_RETRY_INTERVAL_MS;
        int work = 0;
        for (int i = 0, n = owned.size(); i < n; i++)
        {
            final PartitionLog log = owned.get(i).log();
            if (log != null && log.isOffline())
            {
                try
                {
                    work += log.tryBringOnline() ? 1 : 0;
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("shard {}: retrying offline partition {} failed", id, owned.get(i), ex);
                }
            }
        }
        return work;
    }

    /** A command's class name for a log line; anonymous commands have no simple name. */
    private static String nameOf(final ShardCommand command)
    {
        final String simple = command.getClass().getSimpleName();
        return simple.isEmpty() ? command.getClass().getName() : simple;
    }

    private int retryBacklogs()
    {
        if (counters.backlogged() == 0)
        {
            return 0;
        }
        int moved = 0;
        for (final ShardProxy proxy : proxies)
        {
            moved += proxy.retryBacklog();
        }
        // Logged once per change, seen here since commands are backlogged while requests are handled.
        final boolean backPressured = isBackPressured();
        if (backPressured != backPressureLogged)
        {
            backPressureLogged = backPressured;
            if (!backPressured)
            {
                LOG.info("shard {}: backlog drained to {} commands; reading requests again", id, counters.backlogged());
            }
            else
            {
                LOG.warn("shard {}: {} commands wait for other shards' full inboxes; reading no new requests until they drain",
                    id, counters.backlogged());
            }
        }
        return moved;
    }

    /**
     * Runs a command on this thread; when it throws, its own failure path answers for it, so
     * whoever waits for the command still gets an answer. Only if that fails too is the failure
     * merely logged.
     */
    void execute(final ShardCommand command)
    {
        try
        {
            final Consumer<ShardCommand> hook = faultHook;
            if (hook != null)
            {
                hook.accept(command);
            }
            command.execute(this);
        }
        catch (final RuntimeException | OutOfMemoryError | StackOverflowError ex)
        {
            counters.onCommandFailed();
            LOG.error("shard {}: {} failed; answering with an error", id, nameOf(command), ex);
            try
            {
                command.onFailure(this, ex);
            }
            catch (final RuntimeException | OutOfMemoryError | StackOverflowError failure)
            {
                LOG.error("shard {}: the failure path of {} failed too; its requester gets no answer", id,
                    nameOf(command), failure);
            }
        }
    }

    /**
     * Appends a validated batch to the log of a partition this shard owns, stamped with the
     * partition's current leader epoch. Under the fsync policy the log joins this cycle's group
     * commit; {@link #whenDurable} then holds acknowledgements until it is done.
     */
    public PartitionLog.AppendStatus append(final Partition partition, final RecordBatch batch, final ByteBuffer bytes)
    {
        final PartitionLog log = partition.log();
        // The conductor swaps leaderships in; the log learns its new epoch from the first append after.
        if (log.leaderEpoch() != partition.leaderEpoch())
        {
            log.leaderEpoch(partition.leaderEpoch());
        }
        final PartitionLog.AppendStatus status = log.append(batch, bytes);
        afterAppend(log, status);
        return status;
    }

    /** Under the fsync policy the log joins this cycle's group commit; under the page-cache policy it may be due a writeback. */
    private void afterAppend(final PartitionLog log, final PartitionLog.AppendStatus status)
    {
        if (status != PartitionLog.AppendStatus.APPENDED)
        {
            return;
        }
        if (log.config().flushPolicy() == FlushPolicy.FSYNC)
        {
            if (!dirty.contains(log))
            {
                dirty.add(log);
            }
        }
        else if (writeback != null)
        {
            writeback.afterAppend(log);
        }
    }

    /**
     * Runs {@code ack} once everything appended so far is durable or has failed to become so: at
     * the end of this cycle under the fsync policy, at once otherwise. A failed fsync rolls its
     * log back to its flushed end, so the ack tells success by {@link PartitionLog#isFlushed}.
     */
    public void whenDurable(final Runnable ack)
    {
        if (dirty.isEmpty())
        {
            ack.run();
        }
        else
        {
            afterFlush.add(ack);
        }
    }

    private int groupCommit()
    {
        if (dirty.isEmpty() && afterFlush.isEmpty())
        {
            return 0;
        }
        for (int i = 0, n = dirty.size(); i < n; i++)
        {
            try
            {
                dirty.get(i).flushIfDirty();
            }
            catch (final RuntimeException ex)
            {
                // Its acks still run below and, finding their batches not committed, answer with an error.
                LOG.error("shard {}: group commit of {} failed", id, dirty.get(i).name(), ex);
            }
        }
        dirty.clear();
        // Acks may append again (not today), so run the ones registered before this flush only.
        runAfterFlush.addAll(afterFlush);
        afterFlush.clear();
        int work = 0;
        Runnable ack;
        while ((ack = runAfterFlush.poll()) != null)
        {
            ack.run();
            work++;
        }
        return work;
    }

    /** Takes ownership of a partition whose log the conductor opened. Shard thread (or start-up) only. */
    public void adopt(final Partition partition, final PartitionLog log)
    {
        partition.adopt(log);
        owned.add(partition);
        for (final PartitionListener listener : partitionListeners)
        {
            listener.onAdopted(this, partition);
        }
    }

    /**
     * Gives up a partition (its topic is being deleted): after this no request on this shard
     * reaches its log. Fsync-policy acknowledgements already waiting run after this cycle's
     * group commit, which still includes the log. Shard thread only.
     *
     * @return the log, for the conductor to close and delete; null if none was adopted.
     */
    public PartitionLog release(final Partition partition)
    {
        final PartitionLog log = partition.log();
        if (!owned.remove(partition) || log == null)
        {
            return null;
        }
        for (final PartitionListener listener : partitionListeners)
        {
            listener.onReleased(this, partition);
        }
        if (dirty.remove(log))
        {
            log.flushIfDirty();
        }
        partition.adopt(null);
        return log;
    }

    public List<Partition> ownedPartitions()
    {
        return owned;
    }

    @Override
    public void onClose()
    {
        ShardThreads.leave();
        inbox.drain(executeCommand);
        groupCommit();
        for (final ShardDuty duty : duties)
        {
            duty.onClose();
        }
        for (final Partition partition : owned)
        {
            final PartitionLog log = partition.log();
            if (log != null)
            {
                try
                {
                    log.close();
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("shard {}: closing {} failed", id, partition, ex);
                }
            }
        }
    }

    @Override
    public String roleName()
    {
        return "runnel-shard-" + id;
    }
}
