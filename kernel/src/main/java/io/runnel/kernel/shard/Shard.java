package io.runnel.kernel.shard;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.topic.Partition;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One core's worth of the broker: an Agrona agent on its own thread that owns a set of partition
 * logs and, through its {@link ShardDuty}s, a set of connections. Its duty cycle, top to bottom:
 * run commands from other shards, run the duties (network I/O, parked fetches), then, under the
 * fsync policy, group-commit the partitions appended to in this cycle and release the
 * acknowledgements that waited for it.
 */
public final class Shard implements Agent
{
    /** Commands from other shards; bounded so a slow shard pushes back rather than growing memory. */
    public static final int INBOX_CAPACITY = 64 * 1024;
    private static final int INBOX_DRAIN_LIMIT = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    private final int id;
    private final EpochClock clock;
    private final ManyToOneConcurrentArrayQueue<ShardCommand> inbox = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
    private final List<ShardDuty> duties = new ArrayList<>();
    private final List<Partition> owned = new ArrayList<>();
    private final List<PartitionLog> dirty = new ArrayList<>();
    private final ArrayDeque<Runnable> afterFlush = new ArrayDeque<>();
    private final ArrayDeque<Runnable> runAfterFlush = new ArrayDeque<>();
    private volatile Runnable wakeup = () -> { };
    private final Thread[] thread = new Thread[1];

    public Shard(final int id, final EpochClock clock)
    {
        this.id = id;
        this.clock = clock;
    }

    public int id()
    {
        return id;
    }

    public EpochClock clock()
    {
        return clock;
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
    }

    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        int work = inbox.drain(this::execute, INBOX_DRAIN_LIMIT);
        for (int i = 0, n = duties.size(); i < n; i++)
        {
            work += duties.get(i).doWork(nowMs);
        }
        work += groupCommit();
        return work;
    }

    private void execute(final ShardCommand command)
    {
        try
        {
            command.execute(this);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("shard {}: command failed", id, ex);
        }
    }

    /**
     * Appends a validated batch to a log this shard owns. Under the fsync policy the log joins
     * this cycle's group commit; {@link #whenDurable} then holds acknowledgements until it is done.
     */
    public PartitionLog.AppendStatus append(final PartitionLog log, final RecordBatch batch, final ByteBuffer bytes)
    {
        final PartitionLog.AppendStatus status = log.append(batch, bytes);
        if (status == PartitionLog.AppendStatus.APPENDED && log.config().flushPolicy() == FlushPolicy.FSYNC && !dirty.contains(log))
        {
            dirty.add(log);
        }
        return status;
    }

    /**
     * Runs {@code ack} once everything appended so far is durable: at the end of this cycle under
     * the fsync policy, at once otherwise.
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
        if (dirty.isEmpty())
        {
            return 0;
        }
        for (int i = 0, n = dirty.size(); i < n; i++)
        {
            dirty.get(i).flushIfDirty();
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

    /** Takes ownership of a partition whose log is open. Shard thread only. */
    public void adopt(final Partition partition, final PartitionLog log)
    {
        partition.adopt(log);
        owned.add(partition);
    }

    /** Gives up a partition and deletes its files (topic deletion). Shard thread only. */
    public void dropAndDelete(final Partition partition)
    {
        owned.remove(partition);
        final PartitionLog log = partition.log();
        if (log != null)
        {
            dirty.remove(log);
            partition.adopt(null);
            log.closeAndDelete();
        }
    }

    public List<Partition> ownedPartitions()
    {
        return owned;
    }

    @Override
    public void onClose()
    {
        inbox.drain(this::execute);
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
