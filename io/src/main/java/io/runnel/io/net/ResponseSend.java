package io.runnel.io.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The bytes of one response, in order: buffer slices and file regions. Buffers are written with
 * {@code write}, regions with {@code FileChannel.transferTo} (page cache → socket, no heap copy).
 * Writes are non-blocking: {@link #writeTo} resumes where the socket last stopped accepting.
 */
public final class ResponseSend
{
    private final List<Object> parts = new ArrayList<>(4);
    private final ResponseSendPool pool;
    private int current;
    private long regionSent;
    private FramePool framePool;
    private UnsafeBuffer pooledBuffer;

    ResponseSend(final ResponseSendPool pool)
    {
        this.pool = pool;
    }

    /** A send that is not pooled; the hot paths take theirs from their reactor's {@link ResponseSendPool}. */
    public static ResponseSend of(final ByteBuffer buffer)
    {
        return new ResponseSend(null).add(buffer);
    }

    public ResponseSend add(final ByteBuffer buffer)
    {
        if (buffer.hasRemaining())
        {
            parts.add(buffer);
        }
        return this;
    }

    public ResponseSend add(final FileChannel channel, final long position, final int length)
    {
        if (length > 0)
        {
            parts.add(new Region(channel, position, length));
        }
        return this;
    }

    /** Returns {@code buffer} to {@code framePool} once the response is written (or dropped). */
    public ResponseSend releasing(final FramePool framePool, final UnsafeBuffer buffer)
    {
        this.framePool = framePool;
        this.pooledBuffer = buffer;
        return this;
    }

    /** @return true when the whole response has been written. */
    public boolean writeTo(final Transport transport) throws IOException
    {
        while (current < parts.size())
        {
            final Object part = parts.get(current);
            if (part instanceof ByteBuffer buffer)
            {
                transport.write(buffer);
                if (buffer.hasRemaining())
                {
                    return false;
                }
            }
            else
            {
                final Region region = (Region)part;
                final long remaining = region.length - regionSent;
                final long sent = transport.transferFrom(region.channel, region.position + regionSent, remaining);
                if (sent <= 0 && region.position + regionSent >= region.channel.size())
                {
                    throw new IOException("segment file is shorter than the region being sent");
                }
                regionSent += sent;
                if (regionSent < region.length)
                {
                    return false;
                }
                regionSent = 0;
            }
            current++;
        }
        release();
        return true;
    }

    /** Returns pooled buffers; a pooled send then goes back to its pool, so its owner must not touch it again. */
    public void release()
    {
        if (pooledBuffer != null)
        {
            framePool.release(pooledBuffer);
            pooledBuffer = null;
            framePool = null;
        }
        if (pool != null)
        {
            parts.clear();
            current = 0;
            regionSent = 0;
            pool.recycle(this);
        }
    }

    private record Region(FileChannel channel, long position, int length)
    {
    }
}
