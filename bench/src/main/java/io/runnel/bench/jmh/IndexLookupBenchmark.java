package io.runnel.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Fetch resolution: (offset, max bytes) to a (file, position, length) region through the sparse
 * offset index, then a walk of batch headers from the index entry to the batch holding the offset.
 * Consumers that fetch from random positions (catch-up reads, many consumer groups) pay the
 * whole walk each time. The log holds {@value #BATCHES} batches of 4 records x 32 bytes (217 B each,
 * so one index entry per ~19 batches at index.interval.bytes=4096); offsets are drawn uniformly.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class IndexLookupBenchmark
{
    static final int BATCHES = 100_000;
    static final int RECORDS_PER_BATCH = 4;
    /** A power of two so the cursor wraps with a mask. */
    static final int OFFSETS = 1 << 16;
    /** max.partition.fetch.bytes default. */
    static final int MAX_BYTES = 1024 * 1024;

    private final FileRegion region = new FileRegion();
    private final long[] offsets = new long[OFFSETS];
    private Path dir;
    private PartitionLog log;
    private int cursor;

    @Setup
    public void setup() throws IOException
    {
        dir = Files.createTempDirectory("runnel-jmh-lookup-");
        try
        {
            fill();
        }
        catch (final RuntimeException | Error ex)
        {
            // JMH skips @TearDown when @Setup fails: do not leave the pre-filled log behind.
            tearDown();
            throw ex;
        }
    }

    private void fill()
    {
        log = PartitionLog.open("lookup-0", dir.resolve("lookup-0"), LogConfig.defaults(), new SystemEpochClock(),
            new PartitionState(), false);
        final ByteBuffer bytes = KafkaBatches.direct(KafkaBatches.batch(RECORDS_PER_BATCH, 32));
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        final RecordBatch batch = new RecordBatch();
        for (int i = 0; i < BATCHES; i++)
        {
            bytes.clear();
            if (log.append(batch.wrap(view, 0), bytes) != PartitionLog.AppendStatus.APPENDED)
            {
                throw new IllegalStateException("pre-fill append failed at batch " + i);
            }
        }
        final long end = log.highWatermark();
        if (end != (long)BATCHES * RECORDS_PER_BATCH)
        {
            throw new IllegalStateException("high watermark " + end + " after pre-fill");
        }
        final SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < OFFSETS; i++)
        {
            offsets[i] = random.nextLong(end);
        }
        if (log.read(offsets[0], MAX_BYTES, region) != PartitionLog.ReadStatus.OK || region.length() <= 0)
        {
            throw new IllegalStateException("read of offset " + offsets[0] + " returned nothing");
        }
    }

    @Benchmark
    public void read(final Blackhole bh)
    {
        final long offset = offsets[cursor++ & (OFFSETS - 1)];
        bh.consume(log.read(offset, MAX_BYTES, region));
        bh.consume(region.position());
        bh.consume(region.length());
    }

    @TearDown
    public void tearDown() throws IOException
    {
        if (log != null)
        {
            log.closeAndDelete();
        }
        LogAppendBenchmark.deleteRecursively(dir);
    }
}
