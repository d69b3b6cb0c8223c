package io.runnel.io.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

import io.runnel.codecs.protocol.RequestHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on one shard's reactor. Reads size-prefixed frames through its
 * {@link Transport} (small ones through a shared read buffer, the rest of a large one straight
 * into its own frame buffer), hands each to its {@link FrameHandler}, and writes responses
 * strictly in request order even when they complete out of order (Kafka clients pipeline up to
 * {@code max.in.flight.requests.per.connection}). Knows frames and bytes, not APIs.
 */
public final class Connection
{
    /** Requests read but not yet answered; past this the connection stops reading (back-pressure). */
    static final int MAX_IN_FLIGHT = 64;
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int MAX_FRAMES_PER_READ = 32;
    /** A frame's buffer starts this large and doubles as its bytes arrive. */
    private static final int FIRST_FRAME_CHUNK = 64 * 1024;
    private static final int SIZE_PREFIX = 4;
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final Transport transport;
    private final Reactor reactor;
    private final String remote;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final ArrayDeque<InFlightRequest> inFlight = new ArrayDeque<>();
    private FrameHandler frameHandler;
    private String clientId;
    private byte[] clientIdUtf8;
    private SelectionKey key;
    private UnsafeBuffer frame;
    private int frameSize;
    private int frameFilled;
    private boolean readPaused;
    private boolean closed;

    Connection(final Transport transport, final Reactor reactor, final String remote)
    {
        this.transport = transport;
        this.reactor = reactor;
        this.remote = remote;
    }

    /** Where complete frames go; a per-connection stage (authentication) may replace it for a while. */
    public void frameHandler(final FrameHandler handler)
    {
        this.frameHandler = handler;
    }

    void attach(final SelectionKey key)
    {
        this.key = key;
    }

    public String remote()
    {
        return remote;
    }

    public boolean isClosed()
    {
        return closed;
    }

    public Reactor reactor()
    {
        return reactor;
    }

    /** @return frames dispatched. */
    int onReadable()
    {
        int frames = 0;
        try
        {
            while (!closed && frames < MAX_FRAMES_PER_READ && inFlight.size() < MAX_IN_FLIGHT)
            {
                if (frame != null)
                {
                    if (frameFilled == frame.capacity() && !growFrame())
                    {
                        break;
                    }
                    final ByteBuffer target = frame.byteBuffer();
                    target.limit(Math.min(frameSize, frame.capacity())).position(frameFilled);
                    final int read = transport.read(target);
                    if (read < 0)
                    {
                        close(null);
                        break;
                    }
                    frameFilled = target.position();
                    if (frameFilled < frameSize)
                    {
                        if (read == 0)
                        {
                            break;
                        }
                        continue;
                    }
                    dispatchFrame();
                    frames++;
                    continue;
                }
                final int read = transport.read(readBuffer);
                if (read < 0)
                {
                    close(null);
                    break;
                }
                readBuffer.flip();
                try
                {
                    frames += takeFramesFromReadBuffer();
                }
                finally
                {
                    readBuffer.compact();
                }
                if (read == 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            close(null);
        }
        updateReadInterest();
        return frames;
    }

    /** Starts (and, if complete, dispatches) frames from the bytes in the read buffer. */
    private int takeFramesFromReadBuffer()
    {
        int frames = 0;
        while (!closed && frame == null && readBuffer.remaining() >= SIZE_PREFIX)
        {
            final int size = readBuffer.getInt();
            if (size <= 0 || size > reactor.maxRequestBytes())
            {
                close("frame size " + size + " is outside 1.." + reactor.maxRequestBytes() + " (socket.request.max.bytes)");
                return frames;
            }
            // Memory follows the bytes that actually arrive, not the size a client claims.
            if (!allocateFrame(Math.min(size, FIRST_FRAME_CHUNK)))
            {
                return frames;
            }
            frameSize = size;
            final int take = Math.min(readBuffer.remaining(), Math.min(size, frame.capacity()));
            frame.putBytes(0, readBuffer, readBuffer.position(), take);
            readBuffer.position(readBuffer.position() + take);
            frameFilled = take;
            if (frameFilled == frameSize)
            {
                dispatchFrame();
                frames++;
            }
        }
        return frames;
    }

    private boolean allocateFrame(final int capacity)
    {
        try
        {
            frame = reactor.framePool().acquire(capacity);
            return true;
        }
        catch (final OutOfMemoryError | IllegalArgumentException ex)
        {
            close("cannot allocate a " + capacity + "-byte frame buffer: " + ex);
            return false;
        }
    }

    /** Doubles the frame buffer (up to the frame's size), keeping the bytes read so far. */
    private boolean growFrame()
    {
        final UnsafeBuffer previous = frame;
        final int capacity = (int)Math.min(frameSize, 2L * previous.capacity());
        if (!allocateFrame(capacity))
        {
            frame = null;
            reactor.framePool().release(previous);
            return false;
        }
        frame.putBytes(0, previous, 0, frameFilled);
        reactor.framePool().release(previous);
        return true;
    }

    private void dispatchFrame()
    {
        final UnsafeBuffer request = frame;
        final int length = frameSize;
        frame = null;
        frameSize = 0;
        frameFilled = 0;
        frameHandler.onFrame(this, request, length);
    }

    /**
     * The client id of the request whose header is in {@code header}: a client sends the same one
     * on every request, so the String decoded from the first is kept and compared byte for byte.
     */
    public String clientId(final RequestHeader header)
    {
        if (!header.hasClientId())
        {
            return null;
        }
        if (!header.clientIdEquals(clientIdUtf8))
        {
            clientId = header.clientId();
            clientIdUtf8 = clientId.getBytes(StandardCharsets.UTF_8);
        }
        return clientId;
    }

    /** Queues a request that will be answered; responses leave in this order. */
    public void register(final InFlightRequest request)
    {
        inFlight.add(request);
    }

    /** A registered request changed state (answered, or needs no answer): write what is now in order. */
    public void onRequestFinished()
    {
        if (!closed)
        {
            flush();
        }
    }

    int onWritable()
    {
        flush();
        return 1;
    }

    private void flush()
    {
        try
        {
            InFlightRequest head;
            while ((head = inFlight.peek()) != null)
            {
                if (head.isAwaitingResponse())
                {
                    break;
                }
                final ResponseSend send = head.send();
                if (send != null && !send.writeTo(transport))
                {
                    key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
                    return;
                }
                inFlight.poll();
            }
            if (key.isValid())
            {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            }
            updateReadInterest();
        }
        catch (final IOException ex)
        {
            close(null);
        }
    }

    private void updateReadInterest()
    {
        if (closed || !key.isValid())
        {
            return;
        }
        final boolean shouldPause = inFlight.size() >= MAX_IN_FLIGHT;
        if (shouldPause != readPaused)
        {
            readPaused = shouldPause;
            key.interestOps(shouldPause ? key.interestOps() & ~SelectionKey.OP_READ : key.interestOps() | SelectionKey.OP_READ);
            if (!shouldPause)
            {
                reactor.markReadable(this);
            }
        }
    }

    /** Closes the connection; {@code reason} (if any) is logged. Requests still in progress release their own frames. */
    public void close(final String reason)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (reason != null)
        {
            LOG.warn("closing connection from {}: {}", remote, reason);
        }
        if (frame != null)
        {
            reactor.framePool().release(frame);
            frame = null;
        }
        for (final InFlightRequest request : inFlight)
        {
            final ResponseSend send = request.send();
            if (send != null)
            {
                send.release();
            }
        }
        inFlight.clear();
        if (key != null)
        {
            key.cancel();
        }
        transport.close();
        reactor.onClosed(this);
    }
}
