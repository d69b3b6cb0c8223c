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
 *       timed with them: what an implementation on a shard would pay.</li>
 * </ul>
 * Bounded: {@code appends} per run, {@code runs} runs per mode, one file at a time, deleted after.
 *
 * <p>Usage: {@code PreallocationProbe DIR [appends=20000] [batchBytes=1024] [runs=3] [chunkBytes=1048576] [modes=growing,sparse,zeroed,chunked]}
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
        final String[] modes = (args.length > 5 ? args[5] : "growing,sparse,zeroed,chunked").split(",");
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
