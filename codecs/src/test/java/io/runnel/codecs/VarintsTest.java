package io.runnel.codecs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.utils.internals.ByteUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VarintsTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
    private final int[] length = new int[1];

    private byte[] written(final int count)
    {
        final byte[] bytes = new byte[count];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] kafkaUnsignedVarint(final int value)
    {
        final ByteBuffer out = ByteBuffer.allocate(10);
        ByteUtils.writeUnsignedVarint(value, out);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] kafkaVarint(final int value)
    {
        final ByteBuffer out = ByteBuffer.allocate(10);
        ByteUtils.writeVarint(value, out);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] kafkaVarlong(final long value)
    {
        final ByteBuffer out = ByteBuffer.allocate(10);
        ByteUtils.writeVarlong(value, out);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 64, 127, 128, 300, 16383, 16384, 2097151, 2097152, 268435455, 268435456,
        Integer.MAX_VALUE, -1, Integer.MIN_VALUE})
    void unsignedVarintRoundTripsAndMatchesKafkaEncoding(final int value)
    {
        final int n = Varints.writeUnsignedVarint(buffer, 0, value);

        assertArrayEquals(kafkaUnsignedVarint(value), written(n));
        assertEquals(ByteUtils.sizeOfUnsignedVarint(value), n);
        assertEquals(n, Varints.sizeOfUnsignedVarint(value));
        assertEquals(value, Varints.readUnsignedVarint(buffer, 0, n, length));
        assertEquals(n, length[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, -1, 63, -64, 64, -65, 1000, -1000, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void signedVarintUsesZigZagAndRoundTrips(final int value)
    {
        final int n = Varints.writeVarint(buffer, 0, value);

        assertArrayEquals(kafkaVarint(value), written(n));
        assertEquals(value, Varints.readVarint(buffer, 0, n, length));
        assertEquals(n, length[0]);
    }

    @Test
    void zigZagMapsSmallNegativesToSmallCodes()
    {
        assertEquals(1, Varints.writeVarint(buffer, 0, -1));
        assertEquals(0x01, buffer.getByte(0));
        assertEquals(1, Varints.writeVarint(buffer, 0, 1));
        assertEquals(0x02, buffer.getByte(0));
        assertEquals(1, Varints.writeVarint(buffer, 0, -64));
        assertEquals(0x7F, buffer.getByte(0));
        assertEquals(2, Varints.writeVarint(buffer, 0, 64));
        assertEquals(5, Varints.writeVarint(buffer, 0, Integer.MIN_VALUE));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, -1L, 63L, -64L, 64L, 1_700_000_000_000L, -1_700_000_000_000L, Integer.MAX_VALUE,
        Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE})
    void signedVarlongRoundTripsAndMatchesKafkaEncoding(final long value)
    {
        final int n = Varints.writeVarlong(buffer, 0, value);

        assertArrayEquals(kafkaVarlong(value), written(n));
        assertEquals(ByteUtils.sizeOfVarlong(value), n);
        assertEquals(value, Varints.readVarlong(buffer, 0, n, length));
        assertEquals(n, length[0]);
    }

    @Test
    void extremeValuesTakeTheMaximumLength()
    {
        assertEquals(Varints.MAX_VARINT_BYTES, Varints.writeUnsignedVarint(buffer, 0, -1));
        assertEquals(Varints.MAX_VARINT_BYTES, Varints.writeVarint(buffer, 0, Integer.MIN_VALUE));
        assertEquals(Varints.MAX_VARINT_BYTES, Varints.writeVarint(buffer, 0, Integer.MAX_VALUE));
        assertEquals(Varints.MAX_VARLONG_BYTES, Varints.writeVarlong(buffer, 0, Long.MIN_VALUE));
        assertEquals(Varints.MAX_VARLONG_BYTES, Varints.writeVarlong(buffer, 0, Long.MAX_VALUE));
    }

    @Test
    void readsAtAnOffsetAndReportsConsumedBytes()
    {
        final int a = Varints.writeVarint(buffer, 3, -300);
        final int b = Varints.writeVarlong(buffer, 3 + a, 123_456_789_012L);

        assertEquals(-300, Varints.readVarint(buffer, 3, 3 + a + b, length));
        assertEquals(a, length[0]);
        assertEquals(123_456_789_012L, Varints.readVarlong(buffer, 3 + a, 3 + a + b, length));
        assertEquals(b, length[0]);
    }

    @Test
    void varintLongerThanFiveBytesIsMalformed()
    {
        for (int i = 0; i < 6; i++)
        {
            buffer.putByte(i, (byte)0x80);
        }
        buffer.putByte(6, (byte)0x01);

        assertThrows(Varints.MalformedVarintException.class, () -> Varints.readUnsignedVarint(buffer, 0, 64, length));
        assertThrows(Varints.MalformedVarintException.class, () -> Varints.readVarint(buffer, 0, 64, length));
    }

    @Test
    void varlongLongerThanTenBytesIsMalformed()
    {
        for (int i = 0; i < 11; i++)
        {
            buffer.putByte(i, (byte)0xFF);
        }
        buffer.putByte(11, (byte)0x01);

        assertThrows(Varints.MalformedVarintException.class, () -> Varints.readVarlong(buffer, 0, 64, length));
    }

    @Test
    void truncatedVarintIsMalformedAndNoByteAtOrPastTheLimitIsRead()
    {
        final int n = Varints.writeUnsignedVarint(buffer, 0, 1 << 20); // 3 bytes, continuation bits on the first two

        for (int limit = 0; limit < n; limit++)
        {
            final int l = limit;
            assertThrows(Varints.MalformedVarintException.class, () -> Varints.readUnsignedVarint(buffer, 0, l, length));
            assertThrows(Varints.MalformedVarintException.class, () -> Varints.readVarint(buffer, 0, l, length));
        }
        assertEquals(1 << 20, Varints.readUnsignedVarint(buffer, 0, n, length));
    }

    @Test
    void truncatedVarlongIsMalformed()
    {
        final int n = Varints.writeVarlong(buffer, 0, Long.MIN_VALUE);

        for (int limit = 0; limit < n; limit++)
        {
            final int l = limit;
            assertThrows(Varints.MalformedVarintException.class, () -> Varints.readVarlong(buffer, 0, l, length));
        }
    }

    @Test
    void emptyInputIsMalformed()
    {
        assertThrows(Varints.MalformedVarintException.class, () -> Varints.readUnsignedVarint(buffer, 10, 10, length));
        assertThrows(Varints.MalformedVarintException.class, () -> Varints.readVarlong(buffer, 10, 10, length));
    }
}
