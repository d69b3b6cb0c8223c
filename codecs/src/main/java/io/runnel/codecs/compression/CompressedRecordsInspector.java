package io.runnel.codecs.compression;

import java.nio.ByteBuffer;
import java.util.Iterator;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Decompresses a batch with the codec libraries kafka-clients uses (gzip, snappy, lz4, zstd) to
 * check that its records are readable and as many as the header says. The stored bytes stay as
 * the producer compressed them; this is validation only, never recompression.
 */
public final class CompressedRecordsInspector
{
    private final org.apache.kafka.common.utils.internals.BufferSupplier bufferSupplier =
        org.apache.kafka.common.utils.internals.BufferSupplier.create();

    /** @return the number of records found, or -1 if the batch cannot be decompressed or parsed. */
    public int countRecords(final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            final ByteBuffer view = viewOf(buffer, offset, length);
            final Iterator<MutableRecordBatch> batches = MemoryRecords.readableRecords(view).batches().iterator();
            if (!batches.hasNext())
            {
                return -1;
            }
            final MutableRecordBatch batch = batches.next();
            int count = 0;
            long expectedOffset = batch.baseOffset();
            // Skips keys and values: a record that claims a huge size must not make us allocate it.
            try (CloseableIterator<Record> records = batch.skipKeyValueIterator(bufferSupplier))
            {
                while (records.hasNext())
                {
                    final Record record = records.next();
                    if (record.offset() != expectedOffset++)
                    {
                        return -1;
                    }
                    count++;
                }
            }
            return count;
        }
        catch (final KafkaException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException |
            java.nio.BufferUnderflowException | OutOfMemoryError ex)
        {
            return -1;
        }
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
