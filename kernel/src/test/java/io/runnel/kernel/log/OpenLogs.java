package io.runnel.kernel.log;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.EpochClock;

/**
 * The logs a test has open: closed cleanly at the end unless the test "crashed" them, which
 * abandons the object exactly as a killed process would (nothing flushed, trimmed or snapshotted).
 */
final class OpenLogs
{
    private final List<PartitionLog> open = new ArrayList<>();

    PartitionLog open(final Path dir, final LogConfig config, final EpochClock clock, final boolean cleanShutdown)
    {
        final PartitionLog log = PartitionLog.open(dir.getFileName().toString(), dir, config, clock, new PartitionState(), cleanShutdown);
        open.add(log);
        return log;
    }

    void crash(final PartitionLog log)
    {
        open.remove(log);
    }

    void close(final PartitionLog log)
    {
        open.remove(log);
        log.close();
    }

    void closeAll()
    {
        open.forEach(PartitionLog::close);
        open.clear();
    }
}
