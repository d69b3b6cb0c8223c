package io.runnel.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

import io.runnel.kernel.cleaner.CleanerConfig;
import io.runnel.kernel.cleaner.LogCleaner;
import io.runnel.kernel.config.BrokerConfigListener;
import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.conductor.BrokerConfigUpdate;
import io.runnel.kernel.conductor.Conductor;
import io.runnel.kernel.conductor.ConductorProxy;
import io.runnel.kernel.conductor.TopicResult;
import io.runnel.kernel.conductor.TopicResultHandler;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PageCacheWriteback;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCounters;
import io.runnel.kernel.threading.ShardThreads;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.PartitionPlacement;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel as the layers above see it: the log directory, the shards that own its partitions,
 * and the conductor that changes them. {@link #open} locks the directory and has the conductor
 * open (and, after a crash, recover) every log; {@link #start} starts the conductor's and the
 * shards' threads; {@link #close} stops them and leaves the clean-shutdown marker, so the next
 * start-up can skip the recovery scan.
 */
public final class LogManager implements AutoCloseable
{
    public static final String CLEAN_SHUTDOWN_FILE = ".runnel-clean-shutdown";
    private static final String LOCK_FILE = ".lock";
    private static final long CONDUCTOR_MAX_PARK_NS = 50_000_000;
    /** How long a caller that is not a shard (tests, tools) waits for a topic change. */
    private static final long BLOCKING_CHANGE_TIMEOUT_SECONDS = 60;
    /** Room for four counters per shard plus the conductor's, with their labels. */
    private static final int COUNTERS_PER_OWNER = 4;
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final Path logDir;
    private final Shard[] shards;
    private final TopicRegistry registry;
    private final CountersManager counters;
    private final Conductor conductor;
    private final ConductorProxy externalConductor;
    private final EpochClock clock;
    /** Replaced when a log.cleaner.* key changes at run time; guarded by {@code this}. */
    private LogCleaner cleaner;
    private boolean cleanerStarted;
    private PageCacheWriteback writeback;
    private final List<AgentRunner> runners = new ArrayList<>();
    private FileChannel lockChannel;
    private FileLock lock;

    /** Kafka's default log.retention.check.interval.ms: five minutes. */
    public static final long DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;

    public LogManager(final Path logDir, final int shardCount, final LogConfig defaults, final EpochClock clock)
    {
        this(logDir, shardCount, defaults, clock, DEFAULT_RETENTION_CHECK_INTERVAL_MS);
    }

    /**
     * @param retentionCheckIntervalMs how often the conductor has every shard look for segments
     *                                 past retention (log.retention.check.interval.ms)
     */
    public LogManager(final Path logDir, final int shardCount, final LogConfig defaults, final EpochClock clock,
        final long retentionCheckIntervalMs)
    {
        this(logDir, shardCount, defaults, clock, retentionCheckIntervalMs, CleanerConfig.DEFAULTS);
    }

    /**
     * @param retentionCheckIntervalMs how often the conductor has every shard look for segments
     *                                 past retention (log.retention.check.interval.ms)
     * @param cleanerConfig            the log cleaner's settings (log.cleaner.*)
     */
    public LogManager(final Path logDir, final int shardCount, final LogConfig defaults, final EpochClock clock,
        final long retentionCheckIntervalMs, final CleanerConfig cleanerConfig)
    {
        this(logDir, shardCount, defaults, clock, retentionCheckIntervalMs, cleanerConfig, 0, false);
    }

    /**
     * @param retentionCheckIntervalMs how often the conductor has every shard look for segments
     *                                 past retention (log.retention.check.interval.ms)
     * @param cleanerConfig            the log cleaner's settings (log.cleaner.*)
     * @param localNodeId              this node's id (node.id): a single node leads every partition it creates
     * @param topicsFromQuorum         a cluster member: its topics are the metadata quorum's, given to
     *                                 {@link TopicRegistry#loadFromQuorum} before {@link #open}, and none is stored here
     */
    public LogManager(final Path logDir, final int shardCount, final LogConfig defaults, final EpochClock clock,
        final long retentionCheckIntervalMs, final CleanerConfig cleanerConfig, final int localNodeId, final boolean topicsFromQuorum)
    {
        if (shardCount < 1)
        {
            throw new IllegalArgumentException("runnel.shards must be at least 1, was " + shardCount);
        }
        this.logDir = logDir;
        final int counterCount = (shardCount + 1) * COUNTERS_PER_OWNER;
        this.counters = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(counterCount * CountersManager.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(counterCount * CountersManager.COUNTER_LENGTH)));
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            shards[i] = new Shard(i, clock, new ShardCounters(counters, "shard " + i));
        }
        for (final Shard shard : shards)
        {
            shard.connect(shards);
        }
        this.registry = new TopicRegistry(logDir, new PartitionPlacement(shardCount, localNodeId), !topicsFromQuorum);
        this.conductor = new Conductor(logDir, registry, shards, defaults, clock, new ShardCounters(counters, "conductor"),
            retentionCheckIntervalMs);
        this.externalConductor = conductor.externalProxy();
        this.clock = clock;
        this.cleaner = new LogCleaner(cleanerConfig, logDir, shards, conductor, registry, clock);
        conductor.addBrokerConfigListener(this::reconfigureCleaner);
    }

    /**
     * A log.cleaner.* key changed (AlterConfigs): the cleaner's threads are stopped and started
     * again with the new settings, as Kafka's LogCleaner.reconfigure does, on a thread of its own,
     * since stopping waits for a clean in progress and the conductor must not wait.
     */
    private void reconfigureCleaner(final Map<String, Object> changed)
    {
        final CleanerConfig current;
        synchronized (this)
        {
            if (cleaner == null)
            {
                return;
            }
            current = cleaner.config();
        }
        final CleanerConfig next;
        try
        {
            next = current.withChanges(changed);
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.error("the log cleaner keeps its settings: {}", ex.getMessage());
            return;
        }
        if (next == null || next.equals(current))
        {
            return;
        }
        final Thread restart = new Thread(() -> restartCleaner(next), "runnel-cleaner-reconfigure");
        restart.setDaemon(true);
        restart.start();
    }

    private synchronized void restartCleaner(final CleanerConfig next)
    {
        if (cleaner == null)
        {
            return; // closed meanwhile
        }
        cleaner.close();
        cleaner = new LogCleaner(next, logDir, shards, conductor, registry, clock);
        if (cleanerStarted)
        {
            cleaner.start();
        }
        LOG.info("log cleaner restarted with {}", next);
    }

    /**
     * Page-cache policy: a background thread has each active segment's data written back every
     * {@code thresholdBytes} appended (see {@link PageCacheWriteback}). Call before {@link #start}.
     */
    public void writeBackEvery(final int thresholdBytes)
    {
        writeback = new PageCacheWriteback(thresholdBytes);
        for (final Shard shard : shards)
        {
            shard.pageCacheWriteback(writeback);
        }
    }

    /**
     * Locks the directory, then the conductor loads topics and opens every partition log,
     * recovering the active segments if the last shutdown was not clean, and hands each log to its
     * shard (whose partition listeners, e.g. coordinators, load from it). No thread runs yet.
     */
    public void open()
    {
        try
        {
            Files.createDirectories(logDir);
            lockChannel = FileChannel.open(logDir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
            if (lock == null)
            {
                throw new IllegalStateException("log directory " + logDir + " is in use by another broker");
            }
            final Path marker = logDir.resolve(CLEAN_SHUTDOWN_FILE);
            conductor.openExisting(Files.exists(marker));
            Files.deleteIfExists(marker);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open log directory " + logDir, ex);
        }
    }

    /** Starts the conductor's thread, one thread per shard, and the log cleaner's threads. */
    public void start(final IntFunction<IdleStrategy> idleStrategyForShard)
    {
        conductor.markRunning();
        if (writeback != null)
        {
            writeback.start();
        }
        // An idle conductor parks up to 50 ms at a time: new work and shards' answers unpark it at once.
        start(new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, CONDUCTOR_MAX_PARK_NS),
            ex -> LOG.error("conductor error", ex), null, conductor));
        for (final Shard shard : shards)
        {
            start(new AgentRunner(idleStrategyForShard.apply(shard.id()), ex -> LOG.error("shard {} error", shard.id(), ex), null, shard));
        }
        synchronized (this)
        {
            cleanerStarted = true;
            cleaner.start();
        }
    }

    private void start(final AgentRunner runner)
    {
        runners.add(runner);
        AgentRunner.startOnThread(runner);
    }

    public Shard shard(final int id)
    {
        return shards[id];
    }

    public int shardCount()
    {
        return shards.length;
    }

    public TopicRegistry registry()
    {
        return registry;
    }

    /** Live back-pressure and failure counters of every shard and the conductor. */
    public CountersManager counters()
    {
        return counters;
    }

    /** How shard {@code shardId} asks the conductor for topic changes; the answer comes back on that shard. */
    public ConductorProxy conductorFor(final int shardId)
    {
        return conductor.proxyFor(shardId);
    }

    /** The conductor, for handing it segments to retire ({@link Conductor#retire}); any thread. */
    public Conductor conductor()
    {
        return conductor;
    }

    public Path logDir()
    {
        return logDir;
    }

    /** The broker's topic defaults in force now (they change with the broker's dynamic configs). */
    public LogConfig defaults()
    {
        return conductor.defaults();
    }

    /** Broker defaults overridden by the topic's own configs (Kafka's topic-level key names). */
    public LogConfig logConfigFor(final Map<String, String> topicConfigs)
    {
        return conductor.logConfigFor(topicConfigs);
    }

    /**
     * Registers a listener for broker keys changed at run time (the log cleaner's settings, say);
     * it is called on the conductor's thread once the change is in force.
     */
    public void addBrokerConfigListener(final BrokerConfigListener listener)
    {
        conductor.addBrokerConfigListener(listener);
    }

    /**
     * Creates a topic through the conductor and waits for it: for callers that are not shards
     * (tests, tools, start-up). Shards ask through {@link #conductorFor} and never wait.
     *
     * @return the topic, or null if a topic of that name exists.
     */
    public Topic createTopic(final String name, final int partitions, final Map<String, String> configs)
    {
        return await("creating topic " + name, handler -> externalConductor.createTopic(name, partitions, configs, handler));
    }

    /**
     * As {@link #createTopic}, for a cluster member applying a topic as the metadata quorum committed it.
     *
     * @return the topic as applied
     * @throws IllegalStateException if it cannot be applied (the message says why)
     */
    public Topic applyTopicMetadata(final String name, final Uuid id, final Map<String, String> configs, final List<Leadership> leaderships)
    {
        return await("applying the quorum's topic " + name, handler -> externalConductor.applyTopicMetadata(name, id, configs, leaderships, handler));
    }

    /** As {@link #createTopic}, for growing a topic. @return the grown topic, or null if it does not exist. */
    public Topic createPartitions(final String name, final int newCount)
    {
        return await("growing topic " + name, handler -> externalConductor.createPartitions(name, newCount, handler));
    }

    /** As {@link #createTopic}, for deleting a topic. @return the deleted topic, or null if it did not exist. */
    public Topic deleteTopic(final String name)
    {
        return await("deleting topic " + name, handler -> externalConductor.deleteTopic(name, handler));
    }

    /**
     * As {@link #createTopic}, for changing a topic's config overrides.
     *
     * @return the reconfigured topic, or null if it does not exist
     * @throws IllegalStateException if the change is refused (the message says why)
     */
    public Topic alterTopicConfigs(final String name, final ConfigChange change)
    {
        return await("changing the configs of topic " + name, handler -> externalConductor.alterTopicConfigs(name, change, false, handler));
    }

    /** As {@link #createTopic}, for changing the broker's dynamic keys. @throws IllegalStateException if refused */
    public void alterBrokerConfigs(final BrokerConfigUpdate update)
    {
        await("changing broker configs", handler -> externalConductor.alterBrokerConfigs(update, handler));
    }

    private static Topic await(final String what, final java.util.function.Consumer<TopicResultHandler> ask)
    {
        ShardThreads.refuseOnShardThread("waiting for the conductor (" + what + ")");
        final CompletableFuture<TopicResult> answer = new CompletableFuture<>();
        ask.accept(new TopicResultHandler()
        {
            @Override
            public void onResult(final TopicResult result)
            {
                answer.complete(result);
            }

            @Override
            public void onFailure(final Throwable cause)
            {
                answer.completeExceptionally(cause);
            }
        });
        final TopicResult result;
        try
        {
            result = answer.get(BLOCKING_CHANGE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException(what + " failed", ex);
        }
        return switch (result.outcome())
        {
            case DONE -> result.topic();
            case ALREADY_EXISTS, UNKNOWN_TOPIC -> null;
            default -> throw new IllegalStateException(what + " failed: " + result.message());
        };
    }

    /**
     * Stops the log cleaner, then the conductor, then the shards (each closes its logs cleanly),
     * then writes the clean-shutdown marker.
     */
    @Override
    public void close()
    {
        boolean allClosed = true;
        synchronized (this)
        {
            try
            {
                if (cleaner != null)
                {
                    cleaner.close();
                }
            }
            catch (final RuntimeException ex)
            {
                allClosed = false;
                LOG.error("the log cleaner did not stop cleanly", ex);
            }
            cleaner = null;
        }
        for (final AgentRunner runner : runners)
        {
            try
            {
                runner.close();
            }
            catch (final RuntimeException ex)
            {
                allClosed = false;
                LOG.error("{} did not stop cleanly", runner.agent().roleName(), ex);
            }
        }
        if (runners.isEmpty())
        {
            for (final Shard shard : shards)
            {
                shard.onClose();
            }
        }
        runners.clear();
        if (writeback != null)
        {
            writeback.close();
        }
        try
        {
            if (allClosed && lock != null)
            {
                Files.write(logDir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
            }
        }
        catch (final IOException ex)
        {
            LOG.error("cannot write the clean-shutdown marker", ex);
        }
        CloseHelper.closeAll(lock, lockChannel);
        lock = null;
    }
}
