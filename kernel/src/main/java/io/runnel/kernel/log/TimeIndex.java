package io.runnel.kernel.log;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.IntToLongFunction;

/**
 * Sparse time index of one segment: 12-byte entries (max timestamp so far, last offset relative to
 * the segment's base of the batch that reached it, as in Kafka's {@code .timeindex} files), appended
 * only when the timestamp grows. A lookup gives the offset from which a scan for the first record at
 * or after a timestamp can start.
 */
public final class TimeIndex extends MappedIndex
{
    static final int ENTRY_SIZE = 12;

    private final IntToLongFunction timestamps = this::timestampAt;

    public TimeIndex(final Path file, final long baseOffset, final int maxIndexBytes, final boolean writable)
    {
        super(file, baseOffset, ENTRY_SIZE, maxIndexBytes, writable);
    }

    public void maybeAppend(final long timestamp, final long offset)
    {
        if (entries == 0 || timestamp > lastTimestamp())
        {
            final int at = position(entries);
            buffer.putLong(at, timestamp, ByteOrder.BIG_ENDIAN);
            buffer.putInt(at + 8, (int)(offset - baseOffset), ByteOrder.BIG_ENDIAN);
            entries++;
        }
    }

    public long lastTimestamp()
    {
        return entries == 0 ? -1 : timestampAt(entries - 1);
    }

    public long timestampAt(final int entry)
    {
        return buffer.getLong(position(entry), ByteOrder.BIG_ENDIAN);
    }

    public long offsetAt(final int entry)
    {
        return baseOffset + buffer.getInt(position(entry) + 8, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @return the offset of the last entry whose timestamp is below {@code timestamp} (every batch
     * before it has smaller timestamps too), or the segment's base offset.
     */
    public long scanStartFor(final long timestamp)
    {
        if (timestamp == Long.MIN_VALUE)
        {
            return baseOffset;
        }
        // Timestamps are whole milliseconds: below timestamp means at or below timestamp - 1.
        final int entry = FloorSearch.floor(timestamps, entries, timestamp - 1);
        return entry == FloorSearch.NONE ? baseOffset : offsetAt(entry);
    }

    public void truncateToOffset(final long offset)
    {
        int keep = entries;
        while (keep > 0 && offsetAt(keep - 1) >= offset)
        {
            keep--;
        }
        truncateEntries(keep);
    }
}
