package io.runnel.kernel.log;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * The segments of one log in base-offset order, as parallel arrays: finding the segment of an
 * offset is a binary search over primitives, with no boxing or views on the fetch path
 * (a TreeMap's floorKey/tailMap cost ~100 bytes per lookup). Owner thread only.
 */
final class SegmentList extends AbstractList<Segment>
{
    private long[] baseOffsets = new long[8];
    private Segment[] segments = new Segment[8];
    private int count;
    /** Reads the field on each call, so it follows the array when it grows. */
    private final IntToLongFunction baseOffsetAt = index -> baseOffsets[index];

    /** Adds a segment whose base offset is above every existing one. */
    void append(final Segment segment)
    {
        if (count > 0 && segment.baseOffset() <= baseOffsets[count - 1])
        {
            throw new IllegalArgumentException("segment " + segment.baseOffset() + " is not after " + baseOffsets[count - 1]);
        }
        if (count == segments.length)
        {
            baseOffsets = Arrays.copyOf(baseOffsets, count * 2);
            segments = Arrays.copyOf(segments, count * 2);
        }
        baseOffsets[count] = segment.baseOffset();
        segments[count++] = segment;
    }

    /** Removes the {@code n} oldest segments (retention); at least one segment always stays. */
    void removeFirst(final int n)
    {
        if (n <= 0)
        {
            return;
        }
        if (n >= count)
        {
            throw new IllegalArgumentException("cannot remove " + n + " of " + count + " segments: the active one stays");
        }
        System.arraycopy(baseOffsets, n, baseOffsets, 0, count - n);
        System.arraycopy(segments, n, segments, 0, count - n);
        Arrays.fill(segments, count - n, count, null);
        count -= n;
    }

    /** Removes every segment; the caller appends the next one at once (a follower starting again). */
    void removeAll()
    {
        Arrays.fill(segments, 0, count, null);
        count = 0;
    }

    /** Removes the newest segment (a follower's truncation); at least one segment always stays. */
    void removeLast()
    {
        if (count <= 1)
        {
            throw new IllegalArgumentException("cannot remove the only segment");
        }
        segments[--count] = null;
    }

    /**
     * Replaces the {@code count} segments from {@code from} by one segment with the same base offset
     * (a compaction's output); the caller has checked that they are the ones the output replaces.
     */
    void replace(final int from, final int count, final Segment replacement)
    {
        if (count < 1 || from < 0 || from + count >= this.count || replacement.baseOffset() != baseOffsets[from])
        {
            throw new IllegalArgumentException("cannot replace " + count + " segments from " + from + " of " + this.count +
                " by segment " + replacement.baseOffset());
        }
        segments[from] = replacement;
        System.arraycopy(baseOffsets, from + count, baseOffsets, from + 1, this.count - from - count);
        System.arraycopy(segments, from + count, segments, from + 1, this.count - from - count);
        Arrays.fill(segments, this.count - count + 1, this.count, null);
        this.count -= count - 1;
    }

    /** Index of the last segment whose base offset is at or below {@code offset}; 0 if none is. */
    int floorIndex(final long offset)
    {
        return Math.max(0, FloorSearch.floor(baseOffsetAt, count, offset));
    }

    Segment first()
    {
        return segments[0];
    }

    Segment last()
    {
        return segments[count - 1];
    }

    @Override
    public Segment get(final int index)
    {
        if (index >= count)
        {
            throw new IndexOutOfBoundsException(index);
        }
        return segments[index];
    }

    @Override
    public int size()
    {
        return count;
    }
}
