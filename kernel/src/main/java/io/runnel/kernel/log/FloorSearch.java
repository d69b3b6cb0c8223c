package io.runnel.kernel.log;

import java.util.function.IntToLongFunction;

/**
 * The storage layer's one binary search: the last of {@code count} ascending keys at or below a
 * target. The offset index, the time index and the segment list read their keys each their own way
 * (mapped big-endian ints, mapped longs, a long array) through an accessor they hold in a field,
 * so a lookup allocates nothing.
 */
final class FloorSearch
{
    /** No key is at or below the target, or there are no keys. */
    static final int NONE = -1;

    private FloorSearch()
    {
    }

    /** @return the index of the last key at or below {@code target} among keys 0..count-1, or {@link #NONE}. */
    static int floor(final IntToLongFunction keyAt, final int count, final long target)
    {
        int low = 0;
        int high = count - 1;
        int found = NONE;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (keyAt.applyAsLong(mid) <= target)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }
}
