package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.runnel.kernel.files.AtomicFile;

/**
 * Where each leader epoch of a partition's log starts: the offset of the first batch a leader of
 * that epoch appended. A follower that changes leader asks the new one where its own last epoch
 * ends (OffsetForLeaderEpoch) and truncates what lies past it, so a replaced leader's
 * unreplicated tail never survives beside the new leader's records. Kept in Kafka's
 * {@code leader-epoch-checkpoint} format (version 0, a count, then "epoch startOffset" lines),
 * rewritten atomically when an epoch is added or truncated away, which happens once per leader
 * change, never per batch. Owner thread only.
 */
public final class LeaderEpochCache
{
    public static final String FILE_NAME = "leader-epoch-checkpoint";
    /** Kafka's answer for an epoch it cannot place. */
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1;
    private static final int VERSION = 0;

    private Path file;
    private int[] epochs = new int[4];
    private long[] startOffsets = new long[4];
    private int size;

    private LeaderEpochCache(final Path file)
    {
        this.file = file;
    }

    /** The cache of the log in {@code dir}: empty if it has no checkpoint. */
    public static LeaderEpochCache load(final Path dir)
    {
        final LeaderEpochCache cache = new LeaderEpochCache(dir.resolve(FILE_NAME));
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(cache.file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return cache;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + cache.file, ex);
        }
        if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION)
        {
            throw new IllegalStateException(cache.file + " is not a version " + VERSION + " leader epoch checkpoint");
        }
        final int count = Integer.parseInt(lines.get(1).trim());
        for (int i = 0; i < count; i++)
        {
            final String[] fields = lines.get(2 + i).trim().split("\\s+");
            cache.add(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
        }
        return cache;
    }

    /** The log's directory was renamed to {@code dir}: the checkpoint is written there from now on. */
    void relocate(final Path dir)
    {
        file = dir.resolve(FILE_NAME);
    }

    /** The newest epoch, or {@link #UNDEFINED_EPOCH} if the log has none. */
    public int latestEpoch()
    {
        return size == 0 ? UNDEFINED_EPOCH : epochs[size - 1];
    }

    public int size()
    {
        return size;
    }

    /**
     * A batch of {@code epoch} is appended at {@code startOffset}: the first of a newer epoch starts
     * it (and is written down); one of a known epoch changes nothing.
     */
    public void onAppend(final int epoch, final long startOffset)
    {
        if (epoch > latestEpoch())
        {
            add(epoch, startOffset);
            persist();
        }
    }

    /**
     * Kafka's OffsetForLeaderEpoch: the end of {@code requestedEpoch} in this log and the epoch it
     * belongs to. The latest epoch ends at the log end; an older one where the next newer starts,
     * reported with the newest epoch not above it; an epoch newer than any here cannot be placed.
     *
     * @param out receives {epoch, endOffset}
     */
    public void endOffsetFor(final int requestedEpoch, final long logEndOffset, final long[] out)
    {
        out[0] = UNDEFINED_EPOCH;
        out[1] = UNDEFINED_OFFSET;
        if (requestedEpoch == UNDEFINED_EPOCH || size == 0)
        {
            return;
        }
        if (requestedEpoch == latestEpoch())
        {
            out[0] = requestedEpoch;
            out[1] = logEndOffset;
            return;
        }
        int higher = 0;
        while (higher < size && epochs[higher] <= requestedEpoch)
        {
            higher++;
        }
        if (higher == size)
        {
            return;
        }
        out[0] = higher == 0 ? requestedEpoch : epochs[higher - 1];
        out[1] = startOffsets[higher];
    }

    /** The log was emptied: it holds no epoch any more. */
    public void clear()
    {
        if (size > 0)
        {
            size = 0;
            persist();
        }
    }

    /** The log was cut back to {@code endOffset}: epochs that started at or after it are gone. */
    public void truncateFromEnd(final long endOffset)
    {
        final int before = size;
        while (size > 0 && startOffsets[size - 1] >= endOffset)
        {
            size--;
        }
        if (size != before)
        {
            persist();
        }
    }

    /**
     * The log now starts at {@code logStartOffset} (retention, DeleteRecords): epochs wholly below
     * it go, and the one it falls in starts there.
     */
    public void truncateFromStart(final long logStartOffset)
    {
        int firstKept = 0;
        while (firstKept + 1 < size && startOffsets[firstKept + 1] <= logStartOffset)
        {
            firstKept++;
        }
        if (firstKept == 0 && (size == 0 || startOffsets[0] >= logStartOffset))
        {
            return;
        }
        System.arraycopy(epochs, firstKept, epochs, 0, size - firstKept);
        System.arraycopy(startOffsets, firstKept, startOffsets, 0, size - firstKept);
        size -= firstKept;
        startOffsets[0] = Math.max(startOffsets[0], logStartOffset);
        persist();
    }

    private void add(final int epoch, final long startOffset)
    {
        if (size > 0 && (epoch <= epochs[size - 1] || startOffset < startOffsets[size - 1]))
        {
            throw new IllegalStateException(file + ": epoch " + epoch + " at " + startOffset + " after epoch "
                + epochs[size - 1] + " at " + startOffsets[size - 1]);
        }
        if (size == epochs.length)
        {
            epochs = Arrays.copyOf(epochs, size * 2);
            startOffsets = Arrays.copyOf(startOffsets, size * 2);
        }
        epochs[size] = epoch;
        startOffsets[size] = startOffset;
        size++;
    }

    private void persist()
    {
        final StringBuilder text = new StringBuilder().append(VERSION).append('\n').append(size).append('\n');
        for (int i = 0; i < size; i++)
        {
            text.append(epochs[i]).append(' ').append(startOffsets[i]).append('\n');
        }
        AtomicFile.write(file, text.toString().getBytes(StandardCharsets.UTF_8), "the leader epoch checkpoint");
    }
}
