package io.runnel.io.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ResponseSendPoolTest
{
    @Test
    void aReleasedSendReturnsItsBufferAndComesBackEmpty()
    {
        final ResponseSendPool sends = new ResponseSendPool();
        final FramePool frames = new FramePool();
        final UnsafeBuffer buffer = frames.acquire(1024);
        final ResponseSend send = sends.acquire().add(ByteBuffer.allocate(8)).releasing(frames, buffer);

        send.release();

        assertSame(buffer, frames.acquire(1024), "the response buffer went back to the frame pool");
        final ResponseSend again = sends.acquire();
        assertSame(send, again);
        // A recycled send holds no parts: releasing it again returns nothing twice.
        again.release();
        assertEquals(1024, frames.acquire(1024).capacity());
    }
}
