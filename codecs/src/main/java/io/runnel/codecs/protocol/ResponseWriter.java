package io.runnel.codecs.protocol;

import java.nio.ByteOrder;

import io.runnel.codecs.Varints;
import org.agrona.MutableDirectBuffer;

/**
 * Cursor for writing a Kafka response into a buffer: big-endian primitives, and strings and
 * lengths in both the classic (int16/int32) and the compact (flexible-version) encodings.
 * Frame = int32 size, then the response header, then the body; {@link #finishFrame()} writes the
 * size once the body is complete. The caller sizes the buffer.
 */
public final class ResponseWriter
{
    private static final int SIZE_PREFIX = 4;

    private MutableDirectBuffer buffer;
    private int frameStart;
    private int position;

    /** Starts a frame at {@code offset}: size placeholder, correlation id and, for header v1, empty tagged fields. */
    public ResponseWriter beginFrame(final MutableDirectBuffer buffer, final int offset, final int correlationId, final boolean flexibleHeader)
    {
        this.buffer = buffer;
        this.frameStart = offset;
        this.position = offset + SIZE_PREFIX;
        putInt(correlationId);
        if (flexibleHeader)
        {
            emptyTaggedFields();
        }
        return this;
    }

    /** Writes the frame's size prefix, adding {@code externalBytes} sent after the buffer (zero-copy record regions). */
    public int finishFrame(final long externalBytes)
    {
        final long size = position - frameStart - SIZE_PREFIX + externalBytes;
        buffer.putInt(frameStart, (int)size, ByteOrder.BIG_ENDIAN);
        return position;
    }

    public int finishFrame()
    {
        return finishFrame(0);
    }

    public int position()
    {
        return position;
    }

    public ResponseWriter putByte(final byte value)
    {
        buffer.putByte(position, value);
        position += 1;
        return this;
    }

    public ResponseWriter putShort(final short value)
    {
        buffer.putShort(position, value, ByteOrder.BIG_ENDIAN);
        position += 2;
        return this;
    }

    public ResponseWriter putInt(final int value)
    {
        buffer.putInt(position, value, ByteOrder.BIG_ENDIAN);
        position += 4;
        return this;
    }

    public ResponseWriter putLong(final long value)
    {
        buffer.putLong(position, value, ByteOrder.BIG_ENDIAN);
        position += 8;
        return this;
    }

    public ResponseWriter putUuid(final long mostSignificantBits, final long leastSignificantBits)
    {
        return putLong(mostSignificantBits).putLong(leastSignificantBits);
    }

    public ResponseWriter putUnsignedVarint(final int value)
    {
        position += Varints.writeUnsignedVarint(buffer, position, value);
        return this;
    }

    /** Compact array/records/bytes length: N+1, or 0 for null (pass -1). */
    public ResponseWriter putCompactLength(final int length)
    {
        return putUnsignedVarint(length + 1);
    }

    public ResponseWriter putCompactString(final String value)
    {
        if (value == null)
        {
            return putUnsignedVarint(0);
        }
        final int lengthPosition = position;
        // Names are short: reserve one varint byte, move the bytes if the UTF-8 length needs more.
        final int written = buffer.putStringWithoutLengthUtf8(position + 1, value);
        final int varintSize = Varints.sizeOfUnsignedVarint(written + 1);
        if (varintSize > 1)
        {
            buffer.putBytes(position + varintSize, buffer, position + 1, written);
        }
        Varints.writeUnsignedVarint(buffer, lengthPosition, written + 1);
        position += varintSize + written;
        return this;
    }

    /** A compact string already encoded as UTF-8 (e.g. a topic name the broker keeps encoded), copied without a String. */
    public ResponseWriter putCompactString(final byte[] utf8)
    {
        if (utf8 == null)
        {
            return putUnsignedVarint(0);
        }
        putUnsignedVarint(utf8.length + 1);
        buffer.putBytes(position, utf8);
        position += utf8.length;
        return this;
    }

    /** A (non-flexible) string already encoded as UTF-8: int16 length then the bytes, or -1 for null. */
    public ResponseWriter putString(final byte[] utf8)
    {
        if (utf8 == null)
        {
            return putShort((short)-1);
        }
        if (utf8.length > Short.MAX_VALUE)
        {
            throw new IllegalArgumentException("a string of " + utf8.length + " bytes does not fit an int16 length");
        }
        putShort((short)utf8.length);
        buffer.putBytes(position, utf8);
        position += utf8.length;
        return this;
    }

    public ResponseWriter emptyTaggedFields()
    {
        return putByte((byte)0);
    }
}
