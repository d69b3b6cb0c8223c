package io.runnel.codecs.protocol;

import java.nio.ByteBuffer;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Codec for control-plane messages (everything but the Produce and Fetch hot path), using
 * kafka-clients' generated message classes: they already encode every version correctly.
 */
public final class ControlMessages
{
    private ControlMessages()
    {
    }

    /** Parses a request body of the given API and version; the buffer's position is at the body. */
    public static ApiMessage readRequest(final ApiKeys api, final short version, final ByteBuffer body)
    {
        final ApiMessage message = api.messageType.newRequest();
        try
        {
            message.read(new ByteBufferAccessor(body), version);
        }
        catch (final RuntimeException ex)
        {
            throw new MalformedRequestException("cannot read " + api + " v" + version + ": " + ex.getMessage());
        }
        return message;
    }

    /** Serializes a whole response frame: size prefix, response header and body. */
    public static ByteBuffer writeResponse(final ApiKeys api, final short version, final int correlationId, final ApiMessage response)
    {
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int bodySize = response.size(cache, version);
        final boolean flexibleHeader = api.responseHeaderVersion(version) >= 1;
        final int headerSize = 4 + (flexibleHeader ? 1 : 0);
        final ByteBuffer frame = ByteBuffer.allocate(4 + headerSize + bodySize);
        frame.putInt(headerSize + bodySize);
        frame.putInt(correlationId);
        if (flexibleHeader)
        {
            frame.put((byte)0);
        }
        response.write(new ByteBufferAccessor(frame), cache, version);
        frame.flip();
        return frame;
    }
}
