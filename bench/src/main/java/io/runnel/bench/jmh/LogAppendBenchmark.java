package io.runnel.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The owning shard's append: producer-state check, offset/epoch patched into the header, the
 * batch's bytes written unchanged to the active segment (page cache, no fsync: Kafka's default
 * flush policy), sparse offset index and time index updated.
 *
 * <p>Why single-shot with a fixed number of appends instead of a timed throughput loop: at
 * page-cache speed a timed iteration writes gigabytes, so disk use would depend on the machine, and
 * once the kernel's dirty-page limit is reached the score is the disk's writeback bandwidth, not
 * the cost of this code. Each shot therefore appends exactly {@value #APPENDS_PER_SHOT} batches
 * (8 MiB at 1 KiB, 128 MiB at 16 KiB) into a fresh log that is deleted after the shot, outside the
 * measurement. The score is per append ({@code @OperationsPerInvocation}); MB/s = batch bytes / score.
 * With the set-up warm-up, 3 warmup and 5 measured shots the run writes ~1.6 GiB and never holds more than 128 MiB on disk.
 * Segments are 256 MiB, so no shot rolls: roll cost is not in this number.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 5, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class LogAppendBenchmark
{
    static final int APPENDS_PER_SHOT = 8192;
    static final int WARMUP_ROUNDS = 4;
    static final int SEGMENT_BYTES = 256 * 1024 * 1024;

    @Param({"1024", "16384"})
    public int batchBytes;

    private final RecordBatch batch = new RecordBatch();
    private ByteBuffer bytes;
    private UnsafeBuffer view;
    private Path dir;
    private PartitionLog log;

    @Setup(Level.Trial)
    public void setupTrial() throws IOException
    {
        // Non-idempotent (producerId -1), uncompressed, 100-byte values; exactly batchBytes long.
        bytes = KafkaBatches.direct(KafkaBatches.batchOfExactSize(batchBytes, 100));
        view = new UnsafeBuffer(bytes);
        if (batch.wrap(view, 0).producerId() != RecordBatch.NO_PRODUCER_ID || batch.sizeInBytes() != batchBytes)
        {
            throw new IllegalStateException("unexpected batch");
        }
        dir = Files.createTempDirectory("runnel-jmh-append-");
        // A shot calls the benchmark method once, so JMH's warmup shots alone give C2 few entries
        // into the loop; warm the append path here too (same code, scratch logs, deleted at once).
        for (int round = 0; round < WARMUP_ROUNDS; round++)
        {
            openFreshLog();
            appendShot(null);
            log.closeAndDelete();
            log = null;
        }
    }

    @Setup(Level.Iteration)
    public void openFreshLog()
    {
        final LogConfig config = LogConfig.defaults().withSegmentBytes(SEGMENT_BYTES);
        log = PartitionLog.open("bench-0", dir.resolve("bench-0"), config, new SystemEpochClock(), new PartitionState(), false);
    }

    @TearDown(Level.Iteration)
    public void deleteLog()
    {
        final long expected = (long)APPENDS_PER_SHOT * (batch.lastOffsetDelta() + 1);
        if (log.logEndOffset() != expected)
        {
            throw new IllegalStateException("log end offset " + log.logEndOffset() + ", expected " + expected);
        }
        // Deleting the files also drops their dirty pages, so no shot inherits writeback from the last.
        log.closeAndDelete();
        log = null;
    }

    @Benchmark
    @OperationsPerInvocation(APPENDS_PER_SHOT)
    public void append(final Blackhole bh)
    {
        appendShot(bh);
    }

    private void appendShot(final Blackhole bh)
    {
        for (int i = 0; i < APPENDS_PER_SHOT; i++)
        {
            bytes.clear();
            final PartitionLog.AppendStatus status = log.append(batch.wrap(view, 0), bytes);
            if (bh != null)
            {
                bh.consume(status);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        if (log != null)
        {
            log.closeAndDelete();
            log = null;
        }
        deleteRecursively(dir);
    }

    static void deleteRecursively(final Path root) throws IOException
    {
        if (root == null || !Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
    }
}
