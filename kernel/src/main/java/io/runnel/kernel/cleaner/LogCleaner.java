package io.runnel.kernel.cleaner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.runnel.kernel.conductor.Conductor;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log compaction for topics with cleanup.policy=compact (or compact,delete), as Kafka's
 * {@code LogCleaner}: log.cleaner.threads threads of its own (never shard threads), each cleaning
 * the dirtiest compacted log that no other is cleaning ({@link CleanerThread}), sharing one I/O
 * throttle and the {@code cleaner-offset-checkpoint} file. Started and stopped by the LogManager.
 * See the cleaner's section of the kernel README for the files and the swap protocol.
 */
public final class LogCleaner implements AutoCloseable
{
    private static final long IDLE_MIN_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int CLOSE_RETRY_MS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);

    private final CleanerConfig config;
    private final Shard[] shards;
    private final Conductor conductor;
    private final TopicRegistry registry;
    private final EpochClock clock;
    private final CleanerCheckpoint checkpoint;
    private final Throttler throttler;
    private final Set<Partition> inProgress = ConcurrentHashMap.newKeySet();
    /** Counts finished cleans; each log remembers the count at its last one, so a view described before it is known stale. */
    private final AtomicLong cleansFinished = new AtomicLong();
    private final Map<Partition, Long> finishedAt = new ConcurrentHashMap<>();
    /** Earliest delete horizon each log's last clean left in it (in memory: after a restart, the next dirty clean finds them). */
    private final Map<Partition, Long> deleteHorizons = new ConcurrentHashMap<>();
    /** Logs whose last clean failed or was refused, and when they may be tried again. */
    private final Map<Partition, Long> backingOff = new ConcurrentHashMap<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private volatile boolean stopping;

    public LogCleaner(final CleanerConfig config, final Path logDir, final Shard[] shards, final Conductor conductor,
        final TopicRegistry registry, final EpochClock clock)
    {
        this.config = config;
        this.shards = shards;
        this.conductor = conductor;
        this.registry = registry;
        this.clock = clock;
        this.checkpoint = new CleanerCheckpoint(logDir);
        this.throttler = new Throttler(config.maxIoBytesPerSecond());
    }

    /** The settings this cleaner runs with. */
    public CleanerConfig config()
    {
        return config;
    }

    /** Starts the cleaner threads (none if log.cleaner.enable is false). */
    public void start()
    {
        if (!config.enable())
        {
            LOG.info("log.cleaner.enable=false: compacted topics are not cleaned");
            return;
        }
        for (int i = 0; i < config.threads(); i++)
        {
            final CleanerThread thread = new CleanerThread(i, this, config, throttler);
            // Parked rather than asleep between rounds, so that close can wake a thread at once (see close).
            final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(1, 1, IDLE_MIN_PARK_NS,
                TimeUnit.MILLISECONDS.toNanos(Math.max(1, config.backoffMs()))),
                ex -> LOG.error("log cleaner thread error", ex), null, thread);
            runners.add(runner);
            AgentRunner.startOnThread(runner);
        }
    }

    /** Stops the threads; a clean in progress stops at its next check and leaves files recovery knows how to finish or remove. */
    @Override
    public void close()
    {
        stopping = true;
        for (final AgentRunner runner : runners)
        {
            // An idle thread parks for up to log.cleaner.backoff.ms: each retry of the close unparks it.
            runner.close(CLOSE_RETRY_MS, LockSupport::unpark);
        }
        runners.clear();
    }

    boolean isStopping()
    {
        return stopping;
    }

    Shard[] shards()
    {
        return shards;
    }

    Conductor conductor()
    {
        return conductor;
    }

    EpochClock clock()
    {
        return clock;
    }

    CleanerCheckpoint checkpoint()
    {
        return checkpoint;
    }

    /** The count of finished cleans, read before a thread asks the shards for their logs. */
    long cleansFinished()
    {
        return cleansFinished.get();
    }

    /**
     * Takes {@code partition} for one clean, unless another thread holds it or finished a clean of
     * it after {@code describedAt} (the view the caller has is then stale: its segments may be
     * replaced already, and a clean of them would race the other clean's files).
     */
    boolean claim(final Partition partition, final long describedAt)
    {
        if (!inProgress.add(partition))
        {
            return false;
        }
        if (finishedAt.getOrDefault(partition, Long.MIN_VALUE) > describedAt)
        {
            inProgress.remove(partition);
            return false;
        }
        return true;
    }

    /** The clean of {@code partition} is over, whatever its outcome. */
    void release(final Partition partition)
    {
        finishedAt.put(partition, cleansFinished.incrementAndGet());
        inProgress.remove(partition);
    }

    long earliestDeleteHorizon(final Partition partition)
    {
        return deleteHorizons.getOrDefault(partition, Long.MAX_VALUE);
    }

    boolean isBackingOff(final Partition partition, final long nowMs)
    {
        final Long until = backingOff.get(partition);
        return until != null && nowMs < until;
    }

    void backOff(final Partition partition, final long nowMs)
    {
        backingOff.put(partition, nowMs + config.backoffMs());
    }

    /** A clean of {@code partition} finished: checkpoint where it stopped and remember the tombstones it left. */
    void onCleaned(final Partition partition, final long firstDirtyOffset, final long earliestDeleteHorizon)
    {
        backingOff.remove(partition);
        if (earliestDeleteHorizon == Long.MAX_VALUE)
        {
            deleteHorizons.remove(partition);
        }
        else
        {
            deleteHorizons.put(partition, earliestDeleteHorizon);
        }
        checkpoint.update(partition, firstDirtyOffset, topic -> registry.snapshot().topic(topic) != null);
        // Partitions of deleted (or deleted and re-created) topics are forgotten.
        deleteHorizons.keySet().removeIf(gone -> registry.snapshot().topic(gone.topic().name()) != gone.topic());
        backingOff.keySet().removeIf(gone -> registry.snapshot().topic(gone.topic().name()) != gone.topic());
        finishedAt.keySet().removeIf(gone -> registry.snapshot().topic(gone.topic().name()) != gone.topic());
    }
}
