package io.runnel.io.api;

import java.nio.ByteBuffer;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.net.Connection;
import io.runnel.io.net.Reactor;
import io.runnel.io.net.ResponseSend;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * One request from receipt to answer: its frame (held until the request is finished, since other
 * shards may be appending from it), its header fields, and its place in the connection's response
 * order. Lives on the shard of the connection that received it.
 */
public final class RequestContext
{
    private final Connection connection;
    private final ApiKeys api;
    private final short apiVersion;
    private final int correlationId;
    private final String clientId;
    private final int bodyOffset;
    private final int frameLength;
    private UnsafeBuffer frame;
    private ResponseSend send;
    private boolean awaitingResponse = true;

    RequestContext(final Connection connection, final ApiKeys api, final short apiVersion, final int correlationId,
        final String clientId, final UnsafeBuffer frame, final int bodyOffset, final int frameLength)
    {
        this.connection = connection;
        this.api = api;
        this.apiVersion = apiVersion;
        this.correlationId = correlationId;
        this.clientId = clientId;
        this.frame = frame;
        this.bodyOffset = bodyOffset;
        this.frameLength = frameLength;
    }

    public Connection connection()
    {
        return connection;
    }

    public Reactor reactor()
    {
        return connection.reactor();
    }

    public ApiKeys api()
    {
        return api;
    }

    public short apiVersion()
    {
        return apiVersion;
    }

    public int correlationId()
    {
        return correlationId;
    }

    public String clientId()
    {
        return clientId;
    }

    public UnsafeBuffer frame()
    {
        return frame;
    }

    public int bodyOffset()
    {
        return bodyOffset;
    }

    public int frameLength()
    {
        return frameLength;
    }

    /** The request body as a ByteBuffer, for kafka-clients' generated message classes. */
    public ByteBuffer body()
    {
        return frame.byteBuffer().duplicate().limit(frameLength).position(bodyOffset);
    }

    public boolean isAwaitingResponse()
    {
        return awaitingResponse;
    }

    public ResponseSend send()
    {
        return send;
    }

    /** Answers with a control-plane message encoded by kafka-clients' generated classes. */
    public void respond(final ApiMessage response)
    {
        respond(ResponseSend.of(ControlMessages.writeResponse(api, apiVersion, correlationId, response)));
    }

    public void respond(final ResponseSend response)
    {
        releaseFrame();
        if (connection.isClosed())
        {
            response.release();
            return;
        }
        send = response;
        awaitingResponse = false;
        connection.onRequestFinished();
    }

    /** Finishes a request that gets no answer (produce with acks=0). */
    public void finishWithoutResponse()
    {
        releaseFrame();
        awaitingResponse = false;
        connection.onRequestFinished();
    }

    private void releaseFrame()
    {
        if (frame != null)
        {
            connection.reactor().framePool().release(frame);
            frame = null;
        }
    }
}
