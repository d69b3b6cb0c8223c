package io.runnel.broker.tools;

import io.runnel.codecs.batch.RecordBatch;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * The header of one batch of a {@code .log} file, where it lies, and whether its CRC checks: what
 * {@code dump-log} prints for a batch and what index verification compares index entries with.
 */
record BatchSummary(int position, int size, long baseOffset, long lastOffset, int count, byte magic,
    int partitionLeaderEpoch, int storedCrc, int computedCrc, int compressionId, boolean logAppendTime,
    long maxTimestamp, long producerId, short producerEpoch, int baseSequence, int lastSequence,
    boolean transactional, boolean control, String controlType)
{
    /** Compression ids a v2 batch may carry (attributes bits 0-2): none, gzip, snappy, lz4, zstd. */
    private static final int MAX_COMPRESSION_ID = 4;

    /** Reads the header of a whole batch; {@code controlType} is decoded by the caller from its first record. */
    static BatchSummary of(final int position, final RecordBatch batch, final String controlType)
    {
        return new BatchSummary(position, batch.sizeInBytes(), batch.baseOffset(), batch.lastOffset(),
            batch.recordsCount(), batch.magic(), batch.partitionLeaderEpoch(), batch.crc(), batch.computeCrc(),
            batch.compressionId(), batch.isLogAppendTime(), batch.maxTimestamp(), batch.producerId(),
            batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(), batch.isTransactional(),
            batch.isControl(), controlType);
    }

    boolean crcValid()
    {
        return storedCrc == computedCrc;
    }

    boolean knownCodec()
    {
        return compressionId >= 0 && compressionId <= MAX_COMPRESSION_ID;
    }

    String codec()
    {
        return knownCodec() ? CompressionType.forId(compressionId).name : "unknown(" + compressionId + ")";
    }

    /** One line, field names as Kafka's kafka-dump-log prints them where it has the field. */
    String describe()
    {
        final StringBuilder line = new StringBuilder(320)
            .append("baseOffset: ").append(baseOffset)
            .append(" lastOffset: ").append(lastOffset)
            .append(" count: ").append(count)
            .append(" position: ").append(position)
            .append(" size: ").append(size)
            .append(" magic: ").append(magic)
            .append(" crc: ").append(Integer.toUnsignedLong(storedCrc))
            .append(" isvalid: ").append(crcValid())
            .append(" compresscodec: ").append(codec())
            .append(' ').append(logAppendTime ? "LogAppendTime" : "CreateTime").append(": ").append(maxTimestamp)
            .append(" producerId: ").append(producerId)
            .append(" producerEpoch: ").append(producerEpoch)
            .append(" baseSequence: ").append(baseSequence)
            .append(" lastSequence: ").append(lastSequence)
            .append(" isTransactional: ").append(transactional)
            .append(" isControl: ").append(control);
        if (control)
        {
            line.append(" controlType: ").append(controlType);
        }
        line.append(" partitionLeaderEpoch: ").append(partitionLeaderEpoch);
        if (!crcValid())
        {
            line.append(" computedCrc: ").append(Integer.toUnsignedLong(computedCrc));
        }
        return line.toString();
    }
}
