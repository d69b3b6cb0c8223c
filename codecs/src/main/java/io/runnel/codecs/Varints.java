package io.runnel.codecs;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Kafka's variable-length integers over Agrona buffers: unsigned varints (compact lengths, tagged
 * fields) and zig-zag signed varints/varlongs (record fields). Methods that read return the value
 * and report how many bytes they consumed through a caller-owned {@code int[1]}, so the
 * hot path allocates nothing.
 */
public final class Varints
{
    /** A 32-bit varint never needs more than five bytes. */
    public static final int MAX_VARINT_BYTES = 5;
    /** A 64-bit varlong never needs more than ten bytes. */
    public static final int MAX_VARLONG_BYTES = 10;


    private Varints()
    {
    }

    /** Thrown when a varint runs past its limit or past the end of the readable bytes. */
    public static final class MalformedVarintException extends RuntimeException
    {
        public MalformedVarintException(final String message)
        {
            super(message, null, false, false);
        }
    }

    /**
     * Reads an unsigned varint starting at {@code offset}, reading no byte at or beyond {@code limit}.
     * The number of bytes read is written to {@code lengthOut[0]}.
     */
    public static int readUnsignedVarint(final DirectBuffer buffer, final int offset, final int limit, final int[] lengthOut)
    {
        int value = 0;
        int shift = 0;
        int index = offset;
        while (true)
        {
            if (index >= limit)
            {
                throw new MalformedVarintException("varint runs past the end of the buffer");
            }
            final byte b = buffer.getByte(index++);
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                lengthOut[0] = index - offset;
                return value;
            }
            shift += 7;
            if (shift >= 35)
            {
                throw new MalformedVarintException("varint is longer than 5 bytes");
            }
        }
    }

    /** Reads a zig-zag encoded signed varint (record fields). */
    public static int readVarint(final DirectBuffer buffer, final int offset, final int limit, final int[] lengthOut)
    {
        final int raw = readUnsignedVarint(buffer, offset, limit, lengthOut);
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Reads a zig-zag encoded signed varlong (record timestamp and offset deltas). */
    public static long readVarlong(final DirectBuffer buffer, final int offset, final int limit, final int[] lengthOut)
    {
        long raw = 0;
        int shift = 0;
        int index = offset;
        while (true)
        {
            if (index >= limit)
            {
                throw new MalformedVarintException("varlong runs past the end of the buffer");
            }
            final byte b = buffer.getByte(index++);
            raw |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                lengthOut[0] = index - offset;
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
            if (shift >= 70)
            {
                throw new MalformedVarintException("varlong is longer than 10 bytes");
            }
        }
    }

    /** Writes an unsigned varint and returns the number of bytes written. */
    public static int writeUnsignedVarint(final MutableDirectBuffer buffer, final int offset, final int value)
    {
        int v = value;
        int index = offset;
        while ((v & 0xFFFFFF80) != 0)
        {
            buffer.putByte(index++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(index++, (byte)v);
        return index - offset;
    }

    /** Writes a zig-zag encoded signed varint and returns the number of bytes written. */
    public static int writeVarint(final MutableDirectBuffer buffer, final int offset, final int value)
    {
        return writeUnsignedVarint(buffer, offset, (value << 1) ^ (value >> 31));
    }

    /** Writes a zig-zag encoded signed varlong and returns the number of bytes written. */
    public static int writeVarlong(final MutableDirectBuffer buffer, final int offset, final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int index = offset;
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0L)
        {
            buffer.putByte(index++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(index++, (byte)v);
        return index - offset;
    }

    /** Bytes needed to write {@code value} as an unsigned varint. */
    public static int sizeOfUnsignedVarint(final int value)
    {
        // 1 byte per started group of 7 significant bits; 0 still takes one byte.
        final int significantBits = 32 - Integer.numberOfLeadingZeros(value);
        return significantBits == 0 ? 1 : (significantBits + 6) / 7;
    }
}
