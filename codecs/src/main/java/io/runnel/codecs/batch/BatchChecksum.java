package io.runnel.codecs.batch;

import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;

/**
 * CRC32C over a region of a buffer, using the JDK's intrinsic. Off-heap buffers are checksummed by
 * address with no copy; heap buffers (tests, tools) go through {@link CRC32C}.
 */
public final class BatchChecksum
{
    private BatchChecksum()
    {
    }

    public static int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array == null)
        {
            return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
        }
        final CRC32C crc = new CRC32C();
        final int arrayOffset = (int)(buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET);
        crc.update(array, arrayOffset + offset, length);
        return (int)crc.getValue();
    }
}
