package io.runnel.io.net;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ResponseSendPoolTest
{
    @Test
    void aReleasedSendReturnsItsBufferAndComesBackEmpty() throws Exception
    {
        final ResponseSendPool sends = new ResponseSendPool();
        final FramePool frames = new FramePool();
        final UnsafeBuffer buffer = frames.acquire(1024);
        final ResponseSend send = sends.acquire().add(ByteBuffer.allocate(8)).releasing(frames, buffer);

        send.release();

        assertSame(buffer, frames.acquire(1024), "the response buffer went back to the frame pool");
        final ResponseSend again = sends.acquire();
        assertSame(send, again, "the send itself went back to its pool");
        assertTrue(again.writeTo(null), "a recycled send holds no parts (nothing is written, so no socket is needed)");
        // Its completion ran as part of writeTo: the frame buffer, held elsewhere now, must not have been released again.
        assertNotSame(frames.acquire(1024), frames.acquire(1024));
    }
}
