package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import io.runnel.codecs.batch.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes or undoes, when a log is loaded, a compaction that a crash interrupted; the same
 * protocol as Kafka's {@code .cleaned}/{@code .swap} files (see the cleaner's section of the
 * kernel README):
 * <ol>
 * <li>{@code .cleaned} files are a clean still being written: deleted; the old segments are intact.</li>
 * <li>A {@code <base>.log.swap} is a finished, forced clean of the old segments whose offsets lie in
 * [base, the swap's next offset): those old segments' files are deleted (whatever their state of
 * renaming), the swap's log is renamed live, and its indexes are rebuilt from it. The cleaner always
 * keeps the last batch of what it rewrites (empty if need be), so the swap's next offset is exactly
 * the next offset of the last segment it replaces.</li>
 * <li>A stray {@code .index.swap}/{@code .timeindex.swap} (its log already renamed live, or never
 * renamed .swap) is deleted, and a live log left without its offset index gets it rebuilt.</li>
 * </ol>
 * Every step can be cut short by another crash and run again.
 */
public final class SwapRecovery
{
    private static final Logger LOG = LoggerFactory.getLogger(SwapRecovery.class);
    private static final String LOG_SUFFIX = ".log";
    private static final String INDEX_SUFFIX = ".index";
    private static final String TIME_INDEX_SUFFIX = ".timeindex";
    private static final int BASE_OFFSET_DIGITS = 20;
    private static final int LAST_OFFSET_DELTA_OFFSET = 23;

    private SwapRecovery()
    {
    }

    /** Runs the recovery over the files of one partition directory, before its segments are opened. */
    public static void recover(final Path dir, final LogConfig config, final long nowMs)
    {
        try
        {
            final TreeSet<Long> swaps = new TreeSet<>();
            final List<Path> strayIndexSwaps = new ArrayList<>();
            try (var files = Files.newDirectoryStream(dir))
            {
                for (final Path file : files)
                {
                    final String name = file.getFileName().toString();
                    if (name.endsWith(Segment.CLEANED_SUFFIX))
                    {
                        LOG.info("{}: deleting {}, left by a compaction a crash cut short; the segments it was cleaning stay",
                            dir.getFileName(), name);
                        Files.deleteIfExists(file);
                    }
                    else if (name.endsWith(LOG_SUFFIX + Segment.SWAP_SUFFIX))
                    {
                        swaps.add(baseOffsetOf(name));
                    }
                    else if (name.endsWith(Segment.SWAP_SUFFIX))
                    {
                        strayIndexSwaps.add(file);
                    }
                }
            }
            for (final long base : swaps)
            {
                completeSwap(dir, base, config, nowMs);
            }
            for (final Path stray : strayIndexSwaps)
            {
                final long base = baseOffsetOf(stray.getFileName().toString());
                if (!swaps.contains(base))
                {
                    Files.deleteIfExists(stray);
                    final Path liveLog = dir.resolve(Segment.fileName(base, LOG_SUFFIX));
                    if (Files.exists(liveLog) && !Files.exists(dir.resolve(Segment.fileName(base, INDEX_SUFFIX))))
                    {
                        rebuildIndexes(dir, base, config, nowMs);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot recover the compaction files of " + dir, ex);
        }
    }

    private static void completeSwap(final Path dir, final long base, final LogConfig config, final long nowMs) throws IOException
    {
        final Path swapLog = dir.resolve(Segment.fileName(base, LOG_SUFFIX) + Segment.SWAP_SUFFIX);
        final long nextOffset = nextOffsetOf(swapLog, base);
        if (nextOffset <= base)
        {
            // Never written by the cleaner (it keeps the last batch): covering nothing, it must replace nothing.
            LOG.warn("{}: deleting an empty swap file; the segments it would have replaced stay", swapLog);
            deleteSegmentFiles(dir, base, Segment.SWAP_SUFFIX);
            return;
        }
        final List<Long> replaced = new ArrayList<>();
        try (var files = Files.newDirectoryStream(dir))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                if (isLiveSegmentFile(name))
                {
                    final long fileBase = baseOffsetOf(name);
                    if (fileBase >= base && fileBase < nextOffset)
                    {
                        Files.deleteIfExists(file);
                        if (name.endsWith(LOG_SUFFIX))
                        {
                            replaced.add(fileBase);
                        }
                    }
                }
            }
        }
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, INDEX_SUFFIX) + Segment.SWAP_SUFFIX));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, TIME_INDEX_SUFFIX) + Segment.SWAP_SUFFIX));
        Files.move(swapLog, dir.resolve(Segment.fileName(base, LOG_SUFFIX)), StandardCopyOption.ATOMIC_MOVE);
        rebuildIndexes(dir, base, config, nowMs);
        LOG.info("{}: completed an interrupted compaction: segment {} (offsets up to {}) replaces {}", dir.getFileName(), base,
            nextOffset, replaced);
    }

    /** Builds both indexes of the live segment {@code base} from its log, and leaves them trimmed. */
    private static void rebuildIndexes(final Path dir, final long base, final LogConfig config, final long nowMs)
    {
        try
        {
            Files.deleteIfExists(dir.resolve(Segment.fileName(base, INDEX_SUFFIX)));
            Files.deleteIfExists(dir.resolve(Segment.fileName(base, TIME_INDEX_SUFFIX)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rebuild the indexes of segment " + base + " in " + dir, ex);
        }
        final Segment segment = Segment.open(dir, base, config, true, nowMs, true);
        segment.recoverCompacted();
        segment.seal();
        segment.flush();
        segment.close();
    }

    private static boolean isLiveSegmentFile(final String name)
    {
        return name.length() > BASE_OFFSET_DIGITS && isDigits(name, BASE_OFFSET_DIGITS) &&
            (name.endsWith(LOG_SUFFIX) || name.endsWith(INDEX_SUFFIX) || name.endsWith(TIME_INDEX_SUFFIX)) &&
            name.indexOf('.') == BASE_OFFSET_DIGITS && name.lastIndexOf('.') == BASE_OFFSET_DIGITS;
    }

    private static boolean isDigits(final String name, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (!Character.isDigit(name.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static long baseOffsetOf(final String name)
    {
        return Long.parseLong(name.substring(0, name.indexOf('.')));
    }

    private static void deleteSegmentFiles(final Path dir, final long base, final String suffix) throws IOException
    {
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, LOG_SUFFIX) + suffix));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, INDEX_SUFFIX) + suffix));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, TIME_INDEX_SUFFIX) + suffix));
    }

    /** The offset after the last whole batch of a segment file, by walking batch headers; {@code base} if it has none. */
    static long nextOffsetOf(final Path logFile, final long base) throws IOException
    {
        long next = base;
        final ByteBuffer header = ByteBuffer.allocate(Segment.WALK_HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.READ))
        {
            final long size = channel.size();
            long position = 0;
            while (position + RecordBatch.HEADER_SIZE <= size)
            {
                header.clear();
                while (header.hasRemaining())
                {
                    if (channel.read(header, position + header.position()) < 0)
                    {
                        return next;
                    }
                }
                final long batchSize = header.getInt(8) + (long)RecordBatch.LOG_OVERHEAD;
                if (batchSize < RecordBatch.HEADER_SIZE || position + batchSize > size)
                {
                    break;
                }
                next = header.getLong(0) + header.getInt(LAST_OFFSET_DELTA_OFFSET) + 1;
                position += batchSize;
            }
        }
        return next;
    }
}
