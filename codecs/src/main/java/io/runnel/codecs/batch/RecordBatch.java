package io.runnel.codecs.batch;

import io.runnel.codecs.sbe.RecordBatchHeaderDecoder;
import io.runnel.codecs.sbe.RecordBatchHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one Kafka RecordBatch v2 (magic 2) in a buffer: the 61-byte header is read and
 * patched in place through the SBE-generated codecs; the records after it are left as they are.
 * Wrap, read, move on: one instance per thread serves any number of batches.
 */
public final class RecordBatch
{
    /** Bytes of the fixed v2 header. */
    public static final int HEADER_SIZE = RecordBatchHeaderDecoder.BLOCK_LENGTH;
    /** baseOffset (8) + batchLength (4): the bytes not counted by batchLength. */
    public static final int LOG_OVERHEAD = 12;
    /** The CRC covers everything from the attributes field to the end of the batch. */
    public static final int CRC_START = 21;
    /** Smallest legal batchLength: a header with no records. */
    public static final int MIN_BATCH_LENGTH = HEADER_SIZE - LOG_OVERHEAD;
    public static final byte MAGIC_V2 = 2;
    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;

    private static final int COMPRESSION_MASK = 0x07;
    private static final int TIMESTAMP_TYPE_MASK = 0x08;
    private static final int TRANSACTIONAL_FLAG = 0x10;
    private static final int CONTROL_FLAG = 0x20;

    private final RecordBatchHeaderDecoder decoder = new RecordBatchHeaderDecoder();
    private final RecordBatchHeaderEncoder encoder = new RecordBatchHeaderEncoder();
    private DirectBuffer buffer;
    private int offset;

    public RecordBatch wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        decoder.wrap(buffer, offset, HEADER_SIZE, 0);
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public long baseOffset()
    {
        return decoder.baseOffset();
    }

    /** Bytes after the length field; the whole batch is {@link #sizeInBytes()}. */
    public int batchLength()
    {
        return decoder.batchLength();
    }

    public int sizeInBytes()
    {
        return decoder.batchLength() + LOG_OVERHEAD;
    }

    public int partitionLeaderEpoch()
    {
        return decoder.partitionLeaderEpoch();
    }

    public byte magic()
    {
        return decoder.magic();
    }

    public int crc()
    {
        return (int)decoder.crc();
    }

    public short attributes()
    {
        return decoder.attributes();
    }

    public int compressionId()
    {
        return decoder.attributes() & COMPRESSION_MASK;
    }

    public boolean isLogAppendTime()
    {
        return (decoder.attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    public boolean isTransactional()
    {
        return (decoder.attributes() & TRANSACTIONAL_FLAG) != 0;
    }

    public boolean isControl()
    {
        return (decoder.attributes() & CONTROL_FLAG) != 0;
    }

    public int lastOffsetDelta()
    {
        return decoder.lastOffsetDelta();
    }

    public long lastOffset()
    {
        return decoder.baseOffset() + decoder.lastOffsetDelta();
    }

    public long baseTimestamp()
    {
        return decoder.baseTimestamp();
    }

    public long maxTimestamp()
    {
        return decoder.maxTimestamp();
    }

    public long producerId()
    {
        return decoder.producerId();
    }

    public short producerEpoch()
    {
        return decoder.producerEpoch();
    }

    public int baseSequence()
    {
        return decoder.baseSequence();
    }

    /** The sequence of the last record, wrapping at Integer.MAX_VALUE as Kafka's producer does. */
    public int lastSequence()
    {
        final int base = decoder.baseSequence();
        if (base == NO_SEQUENCE)
        {
            return NO_SEQUENCE;
        }
        final long last = (long)base + decoder.lastOffsetDelta();
        return last > Integer.MAX_VALUE ? (int)(last - Integer.MAX_VALUE - 1) : (int)last;
    }

    public int recordsCount()
    {
        return decoder.recordsCount();
    }

    /** Offset of the first record within the buffer. */
    public int recordsOffset()
    {
        return offset + HEADER_SIZE;
    }

    /** CRC32C of the batch as it is now; equals {@link #crc()} for an intact batch. */
    public int computeCrc()
    {
        return BatchChecksum.crc32c(buffer, offset + CRC_START, sizeInBytes() - CRC_START);
    }

    /**
     * Marks the batch as stamped by the broker (message.timestamp.type=LogAppendTime): the
     * attributes' timestamp-type bit is set and the max timestamp becomes {@code logAppendTimeMs},
     * which consumers then read as every record's timestamp; the records' own timestamp deltas and
     * the base timestamp stay, as Kafka's {@code DefaultRecordBatch.setMaxTimestamp} leaves them.
     * The CRC covers both fields, so it is recomputed, unless nothing changed.
     */
    public void stampLogAppendTime(final long logAppendTimeMs)
    {
        final short attributes = (short)(decoder.attributes() | TIMESTAMP_TYPE_MASK);
        if (attributes == decoder.attributes() && decoder.maxTimestamp() == logAppendTimeMs)
        {
            return;
        }
        encoder.wrap((MutableDirectBuffer)buffer, offset);
        encoder.attributes(attributes);
        encoder.maxTimestamp(logAppendTimeMs);
        encoder.crc(computeCrc() & 0xFFFF_FFFFL);
    }

    /**
     * Stamps the broker-assigned offset and leader epoch. Neither field is covered by the CRC, so the
     * batch stays valid without recomputing it.
     */
    public void assignOffsetAndEpoch(final long baseOffset, final int partitionLeaderEpoch)
    {
        encoder.wrap((MutableDirectBuffer)buffer, offset);
        encoder.baseOffset(baseOffset);
        encoder.partitionLeaderEpoch(partitionLeaderEpoch);
    }
}
