package io.runnel.io.api;

import java.nio.ByteBuffer;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.net.Connection;
import io.runnel.io.net.InFlightRequest;
import io.runnel.io.net.Reactor;
import io.runnel.io.net.ResponseSend;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request from receipt to answer: its frame (held until the request is finished, since other
 * shards may be appending from it), its header fields, and its place in the connection's response
 * order. Lives on the shard of the connection that received it. Answered exactly once: by
 * {@link #respond}, by {@link #fail} with the error response Kafka's own request classes define
 * for the API at this version, or (acks=0) by {@link #finishWithoutResponse}.
 */
public final class RequestContext implements InFlightRequest
{
    private static final Logger LOG = LoggerFactory.getLogger(RequestContext.class);

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

    public RequestContext(final Connection connection, final ApiKeys api, final short apiVersion, final int correlationId,
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

    @Override
    public boolean isAwaitingResponse()
    {
        return awaitingResponse;
    }

    @Override
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
        if (!awaitingResponse)
        {
            // Already answered (e.g. failed while the work was still out on other shards): the late answer is dropped.
            response.release();
            return;
        }
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

    /**
     * Answers a request whose handling failed with the error response Kafka's request class for
     * this API builds at this version ({@code getErrorResponse}): {@code UNKNOWN_SERVER_ERROR},
     * or the code of a Kafka {@link ApiException}. The connection stays usable. Only when that
     * cannot be done (the request does not parse, or needs no answer, as produce with acks=0) is
     * the connection closed, as Kafka does.
     */
    public void fail(final Throwable cause)
    {
        if (!awaitingResponse)
        {
            return;
        }
        final Errors error = cause instanceof ApiException ? Errors.forException(cause) : Errors.UNKNOWN_SERVER_ERROR;
        final String reason;
        if (frame == null)
        {
            reason = "its frame is gone";
        }
        else
        {
            ApiMessage errorResponse = null;
            String notAnswerable = null;
            try
            {
                final AbstractRequest request = AbstractRequest.parseRequest(api, apiVersion, new ByteBufferAccessor(body())).request;
                if (request instanceof ProduceRequest produce && produce.acks() == 0)
                {
                    notAnswerable = "produce with acks=0 has no response to carry the error";
                }
                else
                {
                    final AbstractResponse response = request.getErrorResponse(0, error.exception(
                        "the broker failed handling " + api + " v" + apiVersion + ": " + cause));
                    errorResponse = response.data();
                }
            }
            catch (final RuntimeException ex)
            {
                notAnswerable = "no error response could be built: " + ex;
            }
            if (errorResponse != null && tryRespond(errorResponse))
            {
                return;
            }
            reason = notAnswerable != null ? notAnswerable : "the error response could not be encoded";
        }
        finishWithoutResponse();
        connection.close(api + " v" + apiVersion + " failed (" + cause + ") and " + reason);
    }

    private boolean tryRespond(final ApiMessage response)
    {
        try
        {
            respond(response);
            return true;
        }
        catch (final RuntimeException ex)
        {
            LOG.error("cannot encode the {} v{} error response", api, apiVersion, ex);
            return false;
        }
    }

    /** Finishes a request that gets no answer (produce with acks=0). */
    public void finishWithoutResponse()
    {
        if (!awaitingResponse)
        {
            return;
        }
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
