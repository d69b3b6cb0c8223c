package io.runnel.kernel.log;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.IntToLongFunction;

/**
 * Sparse offset index of one segment: 8-byte entries (a batch's last offset relative to the
 * segment's base, the batch's position in the log file), one per {@code index.interval.bytes} of
 * log, as in Kafka's {@code .index} files. A lookup finds the last entry at or before an offset; the
 * reader scans batch headers forward from there.
 */
public final class OffsetIndex extends MappedIndex
{
    static final int ENTRY_SIZE = 8;

    /** Held, not created per lookup: the search on the fetch path allocates nothing. */
    private final IntToLongFunction offsets = this::offsetAt;

    public OffsetIndex(final Path file, final long baseOffset, final int maxIndexBytes, final boolean writable)
    {
        super(file, baseOffset, ENTRY_SIZE, maxIndexBytes, writable);
    }

    public void append(final long offset, final int filePosition)
    {
        final int at = position(entries);
        buffer.putInt(at, (int)(offset - baseOffset), ByteOrder.BIG_ENDIAN);
        buffer.putInt(at + 4, filePosition, ByteOrder.BIG_ENDIAN);
        entries++;
    }

    public long offsetAt(final int entry)
    {
        return baseOffset + buffer.getInt(position(entry), ByteOrder.BIG_ENDIAN);
    }

    public int filePositionAt(final int entry)
    {
        return buffer.getInt(position(entry) + 4, ByteOrder.BIG_ENDIAN);
    }

    /** @return the file position of the last indexed batch ending at or before {@code offset}, or 0. */
    public int floorPosition(final long offset)
    {
        final int entry = FloorSearch.floor(offsets, entries, offset);
        return entry == FloorSearch.NONE ? 0 : filePositionAt(entry);
    }

    /** Keeps only entries whose file position is below {@code filePosition}. */
    public void truncateToPosition(final int filePosition)
    {
        int keep = entries;
        while (keep > 0 && filePositionAt(keep - 1) >= filePosition)
        {
            keep--;
        }
        truncateEntries(keep);
    }

    /** A trimmed index is trusted after a clean shutdown only if it is sorted and inside the log. */
    public boolean isConsistentWith(final long logSize)
    {
        long previousOffset = -1;
        int previousPosition = -1;
        for (int i = 0; i < entries; i++)
        {
            final long offset = offsetAt(i);
            final int position = filePositionAt(i);
            if (offset <= previousOffset || position <= previousPosition || position >= logSize)
            {
                return false;
            }
            previousOffset = offset;
            previousPosition = position;
        }
        return true;
    }
}
