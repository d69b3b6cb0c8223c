package io.runnel.kernel.conductor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import io.runnel.kernel.config.BrokerConfigListener;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.LogStartOffsetCheckpoint;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.Segment;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.shard.ShardCounters;
import io.runnel.kernel.shard.ShardProxy;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane, on its own thread (Aeron's {@code DriverConductor} is the model): the only
 * writer of the topic registry and the only thread that creates or deletes partition files. It
 * opens every log at start-up and hands each to its shard; at run time it takes topic and config
 * changes from shards ({@link ConductorProxy}), runs them one at a time in arrival order, hands
 * partitions to and takes them back from their shards by command, and answers the asking shard
 * by command. It never waits for a shard, and no shard waits for it.
 *
 * <p>Its duty cycle: take new operations from the inbox, move commands that did not fit into
 * shards' inboxes, finish the current operation once every shard involved has answered, start
 * the next.
 */
public final class Conductor implements Agent
{
    /** Topic changes waiting to run; past this a shard is answered BUSY rather than made to wait. */
    public static final int INBOX_CAPACITY = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(Conductor.class);

    private final Path logDir;
    private final TopicRegistry registry;
    private final Shard[] shards;
    private final ShardProxy[] proxies;
    private final EpochClock clock;
    private final long retentionCheckIntervalMs;
    private final SegmentRetirement retirement;
    /** Kafka's name, and its default interval (replica.high.watermark.checkpoint.interval.ms). */
    static final String HIGH_WATERMARK_CHECKPOINT = "replication-offset-checkpoint";
    private static final long HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS = 5_000;
    private final LogStartOffsetCheckpoint logStartCheckpoint;
    /**
     * Kafka's replication-offset-checkpoint: the high watermark of every replicated partition, so that
     * after a restart readers see no more than the in-sync replicas had (not the local log end).
     */
    private final LogStartOffsetCheckpoint highWatermarkCheckpoint;
    private long nextHighWatermarkCheckpointMs;
    /** What the last high-watermark checkpoint held; it is rewritten only when this changes. */
    private Map<String, Map<Integer, Long>> lastHighWatermarks = Map.of();
    private long nextRetentionCheckMs;
    private final List<BrokerConfigListener> brokerConfigListeners = new CopyOnWriteArrayList<>();
    /** The broker's topic defaults; written by the conductor only (a broker config change), read by anyone. */
    private volatile LogConfig defaults;
    private final ManyToOneConcurrentArrayQueue<TopicOperation> inbox = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
    private final ArrayDeque<TopicOperation> waiting = new ArrayDeque<>();
    private TopicOperation current;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile Thread thread;
    /** A cluster member's: where its topic changes are decided; null on a single node. */
    private volatile QuorumTopics quorumTopics;

    public Conductor(final Path logDir, final TopicRegistry registry, final Shard[] shards,
        final LogConfig defaults, final EpochClock clock, final ShardCounters counters, final long retentionCheckIntervalMs)
    {
        this.logDir = logDir;
        this.registry = registry;
        this.shards = shards;
        this.defaults = defaults;
        this.clock = clock;
        this.retentionCheckIntervalMs = retentionCheckIntervalMs;
        this.logStartCheckpoint = new LogStartOffsetCheckpoint(logDir);
        this.highWatermarkCheckpoint = new LogStartOffsetCheckpoint(logDir, HIGH_WATERMARK_CHECKPOINT);
        this.retirement = new SegmentRetirement(logStartCheckpoint, registry, this::wake);
        this.proxies = new ShardProxy[shards.length];
        for (int i = 0; i < shards.length; i++)
        {
            proxies[i] = ShardProxy.from(shards[i], counters);
        }
    }

    /** How shard {@code shardId} asks for topic changes (answers arrive on that shard's thread). */
    public ConductorProxy proxyFor(final int shardId)
    {
        return new ConductorProxy(this, shardId);
    }

    /** How a thread that is not a shard asks (tests, tools): answers arrive on the conductor's thread. */
    public ConductorProxy externalProxy()
    {
        return new ConductorProxy(this, -1);
    }

    TopicRegistry registry()
    {
        return registry;
    }

    /** A cluster member forwards topic changes to the metadata quorum from now on (set before clients connect). */
    public void forwardTopicChangesTo(final QuorumTopics quorum)
    {
        this.quorumTopics = quorum;
    }

    QuorumTopics quorumTopics()
    {
        return quorumTopics;
    }

    /** The settings every log starts from before its topic's overrides: the broker's topic defaults in force now. */
    public LogConfig defaults()
    {
        return defaults;
    }

    /**
     * The settings of a log of a topic with these overrides, over the defaults in force now.
     *
     * @throws IllegalArgumentException if a value the log uses is not valid
     */
    public LogConfig logConfigFor(final Map<String, String> topicConfigs)
    {
        return defaults.withTopicOverrides(topicConfigs);
    }

    /** Conductor thread only, within a broker config change: logs opened from now on start from these. */
    void replaceDefaults(final LogConfig newDefaults)
    {
        this.defaults = newDefaults;
    }

    /** Registers a listener for broker keys changed at run time (see {@link BrokerConfigListener}). */
    public void addBrokerConfigListener(final BrokerConfigListener listener)
    {
        brokerConfigListeners.add(listener);
    }

    /** Tells every listener, on this thread; one that throws is logged and does not stop the others. */
    void brokerConfigChanged(final Map<String, Object> changed)
    {
        for (final BrokerConfigListener listener : brokerConfigListeners)
        {
            try
            {
                listener.onBrokerConfigChange(changed);
            }
            catch (final RuntimeException ex)
            {
                LOG.error("a broker config listener failed on the change of {}", changed.keySet(), ex);
            }
        }
    }

    /**
     * Start-up, before any shard runs: loads the registry, opens (and after an unclean shutdown
     * recovers) the log of every partition with a replica on this node, hands each to its shard,
     * and deletes partition directories whose topic no longer exists (a change cut short by a
     * crash) or whose replica here the metadata no longer names (moved away by a reassignment while
     * this node was down, as Kafka deletes stray logs); other folders are left alone.
     */
    public void openExisting(final boolean cleanShutdown) throws IOException
    {
        registry.load();
        if (!cleanShutdown && !registry.snapshot().topics().isEmpty())
        {
            LOG.warn("no clean-shutdown marker in {}: recovering the active segment of every partition", logDir);
        }
        final Set<String> expected = new HashSet<>();
        final Map<String, Long> logStarts = logStartCheckpoint.read();
        final Map<String, Long> highWatermarks = highWatermarkCheckpoint.read();
        for (final Topic topic : registry.snapshot().topics())
        {
            for (int i = 0; i < topic.partitionCount(); i++)
            {
                final Partition partition = topic.partition(i);
                if (!partition.leadership().hasReplicaOn(registry.localNodeId()))
                {
                    continue;
                }
                expected.add(partition.name());
                final PartitionLog log = PartitionLog.open(partition.name(), logDir.resolve(partition.name()),
                    logConfigFor(topic.configs()), clock, partition.state(), cleanShutdown,
                    logStarts.getOrDefault(partition.name(), -1L));
                final Long highWatermark = highWatermarks.get(partition.name());
                if (highWatermark != null && partition.leadership().replicas().size() > 1)
                {
                    // Past the checkpoint, the local log may hold what no other replica has: readers wait for replication.
                    log.restrictHighWatermark(highWatermark);
                }
                shards[partition.shard()].runBeforeStart(new AdoptAtStartUp(partition, log));
            }
        }
        // Entries of topics deleted since the last write (a crash can leave them) must not outlive them.
        checkpointLogStarts();
        try (var dirs = Files.newDirectoryStream(logDir, Files::isDirectory))
        {
            for (final Path dir : dirs)
            {
                final String name = dir.getFileName().toString();
                if (isPartitionDirectoryName(name) && !expected.contains(name))
                {
                    LOG.info("deleting {}: its topic no longer exists, or has no replica on this node", dir);
                    deleteRecursively(dir);
                }
            }
        }
    }

    /** Called once, just before the conductor's thread starts: from now on every change goes through the inbox. */
    public void markRunning()
    {
        running = true;
    }

    /**
     * Takes an operation from any thread. Before the conductor runs (start-up, tests) it runs at
     * once on the calling thread.
     *
     * @return false if the inbox is full.
     */
    boolean offer(final TopicOperation operation)
    {
        if (closed)
        {
            return false;
        }
        if (!running)
        {
            runBeforeStart(operation);
            return true;
        }
        if (!inbox.offer(operation))
        {
            return false;
        }
        wake();
        return true;
    }

    /** Ends the conductor's idle park early: it has work (a new operation, or every shard answered the current one). */
    void wake()
    {
        final Thread conductorThread = thread;
        if (conductorThread != null)
        {
            LockSupport.unpark(conductorThread);
        }
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
        // The first check waits a whole interval, as Kafka's scheduler does.
        nextRetentionCheckMs = clock.time() + retentionCheckIntervalMs;
    }

    /**
     * Any thread: segments taken out of {@code partition}'s log go off the disk, after its log start
     * offset is checkpointed and its topic's file.delete.delay.ms (see {@link SegmentRetirement}).
     */
    public void retire(final Partition partition, final List<Segment> segments, final long delayMs, final Runnable afterRenamed)
    {
        retirement.retire(partition, segments, delayMs, afterRenamed);
    }

    /**
     * Writes the high watermark of every replicated partition, as the shards published it, if it
     * changed since the last write (a single node, with nothing replicated, never writes one).
     */
    private int checkpointHighWatermarks()
    {
        final Map<String, Map<Integer, Long>> highWatermarks = new java.util.TreeMap<>();
        for (final Topic topic : registry.snapshot().topics())
        {
            for (int i = 0; i < topic.partitionCount(); i++)
            {
                final Partition partition = topic.partition(i);
                if (partition.leadership().replicas().size() > 1 && partition.log() != null)
                {
                    highWatermarks.computeIfAbsent(topic.name(), name -> new java.util.TreeMap<>()).put(i, partition.state().highWatermark());
                }
            }
        }
        if (highWatermarks.equals(lastHighWatermarks))
        {
            return 0;
        }
        try
        {
            highWatermarkCheckpoint.write(highWatermarks);
            lastHighWatermarks = highWatermarks;
        }
        catch (final java.io.UncheckedIOException ex)
        {
            LOG.warn("cannot write the high-watermark checkpoint in {}: {}", logDir, ex.getMessage());
        }
        return 1;
    }

    /** Rewrites the log start offset checkpoint from every partition's published state. Conductor thread only. */
    void checkpointLogStarts()
    {
        retirement.writeCheckpoint();
    }

    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        int work = inbox.drain(waiting::add);
        if (nowMs >= nextRetentionCheckMs)
        {
            nextRetentionCheckMs = nowMs + retentionCheckIntervalMs;
            for (int i = 0; i < shards.length; i++)
            {
                send(i, new RetentionCheck(retirement));
            }
            work++;
        }
        work += retirement.doWork(nowMs);
        if (nowMs >= nextHighWatermarkCheckpointMs)
        {
            nextHighWatermarkCheckpointMs = nowMs + HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS;
            work += checkpointHighWatermarks();
        }
        for (final ShardProxy proxy : proxies)
        {
            work += proxy.retryBacklog();
        }
        if (current != null && current.shardsAnswered())
        {
            complete(current, finish(current));
            current = null;
            work++;
        }
        while (current == null && !waiting.isEmpty())
        {
            final TopicOperation next = waiting.poll();
            final TopicResult refused = start(next);
            if (refused != null)
            {
                complete(next, refused);
            }
            else
            {
                current = next;
            }
            work++;
        }
        return work;
    }

    private void runBeforeStart(final TopicOperation operation)
    {
        final TopicResult refused = start(operation);
        complete(operation, refused != null ? refused : finish(operation));
    }

    private TopicResult start(final TopicOperation operation)
    {
        operation.runBy(this);
        try
        {
            return operation.start(this);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("topic change failed; undoing it", ex);
            try
            {
                operation.abandon(this);
            }
            catch (final RuntimeException undo)
            {
                LOG.error("undoing the failed topic change failed too; leftover files are removed at the next start", undo);
            }
            return TopicResult.failed(TopicResult.Outcome.FAILED, String.valueOf(ex.getMessage()));
        }
    }

    private TopicResult finish(final TopicOperation operation)
    {
        try
        {
            return operation.finish(this, operation.shardFailure());
        }
        catch (final RuntimeException ex)
        {
            LOG.error("topic change failed while being published", ex);
            return TopicResult.failed(TopicResult.Outcome.FAILED, String.valueOf(ex.getMessage()));
        }
    }

    private void complete(final TopicOperation operation, final TopicResult result)
    {
        final int replyShard = operation.replyShard();
        if (replyShard >= 0 && running)
        {
            send(replyShard, new DeliverResult(operation.handler(), result));
            return;
        }
        try
        {
            operation.handler().onResult(result);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("a topic change's answer could not be delivered", ex);
            operation.handler().onFailure(ex);
        }
    }

    /**
     * Sends a command to a shard from the conductor's thread (a step run after retiring segments
     * answers its requester this way): through its inbox once running, at once before.
     */
    public void send(final int shardId, final ShardCommand command)
    {
        if (running)
        {
            proxies[shardId].send(command);
        }
        else
        {
            shards[shardId].runBeforeStart(command);
        }
    }

    /** Opens the log of a partition that is new, removing any directory a lost deletion left under its name. */
    PartitionLog openNewLog(final Topic topic, final Partition partition)
    {
        final Path dir = logDir.resolve(partition.name());
        if (Files.exists(dir))
        {
            LOG.warn("deleting {} before creating {}: it belongs to no topic", dir, partition);
            try
            {
                deleteRecursively(dir);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot remove the leftover directory " + dir, ex);
            }
        }
        return PartitionLog.open(partition.name(), dir, logConfigFor(topic.configs()), clock, partition.state(), true);
    }

    /** A deleted topic's released log: renamed now, deleted after its file.delete.delay.ms (see {@link SegmentRetirement#retireLog}). */
    void retireLog(final Partition partition, final PartitionLog log)
    {
        retirement.retireLog(partition, log, log.config().fileDeleteDelayMs(), clock.time());
    }

    void closeAndDelete(final PartitionLog log)
    {
        try
        {
            log.closeAndDelete();
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cannot delete a deleted topic's partition files; they are removed at the next start", ex);
        }
    }

    void deleteLogsNobodyOwns(final List<PartitionLog> logs)
    {
        for (final PartitionLog log : logs)
        {
            closeAndDelete(log);
        }
    }

    @Override
    public void onClose()
    {
        closed = true;
        TopicOperation operation;
        while ((operation = inbox.poll()) != null)
        {
            waiting.add(operation);
        }
        if (current != null)
        {
            LOG.warn("shutting down with a topic change in progress; the next start-up completes or removes it");
        }
        // Answered on the asking shards, which stop after the conductor.
        for (final TopicOperation left : waiting)
        {
            complete(left, TopicResult.failed(TopicResult.Outcome.BUSY, "the broker is shutting down"));
        }
        waiting.clear();
        retirement.close();
    }

    @Override
    public String roleName()
    {
        return "runnel-conductor";
    }

    /**
     * Whether a directory in the log directory can be a partition's (topic-N) or a deleted one's
     * (topic-N.tag-delete): only those are the conductor's to delete. Anything else there is
     * somebody else's, such as the metadata quorum's __quorum or Runnel's own dot-folders.
     */
    static boolean isPartitionDirectoryName(final String name)
    {
        if (name.startsWith("."))
        {
            return false;
        }
        if (name.endsWith(SegmentRetirement.DELETED_DIR_SUFFIX))
        {
            return true;
        }
        final int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1)
        {
            return false;
        }
        for (int i = dash + 1; i < name.length(); i++)
        {
            if (!Character.isDigit(name.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        try (var paths = Files.walk(dir))
        {
            final List<Path> all = paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
            for (final Path path : all)
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Start-up hand-over, executed directly on the not-yet-running shard. */
    private record AdoptAtStartUp(Partition partition, PartitionLog log) implements ShardCommand
    {
        @Override
        public void execute(final Shard shard)
        {
            shard.adopt(partition, log);
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            throw new IllegalStateException("shard " + shard.id() + " could not take " + partition + " at start-up", cause);
        }
    }

    /** The answer to a topic change, delivered on the shard that asked. */
    private record DeliverResult(TopicResultHandler handler, TopicResult result) implements ShardCommand
    {
        @Override
        public void execute(final Shard shard)
        {
            handler.onResult(result);
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            handler.onFailure(cause);
        }
    }
}
