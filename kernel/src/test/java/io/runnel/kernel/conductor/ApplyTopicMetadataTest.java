package io.runnel.kernel.conductor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.kernel.LogManager;
import io.runnel.kernel.cleaner.CleanerConfig;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Topic;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster member (node 2 of three) applies topics as the metadata quorum committed them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApplyTopicMetadataTest
{
    private static final int LOCAL = 2;

    @TempDir
    Path dir;

    private LogManager logs;

    @BeforeEach
    void start()
    {
        logs = new LogManager(dir, 2, LogConfig.defaults(), SystemEpochClock.INSTANCE, LogManager.DEFAULT_RETENTION_CHECK_INTERVAL_MS,
            CleanerConfig.DEFAULTS, LOCAL, true);
        logs.open();
        logs.start(shard -> new SleepingMillisIdleStrategy(1));
    }

    @AfterEach
    void stop()
    {
        logs.close();
    }

    private static Leadership ledBy(final int node)
    {
        return new Leadership(node, 0, List.of(node), List.of(node));
    }

    @Test
    void onlyPartitionsWithAReplicaHereGetLogsAndNothingIsStoredLocally()
    {
        final Uuid id = Uuid.randomUuid();
        final Topic topic = logs.applyTopicMetadata("orders", id, Map.of("retention.ms", "1000"), List.of(ledBy(1), ledBy(2), ledBy(3)));
        assertEquals(id, topic.id());
        assertSame(topic, logs.registry().snapshot().topic(id));
        assertEquals(Map.of("retention.ms", "1000"), topic.configs());
        assertFalse(Files.exists(dir.resolve("orders-0")), "led by node 1: no log here");
        assertTrue(Files.isDirectory(dir.resolve("orders-1")), "led here");
        assertFalse(Files.exists(dir.resolve("orders-2")));
        assertTrue(topic.partition(1).leadership().isLedBy(LOCAL));
        assertFalse(Files.exists(dir.resolve(".runnel-topics").resolve("orders.properties")), "the quorum is the store");
    }

    @Test
    void aLeaderMoveIsSeenOnTheSamePartitionAndGrowthKeepsTheOldPartitions()
    {
        final Uuid id = Uuid.randomUuid();
        final Topic first = logs.applyTopicMetadata("orders", id, Map.of(), List.of(ledBy(2), ledBy(1)));
        final var partition0 = first.partition(0);
        final Leadership fenced = new Leadership(Leadership.NO_LEADER, 1, List.of(2), List.of(2));
        final Topic grown = logs.applyTopicMetadata("orders", id, Map.of(), List.of(fenced, ledBy(1), ledBy(2)));
        assertSame(partition0, grown.partition(0), "the partition object, and so its log, stays");
        assertEquals(fenced, partition0.leadership());
        assertEquals(1, partition0.leaderEpoch());
        assertTrue(Files.isDirectory(dir.resolve("orders-2")), "the new partition led here has its log");
        assertEquals(3, logs.registry().snapshot().topic("orders").partitionCount());
    }

    @Test
    void aReplicaReassignedHereGetsAnEmptyLogAndOneReassignedAwayIsGivenUpAndDeleted()
    {
        final Uuid id = Uuid.randomUuid();
        final Topic topic = logs.applyTopicMetadata("orders", id, Map.of(), List.of(ledBy(2), ledBy(1)));
        assertTrue(Files.isDirectory(dir.resolve("orders-0")));
        assertFalse(Files.exists(dir.resolve("orders-1")));

        // Partition 0 moves from node 2 to node 3, partition 1 from node 1 to nodes 1 and 2 (the union while moving).
        final Leadership movingAway = new Leadership(3, 1, List.of(3), List.of(3));
        final Leadership movingHere = new Leadership(1, 0, List.of(2, 1), List.of(1), List.of(2), List.of());
        logs.applyTopicMetadata("orders", id, Map.of(), List.of(movingAway, movingHere));

        assertFalse(Files.exists(dir.resolve("orders-0")), "no replica here any more: its log is gone (renamed for deletion)");
        assertTrue(Files.isDirectory(dir.resolve("orders-1")), "a new replica here: an empty log to follow the leader into");
        assertEquals(movingHere, topic.partition(1).leadership());
        assertTrue(topic.partition(1).leadership().isReassigning());
    }

    @Test
    void atStartUpOnlyReplicasHereOpenAndALogReassignedAwayMeanwhileIsDeleted() throws Exception
    {
        final Uuid id = Uuid.randomUuid();
        logs.applyTopicMetadata("orders", id, Map.of(), List.of(ledBy(2), ledBy(2)));
        logs.close();
        assertTrue(Files.isDirectory(dir.resolve("orders-1")));

        // While this node was down, partition 1 was reassigned to node 3 and partition 0 stayed.
        logs = new LogManager(dir, 2, LogConfig.defaults(), SystemEpochClock.INSTANCE, LogManager.DEFAULT_RETENTION_CHECK_INTERVAL_MS,
            CleanerConfig.DEFAULTS, LOCAL, true);
        logs.registry().loadFromQuorum(List.of(logs.registry().fromQuorum("orders", id, Map.of(), List.of(ledBy(2), ledBy(3)))));
        logs.open();
        logs.start(shard -> new SleepingMillisIdleStrategy(1));

        assertTrue(Files.isDirectory(dir.resolve("orders-0")));
        assertFalse(Files.exists(dir.resolve("orders-1")), "a stray log: its replica is elsewhere now");
    }

    @Test
    void aTopicUnderAnotherIdIsRefusedUntilTheOldOneIsRemoved()
    {
        logs.applyTopicMetadata("orders", Uuid.randomUuid(), Map.of(), List.of(ledBy(2)));
        final Uuid next = Uuid.randomUuid();
        assertThrows(IllegalStateException.class, () -> logs.applyTopicMetadata("orders", next, Map.of(), List.of(ledBy(2))));
        logs.deleteTopic("orders");
        assertEquals(next, logs.applyTopicMetadata("orders", next, Map.of(), List.of(ledBy(2))).id());
    }
}
