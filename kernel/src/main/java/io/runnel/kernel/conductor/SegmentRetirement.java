package io.runnel.kernel.conductor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;

import io.runnel.kernel.log.LogStartOffsetCheckpoint;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.Segment;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments that their owning shard has taken out of a log (retention, DeleteRecords, a compaction's
 * swap) on their way off the disk, as Kafka's asynchronous segment deletion does: the log start
 * offsets are checkpointed first, then each segment's files are renamed {@code .deleted} and,
 * {@code file.delete.delay.ms} later, closed and deleted, so that a fetch already sending from one
 * finishes. A crash at any point leaves either the segment (below the checkpointed log start, so it
 * is deleted at the next start) or its {@code .deleted} files (deleted at the next start).
 *
 * <p>Shards hand segments over from their own thread without waiting ({@link #retire}); the
 * conductor does the file work in its duty cycle ({@link #doWork}).
 */
final class SegmentRetirement
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRetirement.class);

    /** Segments a shard let go of, the delay their topic asks for, and what to run once they are renamed. */
    private record Retired(Partition partition, List<Segment> segments, long delayMs, Runnable afterRenamed)
    {
    }

    /** A renamed segment, or the renamed log of a deleted topic's partition, waiting out its delay. */
    private record PendingDeletion(long dueMs, Partition partition, Segment segment, PartitionLog log)
    {
    }

    /** What a deleted topic's partition directory is renamed to: Kafka's "-delete" suffix after a unique tag. */
    static final String DELETED_DIR_SUFFIX = "-delete";

    private final ManyToOneConcurrentLinkedQueue<Retired> retired = new ManyToOneConcurrentLinkedQueue<>();
    private final PriorityQueue<PendingDeletion> pending = new PriorityQueue<>((a, b) -> Long.compare(a.dueMs, b.dueMs));
    private final LogStartOffsetCheckpoint checkpoint;
    private final TopicRegistry registry;
    private final Runnable wakeConductor;

    SegmentRetirement(final LogStartOffsetCheckpoint checkpoint, final TopicRegistry registry, final Runnable wakeConductor)
    {
        this.checkpoint = checkpoint;
        this.registry = registry;
        this.wakeConductor = wakeConductor;
    }

    /**
     * Any thread: {@code segments} are no longer part of {@code partition}'s log. {@code afterRenamed},
     * if not null, runs on the conductor's thread once the log start offsets are checkpointed and
     * the segments renamed (a DeleteRecords answer, a compaction's last rename).
     */
    void retire(final Partition partition, final List<Segment> segments, final long delayMs, final Runnable afterRenamed)
    {
        retired.offer(new Retired(partition, segments, delayMs, afterRenamed));
        wakeConductor.run();
    }

    /** Conductor thread: checkpoint and rename what arrived, delete what is due. */
    int doWork(final long nowMs)
    {
        int work = 0;
        if (!retired.isEmpty())
        {
            writeCheckpoint();
            Retired next;
            while ((next = retired.poll()) != null)
            {
                for (final Segment segment : next.segments)
                {
                    final PendingDeletion deletion = new PendingDeletion(nowMs + next.delayMs, next.partition, segment, null);
                    if (rename(next.partition, segment))
                    {
                        pending.add(deletion);
                    }
                    else
                    {
                        // Under its live name it must go before the step after (a compaction's swap may take that name).
                        delete(deletion);
                    }
                }
                runAfterRenamed(next);
                work++;
            }
        }
        while (!pending.isEmpty() && pending.peek().dueMs <= nowMs)
        {
            delete(pending.poll());
            work++;
        }
        return work;
    }

    /**
     * Conductor thread: a deleted topic's partition log, already released by its shard, is
     * renamed {@code <dir>.<unique>-delete} now and its files removed after {@code delayMs}, so
     * that fetches in flight finish and the name is free for a new topic at once. A crash leaves
     * the renamed directory, which belongs to no topic and is removed at the next start.
     */
    void retireLog(final Partition partition, final PartitionLog log, final long delayMs, final long nowMs)
    {
        try
        {
            log.moveTo(log.dir().resolveSibling(log.dir().getFileName() + "." + UUID.randomUUID().toString().replace("-", "")
                + DELETED_DIR_SUFFIX));
        }
        catch (final RuntimeException ex)
        {
            LOG.error("{}: cannot rename the deleted partition's directory; deleting it now", partition, ex);
            delete(new PendingDeletion(nowMs, partition, null, log));
            return;
        }
        pending.add(new PendingDeletion(nowMs + delayMs, partition, null, log));
    }

    /** The log start offset of every partition whose log does not simply start at its first segment's files. */
    void writeCheckpoint()
    {
        final Map<String, Map<Integer, Long>> offsets = new HashMap<>();
        for (final Topic topic : registry.snapshot().topics())
        {
            final Map<Integer, Long> partitions = new HashMap<>();
            for (int i = 0; i < topic.partitionCount(); i++)
            {
                final long logStart = topic.partition(i).state().logStartOffset();
                // A replica moved away from this node keeps its last state, which its next log here must not start from.
                if (logStart > 0 && topic.partition(i).leadership().hasReplicaOn(registry.localNodeId()))
                {
                    partitions.put(i, logStart);
                }
            }
            if (!partitions.isEmpty())
            {
                offsets.put(topic.name(), partitions);
            }
        }
        checkpoint.write(offsets);
    }

    /** @return false if the files keep their live names (the rename failed). */
    private static boolean rename(final Partition partition, final Segment segment)
    {
        try
        {
            segment.renameFiles(Segment.DELETED_SUFFIX);
            return true;
        }
        catch (final RuntimeException ex)
        {
            LOG.error("{}: cannot rename segment {} for deletion; deleting it at once instead", partition, segment.baseOffset(), ex);
            return false;
        }
    }

    private static void delete(final PendingDeletion deletion)
    {
        try
        {
            if (deletion.log != null)
            {
                deletion.log.closeAndDelete();
            }
            else
            {
                deletion.segment.closeAndDelete();
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.error("{}: cannot delete {}; what is left is removed at the next start", deletion.partition,
                deletion.log != null ? deletion.log.dir() : deletion.segment.logFile(), ex);
        }
    }

    private static void runAfterRenamed(final Retired retired)
    {
        if (retired.afterRenamed == null)
        {
            return;
        }
        try
        {
            retired.afterRenamed.run();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("{}: the step after retiring segments failed", retired.partition, ex);
        }
    }

    /**
     * Shutdown: what shards handed over is checkpointed and renamed; segments waiting out their
     * delay are closed and left as .deleted files for the next start to remove; deleted topics'
     * logs are deleted now.
     */
    void close()
    {
        doWork(Long.MIN_VALUE / 2);
        for (final PendingDeletion deletion : pending)
        {
            try
            {
                if (deletion.log != null)
                {
                    deletion.log.closeAndDelete();
                }
                else
                {
                    deletion.segment.close();
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("{}: closing a retired segment or log failed; the next start removes it", deletion.partition, ex);
            }
        }
        pending.clear();
    }
}
