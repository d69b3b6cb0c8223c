package io.runnel.io.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FramePoolTest
{
    private final FramePool pool = new FramePool();

    @Test
    void reusesAReleasedBufferOfTheSameSizeClass()
    {
        final UnsafeBuffer first = pool.acquire(3000);
        assertEquals(4096, first.capacity());
        pool.release(first);
        assertSame(first, pool.acquire(2049));
    }

    @Test
    void releasingMoreBuffersThanThePoolKeepsDropsTheRestWithoutFailing()
    {
        // Regression: buffers the pool does not keep were freed with BufferUtil.free, which refuses the aligned slices it hands out.
        final List<UnsafeBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            buffers.add(pool.acquire(1024));
        }
        assertDoesNotThrow(() -> buffers.forEach(pool::release));
    }

    @Test
    void aFrameTooLargeToPoolIsDroppedWithoutFailing()
    {
        final UnsafeBuffer huge = pool.acquire((16 << 20) + 1);
        assertTrue(huge.capacity() > 16 << 20);
        assertDoesNotThrow(() -> pool.release(huge));
    }
}
