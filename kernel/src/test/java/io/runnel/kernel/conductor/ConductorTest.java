package io.runnel.kernel.conductor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.runnel.kernel.LogManager;
import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Topic;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conductor as shards see it: running threads, no sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConductorTest
{
    private static final int SHARDS = 2;

    @TempDir
    Path dir;

    private LogManager logs;

    @BeforeEach
    void start()
    {
        logs = new LogManager(dir, SHARDS, LogConfig.defaults(), SystemEpochClock.INSTANCE);
        logs.open();
        logs.start(shard -> new SleepingMillisIdleStrategy(1));
    }

    @AfterEach
    void stop()
    {
        logs.close();
    }

    @Test
    void aCreatedTopicIsVisibleOnlyOnceEveryShardHoldsItsLogs() throws Exception
    {
        final Topic topic = logs.createTopic("orders", 6, Map.of());
        assertNotNull(topic);
        assertEquals(topic, logs.registry().snapshot().topic("orders"));
        for (int i = 0; i < topic.partitionCount(); i++)
        {
            final var partition = topic.partition(i);
            assertTrue(Files.isDirectory(dir.resolve(partition.name())), partition + " has its directory");
            final boolean[] owned = new boolean[1];
            onShard(partition.shard(), shard -> owned[0] = shard.ownedPartitions().contains(partition) && partition.log() != null);
            assertTrue(owned[0], partition + " is adopted by shard " + partition.shard());
        }
    }

    @Test
    void aShardAsksAndIsAnsweredOnItsOwnThread() throws Exception
    {
        final CompletableFuture<String> answeredOn = new CompletableFuture<>();
        final CompletableFuture<TopicResult> answer = new CompletableFuture<>();
        final var proxy = logs.conductorFor(1);
        onShard(1, shard -> proxy.createTopic("asked-by-a-shard", 2, Map.of(), new TopicResultHandler()
        {
            @Override
            public void onResult(final TopicResult result)
            {
                answeredOn.complete(Thread.currentThread().getName());
                answer.complete(result);
            }

            @Override
            public void onFailure(final Throwable cause)
            {
                answer.completeExceptionally(cause);
            }
        }));
        assertTrue(answer.get(30, TimeUnit.SECONDS).isDone());
        assertEquals("runnel-shard-1", answeredOn.get());
    }

    @Test
    void aSecondTopicOfTheSameNameIsRefusedAndDeletionRemovesTheFiles() throws Exception
    {
        final Topic topic = logs.createTopic("once", 3, Map.of());
        assertNull(logs.createTopic("once", 3, Map.of()), "the name is taken");
        assertEquals(topic, logs.deleteTopic("once"));
        assertNull(logs.registry().snapshot().topic("once"));
        for (int i = 0; i < 3; i++)
        {
            assertFalse(Files.exists(dir.resolve("once-" + i)), "once-" + i + " is deleted");
        }
        assertNull(logs.deleteTopic("once"), "deleting twice finds nothing");
        assertNotNull(logs.createTopic("once", 1, Map.of()), "the name is free again");
    }

    @Test
    void startUpDeletesOrphanedPartitionDirectoriesAndLeavesOtherFoldersAlone() throws Exception
    {
        logs.createTopic("kept", 1, Map.of());
        logs.close();
        final Path orphan = Files.createDirectories(dir.resolve("gone-0"));
        final Path deleted = Files.createDirectories(dir.resolve("gone-1.0123456789abcdef-delete"));
        final Path quorum = Files.createDirectories(dir.resolve("__quorum").resolve("archive"));
        final Path other = Files.createDirectories(dir.resolve("notes"));
        logs = new LogManager(dir, SHARDS, LogConfig.defaults(), SystemEpochClock.INSTANCE);
        logs.open();
        logs.start(shard -> new SleepingMillisIdleStrategy(1));
        assertFalse(Files.exists(orphan), "a partition directory of no topic is deleted");
        assertFalse(Files.exists(deleted), "a deleted partition's leftover is deleted");
        assertTrue(Files.isDirectory(quorum), "the quorum's folder is not a partition's");
        assertTrue(Files.isDirectory(other), "nor is any other folder");
        assertTrue(Files.isDirectory(dir.resolve("kept-0")));
    }

    @Test
    void growingATopicHandsOnlyTheNewPartitionsToTheirShards() throws Exception
    {
        logs.createTopic("growing", 2, Map.of());
        final Topic grown = logs.createPartitions("growing", 5);
        assertEquals(5, grown.partitionCount());
        assertEquals(5, logs.registry().snapshot().topic("growing").partitionCount());
        assertTrue(Files.isDirectory(dir.resolve("growing-4")));
        assertNull(logs.createPartitions("no-such-topic", 3));
    }

    @Test
    void changedTopicConfigsReachEveryPartitionsLogOnItsShardAndSurviveAReopen() throws Exception
    {
        final Topic before = logs.createTopic("reconfigured", 4, Map.of("retention.ms", "5000"));
        final Topic after = logs.alterTopicConfigs("reconfigured", ConfigChange.incremental(List.of(
            new ConfigChange.Step("segment.bytes", ConfigChange.Operation.SET, "4096"))));
        assertEquals(Map.of("retention.ms", "5000", "segment.bytes", "4096"), after.configs());
        assertEquals(after, logs.registry().snapshot().topic("reconfigured"));
        for (int i = 0; i < after.partitionCount(); i++)
        {
            final var partition = after.partition(i);
            assertSame(before.partition(i), partition, "the same partition, its log still with its shard");
            final int[] applied = new int[2];
            onShard(partition.shard(), shard ->
            {
                applied[0] = partition.log().config().segmentBytes();
                applied[1] = (int)partition.log().config().retentionMs();
            });
            assertEquals(4096, applied[0], partition + " rolls at the new size");
            assertEquals(5000, applied[1], partition + " keeps the override it had");
        }
        assertNull(logs.alterTopicConfigs("no-such-topic", ConfigChange.incremental(List.of())));
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> logs.alterTopicConfigs("reconfigured",
            ConfigChange.incremental(List.of(new ConfigChange.Step("segment.bytes", ConfigChange.Operation.SET, "12")))));
        assertTrue(refused.getMessage().contains("segment.bytes"), refused.getMessage());

        logs.close();
        logs = new LogManager(dir, SHARDS, LogConfig.defaults(), SystemEpochClock.INSTANCE);
        logs.open();
        logs.start(shard -> new SleepingMillisIdleStrategy(1));
        final var reopened = logs.registry().snapshot().topic("reconfigured").partition(0);
        final int[] segmentBytes = new int[1];
        onShard(reopened.shard(), shard -> segmentBytes[0] = reopened.log().config().segmentBytes());
        assertEquals(4096, segmentBytes[0], "the new overrides were persisted");
    }

    @Test
    void changedBrokerDefaultsReachEveryLogAndTheListeners() throws Exception
    {
        final Topic plain = logs.createTopic("defaulted", 2, Map.of());
        final Topic own = logs.createTopic("overriding", 1, Map.of("segment.bytes", "8192"));
        final CompletableFuture<Map<String, Object>> heard = new CompletableFuture<>();
        logs.addBrokerConfigListener(heard::complete);
        logs.alterBrokerConfigs(() -> new BrokerConfigUpdate.Applied(Map.of("log.segment.bytes", 2048), LogConfig.defaults().withSegmentBytes(2048)));
        assertEquals(Map.of("log.segment.bytes", 2048), heard.get(10, TimeUnit.SECONDS));
        assertEquals(2048, logs.defaults().segmentBytes());
        for (final var partition : List.of(plain.partition(0), plain.partition(1), own.partition(0)))
        {
            final int[] segmentBytes = new int[1];
            onShard(partition.shard(), shard -> segmentBytes[0] = partition.log().config().segmentBytes());
            assertEquals(partition.topic() == own ? 8192 : 2048, segmentBytes[0], partition + ": the topic's override wins over the new default");
        }
        assertEquals(2048, logs.logConfigFor(Map.of()).segmentBytes(), "logs opened from now on start from the new defaults");
    }

    @Test
    void fileWorkAndWaitingAreRefusedOnAShardThread() throws Exception
    {
        final CompletableFuture<Throwable> openOnShard = new CompletableFuture<>();
        final CompletableFuture<Throwable> waitOnShard = new CompletableFuture<>();
        onShard(0, shard ->
        {
            openOnShard.complete(thrownBy(() -> PartitionLog.open("x-0", dir.resolve("x-0"), LogConfig.defaults(),
                SystemEpochClock.INSTANCE, new PartitionState(), true)));
            waitOnShard.complete(thrownBy(() -> logs.createTopic("x", 1, Map.of())));
        });
        assertInstanceOf(IllegalStateException.class, openOnShard.get());
        assertTrue(openOnShard.get().getMessage().contains("conductor"), openOnShard.get().getMessage());
        assertInstanceOf(IllegalStateException.class, waitOnShard.get());
        assertFalse(Files.exists(dir.resolve("x-0")));
    }

    private static Throwable thrownBy(final Runnable action)
    {
        try
        {
            action.run();
            return null;
        }
        catch (final RuntimeException ex)
        {
            return ex;
        }
    }

    /** Runs {@code body} on a running shard's thread and waits for it. */
    private void onShard(final int shardId, final java.util.function.Consumer<Shard> body) throws Exception
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final boolean offered = logs.shard(shardId).offer(new ShardCommand()
        {
            @Override
            public void execute(final Shard shard)
            {
                body.accept(shard);
                done.complete(null);
            }

            @Override
            public void onFailure(final Shard shard, final Throwable cause)
            {
                done.completeExceptionally(cause);
            }
        });
        assertTrue(offered);
        done.get(30, TimeUnit.SECONDS);
    }
}
