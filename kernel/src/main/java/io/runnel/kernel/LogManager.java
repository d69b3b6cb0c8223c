package io.runnel.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.PartitionPlacement;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel as the layers above see it: the log directory, the shards and the topics whose
 * partitions they own. Start-up recovery, topic creation and deletion, and clean shutdown (with
 * its marker, so the next start-up can skip the recovery scan) all go through here.
 */
public final class LogManager implements AutoCloseable
{
    public static final String CLEAN_SHUTDOWN_FILE = ".runnel-clean-shutdown";
    private static final String LOCK_FILE = ".lock";
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final Path logDir;
    private final LogConfig defaults;
    private final EpochClock clock;
    private final Shard[] shards;
    private final TopicRegistry registry;
    private final List<AgentRunner> runners = new ArrayList<>();
    private FileChannel lockChannel;
    private FileLock lock;
    private boolean cleanShutdown;

    public LogManager(final Path logDir, final int shardCount, final LogConfig defaults, final EpochClock clock)
    {
        if (shardCount < 1)
        {
            throw new IllegalArgumentException("runnel.shards must be at least 1, was " + shardCount);
        }
        this.logDir = logDir;
        this.defaults = defaults;
        this.clock = clock;
        this.shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            shards[i] = new Shard(i, clock);
        }
        this.registry = new TopicRegistry(logDir, new PartitionPlacement(shardCount));
    }

    /**
     * Locks the directory, loads topics and opens every partition log, recovering the active
     * segments if the last shutdown was not clean. Shards are not running yet.
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
            cleanShutdown = Files.exists(marker);
            registry.load();
            if (!cleanShutdown && !registry.snapshot().topics().isEmpty())
            {
                LOG.warn("no clean-shutdown marker in {}: recovering the active segment of every partition", logDir);
            }
            final Set<String> expected = new HashSet<>();
            for (final Topic topic : registry.snapshot().topics())
            {
                for (int i = 0; i < topic.partitionCount(); i++)
                {
                    final Partition partition = topic.partition(i);
                    expected.add(partition.name());
                    shards[partition.shard()].adopt(partition, openLog(topic, partition, cleanShutdown));
                }
            }
            deleteOrphans(expected);
            Files.deleteIfExists(marker);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open log directory " + logDir, ex);
        }
    }

    /** Partition directories of topics that no longer exist (a deletion cut short by a crash). */
    private void deleteOrphans(final Set<String> expected) throws IOException
    {
        try (var dirs = Files.newDirectoryStream(logDir, Files::isDirectory))
        {
            for (final Path dir : dirs)
            {
                final String name = dir.getFileName().toString();
                if (!name.startsWith(".") && !expected.contains(name))
                {
                    LOG.info("deleting {}: its topic no longer exists", dir);
                    deleteRecursively(dir);
                }
            }
        }
    }

    /** Starts one thread per shard. */
    public void startShards(final IntFunction<IdleStrategy> idleStrategyForShard)
    {
        for (final Shard shard : shards)
        {
            final AgentRunner runner = new AgentRunner(idleStrategyForShard.apply(shard.id()),
                ex -> LOG.error("shard {} error", shard.id(), ex), null, shard);
            runners.add(runner);
            AgentRunner.startOnThread(runner);
        }
    }

    public boolean wasCleanShutdown()
    {
        return cleanShutdown;
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

    public Path logDir()
    {
        return logDir;
    }

    public LogConfig defaults()
    {
        return defaults;
    }

    /** Broker defaults overridden by the topic's own configs (Kafka's topic-level key names). */
    public LogConfig logConfigFor(final Map<String, String> topicConfigs)
    {
        return defaults.withTopicOverrides(topicConfigs);
    }

    private PartitionLog openLog(final Topic topic, final Partition partition, final boolean clean)
    {
        return PartitionLog.open(partition.name(), logDir.resolve(partition.name()), logConfigFor(topic.configs()),
            clock, partition.state(), clean);
    }

    /**
     * Creates a topic: its logs are opened here and handed to their shards before the topic is
     * visible, so requests that see it find the logs adopted (or get a retriable error if they
     * race the hand-over).
     *
     * @return the topic, or null if a topic of that name exists or is still being deleted.
     */
    public Topic createTopic(final String name, final int partitions, final Map<String, String> configs)
    {
        synchronized (registry)
        {
            if (registry.snapshot().topic(name) != null || partitionDirsExist(name, 0, partitions))
            {
                return null;
            }
            final Topic topic = registry.create(name, partitions, configs);
            openAndHandOver(topic, 0);
            return topic;
        }
    }

    /** @return the grown topic, or null if it does not exist. */
    public Topic createPartitions(final String name, final int newCount)
    {
        synchronized (registry)
        {
            final Topic existing = registry.snapshot().topic(name);
            if (existing == null)
            {
                return null;
            }
            final Topic grown = registry.addPartitions(name, newCount);
            openAndHandOver(grown, existing.partitionCount());
            return grown;
        }
    }

    private void openAndHandOver(final Topic topic, final int fromPartition)
    {
        for (int i = fromPartition; i < topic.partitionCount(); i++)
        {
            final Partition partition = topic.partition(i);
            final PartitionLog log = openLog(topic, partition, true);
            runOn(partition.shard(), shard -> shard.adopt(partition, log));
        }
    }

    /** Removes a topic; each owning shard closes and deletes its partitions' files. */
    public Topic deleteTopic(final String name)
    {
        synchronized (registry)
        {
            final Topic topic = registry.delete(name);
            if (topic != null)
            {
                for (int i = 0; i < topic.partitionCount(); i++)
                {
                    final Partition partition = topic.partition(i);
                    runOn(partition.shard(), shard -> shard.dropAndDelete(partition));
                }
            }
            return topic;
        }
    }

    private boolean partitionDirsExist(final String name, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (Files.exists(logDir.resolve(name + "-" + i)))
            {
                return true;
            }
        }
        return false;
    }

    /** Runs a command on a shard: at once if we are on it (or shards are not running), else through its inbox. */
    private void runOn(final int shardId, final ShardCommand command)
    {
        final Shard shard = shards[shardId];
        if (runners.isEmpty() || shard.isCurrentThread())
        {
            command.execute(shard);
            return;
        }
        while (!shard.offer(command))
        {
            Thread.onSpinWait();
        }
    }

    /** Stops the shards (each closes its logs cleanly), then writes the clean-shutdown marker. */
    @Override
    public void close()
    {
        boolean allClosed = true;
        for (final AgentRunner runner : runners)
        {
            try
            {
                runner.close();
            }
            catch (final RuntimeException ex)
            {
                allClosed = false;
                LOG.error("shard did not stop cleanly", ex);
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
}
