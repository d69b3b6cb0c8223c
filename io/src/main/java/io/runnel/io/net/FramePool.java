package io.runnel.io.net;

import java.util.ArrayDeque;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Shard-local pool of off-heap frame buffers in power-of-two size classes. A request frame lives
 * in one buffer from the moment its size is known until its response is sent, so a produce can
 * be appended by other shards straight from the bytes the socket delivered.
 * Only the owning shard's thread acquires and releases.
 */
public final class FramePool
{
    private static final int MIN_CLASS_SHIFT = 10;          // 1 KiB
    private static final int MAX_POOLED_SHIFT = 24;         // frames above 16 MiB are not kept
    private static final int MAX_PER_CLASS = 64;

    @SuppressWarnings("unchecked")
    private final ArrayDeque<UnsafeBuffer>[] free = new ArrayDeque[MAX_POOLED_SHIFT + 1];

    public FramePool()
    {
        for (int i = 0; i < free.length; i++)
        {
            free[i] = new ArrayDeque<>();
        }
    }

    /** A buffer of at least {@code size} bytes, wrapping a direct ByteBuffer of its whole capacity. */
    public UnsafeBuffer acquire(final int size)
    {
        final int shift = classOf(size);
        if (shift <= MAX_POOLED_SHIFT)
        {
            final UnsafeBuffer pooled = free[shift].poll();
            if (pooled != null)
            {
                return pooled;
            }
        }
        final int capacity = shift <= MAX_POOLED_SHIFT ? 1 << shift : size;
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity, 64));
    }

    public void release(final UnsafeBuffer buffer)
    {
        final int capacity = buffer.capacity();
        if (Integer.bitCount(capacity) == 1)
        {
            final int shift = Integer.numberOfTrailingZeros(capacity);
            if (shift <= MAX_POOLED_SHIFT && shift >= MIN_CLASS_SHIFT && free[shift].size() < MAX_PER_CLASS)
            {
                buffer.byteBuffer().clear();
                free[shift].add(buffer);
                return;
            }
        }
        // Not kept: dropped for the garbage collector, whose cleaner frees the memory. BufferUtil.free cannot be used
        // here: allocateDirectAligned hands out a slice of a larger buffer, and a slice cannot be freed.
    }

    private static int classOf(final int size)
    {
        final int shift = 32 - Integer.numberOfLeadingZeros(Math.max(size, 1) - 1);
        return Math.max(shift, MIN_CLASS_SHIFT);
    }

}
