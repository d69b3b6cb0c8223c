package io.runnel.bench.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Appends fixed-size batches to a segment-like file with an fdatasync ({@code force(false)}, what
 * {@code runnel.flush.policy=fsync} does per group commit) after each, and reports appends per
 * second, for the ways the file's space can be provided:
 * <ul>
 *   <li>{@code growing}: each write extends the file (Runnel today);</li>
 *   <li>{@code sparse}: the file is first extended to its full size without writing
 *       ({@code RandomAccessFile.setLength}, what Kafka's {@code log.preallocate=true} does): no blocks yet;</li>
 *   <li>{@code zeroed}: the whole file is written with zeros and synced before the run (untimed), so
 *       every append overwrites allocated blocks;</li>
 *   <li>{@code chunked}: zeros are written and synced {@code chunk} bytes ahead of the appends,
 *       timed with them: what an implementation on a shard would pay;</li>
 *   <li>{@code log-growing} and {@code log-preallocated}: Runnel's own {@link PartitionLog} under
 *       the fsync policy, with {@code preallocate} false and true: one RecordBatch v2 of
 *       {@code batchBytes} per append, a group commit ({@code flushIfDirty}) after each.</li>
 * </ul>
 * Bounded: {@code appends} per run, {@code runs} runs per mode, one file at a time, deleted after.
 *
 * <p>Usage: {@code PreallocationProbe DIR [appends=20000] [batchBytes=1024] [runs=3] [chunkBytes=1048576]
 * [modes=growing,sparse,zeroed,chunked,log-growing,log-preallocated]}
 */
public final class PreallocationProbe
{
    private PreallocationProbe()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path dir = Path.of(args[0]);
        final int appends = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        final int batchBytes = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        final int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        final int chunkBytes = args.length > 4 ? Integer.parseInt(args[4]) : 1 << 20;
        final String[] modes = (args.length > 5 ? args[5] : "growing,sparse,zeroed,chunked,log-growing,log-preallocated").split(",");
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "{\"appends\": %d, \"batchBytes\": %d, \"chunkBytes\": %d, \"results\": [%n", appends, batchBytes, chunkBytes);
        final List<String> lines = new ArrayList<>();
        // Modes interleaved run by run, so that drift of a shared machine spreads over all of them.
        for (int run = 1; run <= runs; run++)
        {
            for (final String mode : modes)
            {
                final double rate = run(dir.resolve("probe-" + mode + ".log"), mode, appends, batchBytes, chunkBytes);
                lines.add(String.format(Locale.ROOT, "  {\"mode\": \"%s\", \"run\": %d, \"appendsPerSecond\": %.0f}", mode, run, rate));
                System.err.printf(Locale.ROOT, "%-8s run %d: %,.0f appends+fdatasync/s%n", mode, run, rate);
            }
        }
        System.out.println(String.join(",\n", lines));
        System.out.println("]}");
    }

    private static double run(final Path file, final String mode, final int appends, final int batchBytes, final int chunkBytes)
        throws IOException
    {
        if (mode.startsWith("log-"))
        {
            return runLog(file.resolveSibling("probe-" + mode), mode.equals("log-preallocated"), appends, batchBytes);
        }
        Files.deleteIfExists(file);
        final long total = (long)appends * batchBytes;
        final ByteBuffer batch = ByteBuffer.allocateDirect(batchBytes);
        for (int i = 0; i < batchBytes; i++)
        {
            batch.put(i, (byte)(i * 31 + 7));
        }
        final ByteBuffer zeros = ByteBuffer.allocateDirect(chunkBytes);
        try
        {
            if (mode.equals("sparse"))
            {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
                {
                    raf.setLength(total);
                }
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                if (mode.equals("zeroed"))
                {
                    fill(channel, zeros, 0, total);
                    channel.force(true);
                }
                long allocated = 0;
                final long start = System.nanoTime();
                long position = 0;
                for (int i = 0; i < appends; i++)
                {
                    if (mode.equals("chunked") && position + batchBytes > allocated)
                    {
                        fill(channel, zeros, allocated, Math.min(total, allocated + chunkBytes));
                        channel.force(false);
                        allocated = Math.min(total, allocated + chunkBytes);
                    }
                    batch.clear();
                    while (batch.hasRemaining())
                    {
                        position += channel.write(batch, position);
                    }
                    channel.force(false);
                }
                final long elapsed = System.nanoTime() - start;
                return appends * 1e9 / elapsed;
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    private static double runLog(final Path dir, final boolean preallocate, final int appends, final int batchBytes) throws IOException
    {
        deleteTree(dir);
        final LogConfig config = LogConfig.defaults().withFlushPolicy(FlushPolicy.FSYNC).withPreallocate(preallocate);
        final byte[] value = new byte[Math.max(0, batchBytes - 80)];
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(System.currentTimeMillis(), null, value));
        final ByteBuffer bytes = ByteBuffer.allocateDirect(records.sizeInBytes());
        bytes.put(records.buffer()).flip();
        final RecordBatch batch = new RecordBatch();
        try (PartitionLog log = PartitionLog.open("probe-0", dir, config, SystemEpochClock.INSTANCE, new PartitionState(), true))
        {
            final long start = System.nanoTime();
            for (int i = 0; i < appends; i++)
            {
                bytes.clear();
                batch.wrap(new UnsafeBuffer(bytes), 0);
                if (log.append(batch, bytes) != PartitionLog.AppendStatus.APPENDED || !log.flushIfDirty())
                {
                    throw new IllegalStateException("append " + i + " failed");
                }
            }
            return appends * 1e9 / (System.nanoTime() - start);
        }
        finally
        {
            deleteTree(dir);
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (Files.exists(dir))
        {
            try (var files = Files.list(dir))
            {
                for (final Path file : files.toList())
                {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    private static void fill(final FileChannel channel, final ByteBuffer zeros, final long from, final long to) throws IOException
    {
        long at = from;
        while (at < to)
        {
            zeros.clear().limit((int)Math.min(zeros.capacity(), to - at));
            at += channel.write(zeros, at);
        }
    }
}
