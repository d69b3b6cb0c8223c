package io.runnel.codecs.batch;

import java.io.IOException;
import java.io.InputStream;

import io.runnel.codecs.Varints;
import io.runnel.codecs.compression.CompressedRecordsInspector;
import org.agrona.DirectBuffer;

/**
 * Checks, in place, that the bytes a producer sent for one partition are exactly one well-formed
 * RecordBatch v2, before any of them may reach a log: sizes, magic, CRC32C, attributes the broker
 * accepts, and a records section framed as the header says.
 *
 * <p>The records are held to one set of rules, {@link #walkRecords}, whether they lie in place (an
 * uncompressed batch, walked without copying) or come out of a codec (a compressed batch, walked as
 * {@link CompressedRecordsInspector} decompresses it; optional, see
 * {@code runnel.validate.compressed.records}): every record's length must fit what is left and be
 * exactly what its fields take; key, value and header lengths must fit the record; the header count
 * must be non-negative and fit; a header key must not be null; offset deltas must count up from 0;
 * and there must be exactly as many records as the header says, with no byte after the last.
 * These are the rules by which kafka-clients' consumer reads a record, so nothing a Java consumer
 * cannot read is stored. Kafka 4.3.1 applies the same ones to an uncompressed batch (answering
 * INVALID_RECORD, as here) but, for compressed batches, skips key, value and headers without
 * checking that they add up to the record's length: it stores such a batch, and its consumers then
 * fail on it. Like Kafka, a negative key, value or header-value length other than -1 reads as null.
 */
public final class BatchValidator
{
    /** Outcome of a validation: {@link #OK} or the reason, which the I/O layer maps to a Kafka error. */
    public enum Result
    {
        OK,
        /** Sizes or CRC are wrong, or a compressed records section cannot be decompressed. */
        CORRUPT,
        /** Magic 0 or 1: the legacy formats are not accepted on produce v3+. */
        UNSUPPORTED_MAGIC,
        /**
         * More than one batch, an empty batch, a control batch, or records not framed as the batch
         * says (see the class comment); Kafka answers INVALID_RECORD for these.
         */
        INVALID_RECORD,
        /** The batch exceeds the partition's max.message.bytes. */
        TOO_LARGE
    }

    private static final int MAGIC_OFFSET = 16;
    /** none=0, gzip=1, snappy=2, lz4=3, zstd=4; 5..7 are undefined. */
    private static final int MAX_COMPRESSION_ID = 4;
    /** attributes, timestamp delta, offset delta, key length, value length, header count: a byte each at least. */
    private static final int MIN_RECORD_BODY_BYTES = 6;
    /** A record timestamp that says "none" (Kafka's RecordBatch.NO_TIMESTAMP); such records are not held to timestamp limits. */
    public static final long NO_TIMESTAMP = -1L;
    /** What a record whose framing is wrong is answered with (see {@link Result#INVALID_RECORD}). */
    private static final Result MALFORMED_RECORDS = Result.INVALID_RECORD;

    private final RecordBatch batch = new RecordBatch();
    private final RecordsCursor records = new RecordsCursor();
    private final CompressedRecordsInspector compressedInspector;
    private long minTimestamp;
    private long maxTimestamp;

    public BatchValidator(final boolean inspectCompressedRecords)
    {
        this.compressedInspector = inspectCompressedRecords ? new CompressedRecordsInspector() : null;
    }

    /** The batch of the last successful {@link #validate}, still wrapped. */
    public RecordBatch batch()
    {
        return batch;
    }

    /**
     * The smallest record timestamp of the last successful {@link #validate}, records without one
     * ({@link #NO_TIMESTAMP}) left out; {@link Long#MAX_VALUE} when no record has one. Read in the
     * same walk that checks the records, so message.timestamp.before.max.ms costs no second pass.
     * A compressed batch whose records were not walked ({@code runnel.validate.compressed.records}
     * off) answers from its header: the base timestamp, which is the first record's.
     */
    public long minTimestamp()
    {
        return minTimestamp;
    }

    /**
     * The largest record timestamp of the last successful {@link #validate} ({@link #NO_TIMESTAMP}
     * if no record has one), as Kafka's LogValidator computes it; from the header's max timestamp
     * for a compressed batch whose records were not walked.
     */
    public long maxTimestamp()
    {
        return maxTimestamp;
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
        final int compressionId = batch.compressionId();
        if (compressionId > MAX_COMPRESSION_ID)
        {
            return Result.CORRUPT;
        }
        if (compressionId == 0)
        {
            try
            {
                return walkRecords(records.wrap(buffer, batch.recordsOffset(), offset + length), count, batch.baseTimestamp());
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("in-place records cannot fail to read", ex);
            }
            finally
            {
                records.clear();
            }
        }
        if (compressedInspector == null)
        {
            timestampsFromHeader();
            return Result.OK;
        }
        return walkCompressedRecords(buffer, offset, length, compressionId, count);
    }

    private Result walkCompressedRecords(final DirectBuffer buffer, final int offset, final int length, final int compressionId,
        final int count)
    {
        try (InputStream decompressed = compressedInspector.open(buffer, offset + RecordBatch.HEADER_SIZE,
            length - RecordBatch.HEADER_SIZE, compressionId))
        {
            return walkRecords(records.wrap(decompressed), count, batch.baseTimestamp());
        }
        catch (final IOException | RuntimeException | OutOfMemoryError ex)
        {
            // The codec could not decompress the section (a record that merely claims a huge size
            // never makes us allocate it: keys and values are skipped, not read).
            return Result.CORRUPT;
        }
        finally
        {
            records.clear();
        }
    }

    /**
     * The rules every records section is held to, in place or decompressed. A record is
     * {@code length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
     * keyLength:varint key valueLength:varint value headerCount:varint headers}, a header
     * {@code keyLength:varint key valueLength:varint value}.
     */
    private Result walkRecords(final RecordsCursor records, final int count, final long baseTimestamp) throws IOException
    {
        long min = Long.MAX_VALUE;
        long max = NO_TIMESTAMP;
        try
        {
            for (int i = 0; i < count; i++)
            {
                if (records.atEnd())
                {
                    return MALFORMED_RECORDS; // fewer records than the header counts
                }
                final int length = records.varint();
                if (length < MIN_RECORD_BODY_BYTES)
                {
                    return MALFORMED_RECORDS;
                }
                records.beginRecord(length);
                records.skip(1); // attributes: unused in v2, as Kafka ignores them
                final long timestamp = baseTimestamp + records.varlong();
                if (timestamp != NO_TIMESTAMP)
                {
                    min = Math.min(min, timestamp);
                    max = Math.max(max, timestamp);
                }
                if (records.varint() != i)
                {
                    return Result.INVALID_RECORD; // offset deltas must count up from 0
                }
                skipNullable(records); // key
                skipNullable(records); // value
                final int headers = records.varint();
                // Each header takes two bytes at least: a count beyond that is a lie, whatever follows.
                if (headers < 0 || headers > records.remainingInRecord() / 2)
                {
                    return MALFORMED_RECORDS;
                }
                for (int h = 0; h < headers; h++)
                {
                    final int keyLength = records.varint();
                    if (keyLength < 0)
                    {
                        return MALFORMED_RECORDS; // a header key is never null
                    }
                    records.skip(keyLength);
                    skipNullable(records); // header value
                }
                records.endRecord();
            }
            if (!records.atEnd())
            {
                return MALFORMED_RECORDS; // more records, or trailing bytes
            }
            minTimestamp = min;
            maxTimestamp = max;
            if (batch.isLogAppendTime())
            {
                timestampsFromHeader();
            }
            return Result.OK;
        }
        catch (final RecordsCursor.FramingException | Varints.MalformedVarintException ex)
        {
            return MALFORMED_RECORDS;
        }
    }

    /**
     * Record timestamps as the header gives them. A batch already marked LogAppendTime (a client
     * that sets the bit) has every record read with its max timestamp, as Kafka's record classes read it.
     */
    private void timestampsFromHeader()
    {
        final long first = batch.isLogAppendTime() ? batch.maxTimestamp() : batch.baseTimestamp();
        minTimestamp = first == NO_TIMESTAMP ? Long.MAX_VALUE : first;
        maxTimestamp = Math.max(NO_TIMESTAMP, batch.maxTimestamp());
    }

    /** A length-prefixed field where any negative length means null (as kafka-clients reads it). */
    private static void skipNullable(final RecordsCursor records) throws IOException
    {
        final int length = records.varint();
        if (length > 0)
        {
            records.skip(length);
        }
    }
}
