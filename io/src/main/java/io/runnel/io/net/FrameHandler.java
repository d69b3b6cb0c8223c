package io.runnel.io.net;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a connection hands each complete request frame to. The API layer implements it; a
 * per-connection stage (SASL authentication, later) can wrap it. The handler owns the frame from
 * then on and must release it to the reactor's {@link FramePool} (directly, or through the
 * {@link InFlightRequest} it registers) exactly once.
 */
@FunctionalInterface
public interface FrameHandler
{
    void onFrame(Connection connection, UnsafeBuffer frame, int length);
}
