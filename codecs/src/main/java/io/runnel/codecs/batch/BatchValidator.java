package io.runnel.codecs.batch;

import io.runnel.codecs.Varints;
import io.runnel.codecs.compression.CompressedRecordsInspector;
import org.agrona.DirectBuffer;

/**
 * Checks, in place, that the bytes a producer sent for one partition are exactly one well-formed
 * RecordBatch v2, before any of them may reach a log: sizes, magic, CRC32C, attributes the broker
 * accepts, and a record section whose framing and count agree with the header. The records of an
 * uncompressed batch are walked without copying; a compressed batch is inspected through the
 * codec libraries (optional, see {@code runnel.validate.compressed.records}).
 */
public final class BatchValidator
{
    /** Outcome of a validation: {@link #OK} or the reason, which the I/O layer maps to a Kafka error. */
    public enum Result
    {
        OK,
        /** Sizes, CRC or record framing are wrong. */
        CORRUPT,
        /** Magic 0 or 1: the legacy formats are not accepted on produce v3+. */
        UNSUPPORTED_MAGIC,
        /** More than one batch, an empty batch, a control batch, or bad offsets inside the batch. */
        INVALID_RECORD,
        /** The batch exceeds the partition's max.message.bytes. */
        TOO_LARGE
    }

    private static final int MAGIC_OFFSET = 16;
    /** none=0, gzip=1, snappy=2, lz4=3, zstd=4; 5..7 are undefined. */
    private static final int MAX_COMPRESSION_ID = 4;

    private final RecordBatch batch = new RecordBatch();
    private final int[] varintLength = new int[1];
    private final CompressedRecordsInspector compressedInspector;

    public BatchValidator(final boolean inspectCompressedRecords)
    {
        this.compressedInspector = inspectCompressedRecords ? new CompressedRecordsInspector() : null;
    }

    /** The batch of the last successful {@link #validate}, still wrapped. */
    public RecordBatch batch()
    {
        return batch;
    }

    public Result validate(final DirectBuffer buffer, final int offset, final int length, final int maxBatchBytes)
    {
        if (length < RecordBatch.LOG_OVERHEAD + 5)
        {
            return Result.CORRUPT;
        }
        final byte magic = buffer.getByte(offset + MAGIC_OFFSET);
        if (magic != RecordBatch.MAGIC_V2)
        {
            return magic == 0 || magic == 1 ? Result.UNSUPPORTED_MAGIC : Result.CORRUPT;
        }
        if (length < RecordBatch.HEADER_SIZE)
        {
            return Result.CORRUPT;
        }
        batch.wrap(buffer, offset);
        final int batchLength = batch.batchLength();
        if (batchLength < RecordBatch.MIN_BATCH_LENGTH || batchLength > length - RecordBatch.LOG_OVERHEAD)
        {
            return Result.CORRUPT;
        }
        if (batch.sizeInBytes() != length)
        {
            // Produce v3+ carries exactly one batch per partition.
            return Result.INVALID_RECORD;
        }
        if (length > maxBatchBytes)
        {
            return Result.TOO_LARGE;
        }
        if (batch.computeCrc() != batch.crc())
        {
            return Result.CORRUPT;
        }
        final int count = batch.recordsCount();
        if (count <= 0 || batch.lastOffsetDelta() != count - 1 || batch.isControl())
        {
            return Result.INVALID_RECORD;
        }
        if (batch.compressionId() > MAX_COMPRESSION_ID)
        {
            return Result.CORRUPT;
        }
        if (batch.compressionId() == 0)
        {
            return walkUncompressedRecords(buffer, batch.recordsOffset(), offset + length, count);
        }
        if (compressedInspector != null)
        {
            return compressedInspector.countRecords(buffer, offset, length) == count ? Result.OK : Result.CORRUPT;
        }
        return Result.OK;
    }

    /**
     * Each record is {@code length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint ...};
     * lengths must tile the records section exactly and offset deltas must count up from zero.
     */
    private Result walkUncompressedRecords(final DirectBuffer buffer, final int start, final int end, final int count)
    {
        int position = start;
        try
        {
            for (int i = 0; i < count; i++)
            {
                if (position >= end)
                {
                    return Result.CORRUPT;
                }
                final int recordLength = Varints.readVarint(buffer, position, end, varintLength);
                final int bodyStart = position + varintLength[0];
                if (recordLength < 3 || recordLength > end - bodyStart)
                {
                    return Result.CORRUPT;
                }
                final int bodyEnd = bodyStart + recordLength;
                int cursor = bodyStart + 1; // attributes
                Varints.readVarlong(buffer, cursor, bodyEnd, varintLength);
                cursor += varintLength[0];
                final int offsetDelta = Varints.readVarint(buffer, cursor, bodyEnd, varintLength);
                if (offsetDelta != i)
                {
                    return Result.INVALID_RECORD;
                }
                position = bodyEnd;
            }
        }
        catch (final Varints.MalformedVarintException ex)
        {
            return Result.CORRUPT;
        }
        return position == end ? Result.OK : Result.CORRUPT;
    }
}
