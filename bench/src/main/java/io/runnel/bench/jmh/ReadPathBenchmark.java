package io.runnel.bench.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import org.agrona.BufferUtil;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The owner shard's half of a fetch, end to end: {@code PartitionLog.read} resolves (offset, max
 * bytes) to a file region, exactly as FetchOperation.read does, and then the region's bytes are
 * moved, which IndexLookupBenchmark leaves out. The log holds {@value #LOG_BYTES_MIB} MiB of
 * producer-shaped batches (10 records x 100 B), just written, so the bytes come from the page cache
 * as they do for a consumer near the tail; offsets are drawn uniformly from those that have a full
 * {@code maxBytes} after them, so every read moves exactly {@code maxBytes} (MB/s = maxBytes / score).
 *
 * <p>{@code sink}: {@code transferTo} is the call the fetch path makes
 * ({@code FileChannel.transferTo}, sendfile on Linux) into a channel that discards the bytes
 * ({@code /dev/null}), so it measures the zero-copy syscall without the TCP stack;
 * {@code buffer} reads the region into a reusable direct buffer (one copy out of the page cache),
 * what any path that must see the bytes (TLS, down-conversion) would pay.
 * Both should allocate nothing per fetch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class ReadPathBenchmark
{
    static final int LOG_BYTES_MIB = 64;
    static final int RECORDS_PER_BATCH = 10;
    static final int VALUE_BYTES = 100;
    /** A power of two so the cursor wraps with a mask. */
    static final int OFFSETS = 1 << 14;

    /** 16 KiB: a small fetch; 1 MiB: max.partition.fetch.bytes default. */
    @Param({"16384", "262144", "1048576"})
    public int maxBytes;

    @Param({"transferTo", "buffer"})
    public String sink;

    private final FileRegion region = new FileRegion();
    private final long[] offsets = new long[OFFSETS];
    private Path dir;
    private PartitionLog log;
    private FileChannel devNull;
    private ByteBuffer target;
    private boolean transfer;
    private int cursor;

    @Setup
    public void setup() throws IOException
    {
        dir = Files.createTempDirectory("runnel-jmh-read-");
        try
        {
            fill();
            transfer = "transferTo".equals(sink);
            devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
            // Not allocateDirectAligned: that is a slice, which BufferUtil.free refuses.
            target = ByteBuffer.allocateDirect(maxBytes);
            // Fail in setup, not silently in the measurement, if a read moves fewer bytes than asked.
            for (int i = 0; i < OFFSETS; i++)
            {
                if (readAndMove(offsets[i]) != maxBytes)
                {
                    throw new IllegalStateException("read at offset " + offsets[i] + " moved fewer than " + maxBytes + " bytes");
                }
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // JMH skips @TearDown when @Setup fails: do not leave the pre-filled log behind.
            tearDown();
            throw ex;
        }
    }

    private void fill()
    {
        log = PartitionLog.open("read-0", dir.resolve("read-0"), LogConfig.defaults(), new SystemEpochClock(),
            new PartitionState(), false);
        final ByteBuffer bytes = KafkaBatches.direct(KafkaBatches.batch(RECORDS_PER_BATCH, VALUE_BYTES));
        final UnsafeBuffer view = new UnsafeBuffer(bytes);
        final RecordBatch batch = new RecordBatch();
        final int batchBytes = bytes.remaining();
        final int batches = (int)((long)LOG_BYTES_MIB * 1024 * 1024 / batchBytes);
        for (int i = 0; i < batches; i++)
        {
            bytes.clear();
            if (log.append(batch.wrap(view, 0), bytes) != PartitionLog.AppendStatus.APPENDED)
            {
                throw new IllegalStateException("pre-fill append failed at batch " + i);
            }
        }
        // Leave a full maxBytes (plus the partial first batch) after every offset drawn.
        final long tailBatches = maxBytes / batchBytes + 2;
        final long limit = log.highWatermark() - tailBatches * RECORDS_PER_BATCH;
        final SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < OFFSETS; i++)
        {
            offsets[i] = random.nextLong(limit);
        }
    }

    @Benchmark
    public int read() throws IOException
    {
        return readAndMove(offsets[cursor++ & (OFFSETS - 1)]);
    }

    /** @return bytes moved. */
    private int readAndMove(final long offset) throws IOException
    {
        if (log.read(offset, maxBytes, region) != PartitionLog.ReadStatus.OK)
        {
            throw new IllegalStateException("offset " + offset + " out of range");
        }
        final FileChannel channel = region.channel();
        final long position = region.position();
        final int length = region.length();
        int moved = 0;
        // Each call moves at least one byte or fails, so the loops end within length calls.
        if (transfer)
        {
            while (moved < length)
            {
                final long sent = channel.transferTo(position + moved, length - moved, devNull);
                if (sent <= 0)
                {
                    throw new IllegalStateException("transferTo made no progress at " + (position + moved));
                }
                moved += (int)sent;
            }
        }
        else
        {
            target.clear().limit(length);
            while (target.hasRemaining())
            {
                final int read = channel.read(target, position + target.position());
                if (read <= 0)
                {
                    throw new IllegalStateException("read made no progress at " + (position + target.position()));
                }
            }
            moved = target.position();
        }
        return moved;
    }

    @TearDown
    public void tearDown() throws IOException
    {
        try
        {
            if (devNull != null)
            {
                devNull.close();
                devNull = null;
            }
            if (target != null)
            {
                BufferUtil.free(target);
                target = null;
            }
        }
        finally
        {
            // Whatever failed above, the 64 MiB log must not outlive the run.
            if (log != null)
            {
                log.closeAndDelete();
                log = null;
            }
            LogAppendBenchmark.deleteRecursively(dir);
        }
    }
}
