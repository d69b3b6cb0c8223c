package io.runnel.codecs.compression;

import java.io.InputStream;
import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * Decompresses a batch's records section with the codec libraries kafka-clients uses (gzip,
 * snappy, lz4, zstd), as a stream, so that the batch validator can walk the records inside by the
 * same rules as an uncompressed batch's. The stored bytes stay as the producer compressed them:
 * this is validation only, never recompression. One per validator; not thread-safe (the codecs'
 * buffers are reused through one {@link BufferSupplier}).
 */
public final class CompressedRecordsInspector
{
    private final BufferSupplier bufferSupplier = BufferSupplier.create();
    private final Compression[] codecs = new Compression[CompressionType.values().length];

    /**
     * The decompressed bytes of the compressed records section at {@code [offset, offset + length)}
     * of {@code buffer} (the batch's bytes after its 61-byte header), compressed with codec
     * {@code compressionId} (1 gzip, 2 snappy, 3 lz4, 4 zstd). The caller closes the stream, which
     * returns the codec's buffers. A section that is not a stream of that codec fails here or on a
     * read, with an {@link java.io.IOException} or a {@link RuntimeException}.
     */
    public InputStream open(final DirectBuffer buffer, final int offset, final int length, final int compressionId)
    {
        return codec(compressionId).wrapForInput(viewOf(buffer, offset, length), RecordBatch.MAGIC_VALUE_V2, bufferSupplier);
    }

    private Compression codec(final int compressionId)
    {
        if (compressionId <= 0 || compressionId >= codecs.length)
        {
            throw new IllegalArgumentException("not a compression codec: " + compressionId);
        }
        Compression codec = codecs[compressionId];
        if (codec == null)
        {
            codec = Compression.of(CompressionType.forId(compressionId)).build();
            codecs[compressionId] = codec;
        }
        return codec;
    }

    private static ByteBuffer viewOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            // addressOffset already includes any array offset of a wrapped heap slice.
            final int start = (int)(buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + offset;
            return ByteBuffer.wrap(array, start, length).slice();
        }
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (byteBuffer != null)
        {
            final int start = (int)buffer.wrapAdjustment() + offset;
            return byteBuffer.duplicate().limit(start + length).position(start).slice();
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return ByteBuffer.wrap(copy);
    }
}
