package io.runnel.io.net;

import java.util.ArrayDeque;

/**
 * A reactor's spare {@link ResponseSend}s, so that answering a produce allocates none. Sends are
 * taken and released on the reactor's own thread (the connection's), which is the only one that
 * writes or drops a response.
 */
public final class ResponseSendPool
{
    private static final int MAX_POOLED = 1024;

    private final ArrayDeque<ResponseSend> free = new ArrayDeque<>();

    public ResponseSend acquire()
    {
        final ResponseSend send = free.poll();
        return send != null ? send : new ResponseSend(this);
    }

    void recycle(final ResponseSend send)
    {
        if (free.size() < MAX_POOLED)
        {
            free.add(send);
        }
    }
}
