package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import io.runnel.kernel.log.LogFixture.ManualClock;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One partition directory under test and the logs a test has open on it, registered with
 * {@code @RegisterExtension}: a fresh temporary directory and clock before each test; after it, every
 * log still open is closed cleanly and the directory deleted. A test "crashes" a log by abandoning it
 * exactly as a killed process would (nothing flushed, trimmed or snapshotted).
 */
final class OpenLogs implements BeforeEachCallback, AfterEachCallback
{
    /** The clock every log opened here runs on. */
    final ManualClock clock = new ManualClock();
    private final String partition;
    private final List<PartitionLog> open = new ArrayList<>();
    private LogConfig config;
    private Path root;

    /** @param config what {@link #open(boolean)} opens logs with until {@link #reconfigure} changes it */
    OpenLogs(final String partition, final LogConfig config)
    {
        this.partition = partition;
        this.config = config;
    }

    @Override
    public void beforeEach(final ExtensionContext context) throws IOException
    {
        root = Files.createTempDirectory("runnel-log-test-");
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        try
        {
            open.forEach(PartitionLog::close);
            open.clear();
        }
        finally
        {
            deleteRecursively(root);
        }
    }

    /** The partition's directory (it exists once a log has been opened). */
    Path dir()
    {
        return root.resolve(partition);
    }

    /** The logs opened from now on use {@code config}, as after a restart with other settings. */
    void reconfigure(final LogConfig config)
    {
        this.config = config;
    }

    PartitionLog open(final boolean cleanShutdown)
    {
        return open(config, cleanShutdown);
    }

    PartitionLog open(final LogConfig config, final boolean cleanShutdown)
    {
        final PartitionLog log = PartitionLog.open(partition, dir(), config, clock, new PartitionState(), cleanShutdown);
        open.add(log);
        return log;
    }

    /** The process dies: nothing is flushed, trimmed or snapshotted (the object is simply abandoned). */
    void crash(final PartitionLog log)
    {
        open.remove(log);
    }

    void close(final PartitionLog log)
    {
        open.remove(log);
        log.close();
    }

    private static void deleteRecursively(final Path dir)
    {
        if (dir == null || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }
}
