package io.runnel.codecs.protocol;

import org.agrona.DirectBuffer;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Flyweight over a Kafka request header (v1 or v2) at the start of a frame body (after the
 * 4-byte size): apiKey, apiVersion, correlationId, clientId and, in v2, tagged fields.
 */
public final class RequestHeader
{
    /** apiKey + apiVersion + correlationId: enough to answer or to refuse. */
    public static final int FIXED_PREFIX = 8;

    private final int[] varintLength = new int[1];
    private DirectBuffer buffer;
    private int offset;
    private int limit;
    private short apiKey;
    private short apiVersion;
    private int correlationId;
    private int clientIdOffset;
    private int clientIdLength;
    private int headerLength;

    /** Reads the three fixed fields; {@link #parseRest} reads the remainder once the API is known. */
    public RequestHeader wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FIXED_PREFIX)
        {
            throw new MalformedRequestException("frame of " + length + " bytes is shorter than a request header");
        }
        this.buffer = buffer;
        this.offset = offset;
        this.limit = offset + length;
        apiKey = buffer.getShort(offset, java.nio.ByteOrder.BIG_ENDIAN);
        apiVersion = buffer.getShort(offset + 2, java.nio.ByteOrder.BIG_ENDIAN);
        correlationId = buffer.getInt(offset + 4, java.nio.ByteOrder.BIG_ENDIAN);
        clientIdOffset = -1;
        clientIdLength = -1;
        headerLength = FIXED_PREFIX;
        return this;
    }

    /** Reads clientId and (header v2) tagged fields; header version follows from the API and its version. */
    public void parseRest(final ApiKeys api)
    {
        final short headerVersion = api.requestHeaderVersion(apiVersion);
        int position = offset + FIXED_PREFIX;
        if (headerVersion >= 1)
        {
            if (position + 2 > limit)
            {
                throw new MalformedRequestException("truncated client id");
            }
            final short length = buffer.getShort(position, java.nio.ByteOrder.BIG_ENDIAN);
            position += 2;
            if (length >= 0)
            {
                if (position + length > limit)
                {
                    throw new MalformedRequestException("client id runs past the frame");
                }
                clientIdOffset = position;
                clientIdLength = length;
                position += length;
            }
        }
        if (headerVersion >= 2)
        {
            position = TaggedFields.skip(buffer, position, limit, varintLength);
        }
        headerLength = position - offset;
    }

    public short apiKey()
    {
        return apiKey;
    }

    public short apiVersion()
    {
        return apiVersion;
    }

    public int correlationId()
    {
        return correlationId;
    }

    /** Header bytes from the frame body start; the request body begins right after. */
    public int headerLength()
    {
        return headerLength;
    }

    /** Whether the client id is exactly these UTF-8 bytes (a connection sends the same one every time; see its cache). */
    public boolean clientIdEquals(final byte[] utf8)
    {
        if (utf8 == null || clientIdLength != utf8.length)
        {
            return false;
        }
        for (int i = 0; i < clientIdLength; i++)
        {
            if (buffer.getByte(clientIdOffset + i) != utf8[i])
            {
                return false;
            }
        }
        return true;
    }

    public boolean hasClientId()
    {
        return clientIdLength >= 0;
    }

    public String clientId()
    {
        return clientIdLength < 0 ? null : buffer.getStringWithoutLengthUtf8(clientIdOffset, clientIdLength);
    }
}
