package io.runnel.coordinator.group;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.LogManager;
import io.runnel.kernel.log.LogConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * offsets.retention.minutes: the committed offsets of a group without members expire once they
 * are older than the retention period, and stay gone after the offsets partition is replayed.
 * Runs the coordinator on a shard that is not started, with a clock the test moves.
 */
class OffsetRetentionTest
{
    private static final long RETENTION_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    void offsetsOfAnEmptyGroupExpireAfterTheRetentionPeriodAndStayExpiredAfterReplay()
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_000_000);
        final GroupConfig config = new GroupConfig(1, 6_000, 1_800_000, 0, RETENTION_MS, 1, 4096, Integer.MAX_VALUE, 45_000, 5_000, 1);
        try (LogManager logs = new LogManager(dir, 1, LogConfig.defaults(), clock))
        {
            logs.open();
            logs.createTopic("events", 2, Map.of());
            logs.createTopic(GroupConfig.OFFSETS_TOPIC, 1, Map.of());
            final GroupCoordinator coordinator = new GroupCoordinator(logs.shard(0), logs, config);

            commit(coordinator, "old", 0, 10);
            clock.advance(RETENTION_MS / 2);
            commit(coordinator, "recent", 1, 20);
            coordinator.doWork(clock.time());
            assertEquals(10, committed(coordinator, "old", 0), "not yet expired");

            clock.advance(RETENTION_MS / 2 + 1);
            coordinator.doWork(clock.time());
            assertEquals(-1, committed(coordinator, "old", 0), "expired after the retention period");
            assertEquals(20, committed(coordinator, "recent", 1), "younger offsets stay");

            // A fresh coordinator replaying the offsets partition sees the expiry too.
            final GroupCoordinator replayed = new GroupCoordinator(logs.shard(0), logs, config);
            replayed.doWork(clock.time());
            assertEquals(-1, committed(replayed, "old", 0));
            assertEquals(20, committed(replayed, "recent", 1));
        }
    }

    private static void commit(final GroupCoordinator coordinator, final String group, final int partition, final long offset)
    {
        final List<Errors> result = new ArrayList<>();
        coordinator.commitOffsets(group, -1, "", null,
            List.of(new GroupCoordinator.CommitRequest("events", partition, offset, -1, "meta")), result::addAll);
        assertEquals(List.of(Errors.NONE), result);
    }

    private static long committed(final GroupCoordinator coordinator, final String group, final int partition)
    {
        final var found = coordinator.fetchOffsets(group, Map.of("events", List.of(partition)));
        assertTrue(found.containsKey("events"));
        return found.get("events").get(partition).offset();
    }
}
