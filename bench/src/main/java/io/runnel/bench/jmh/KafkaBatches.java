package io.runnel.bench.jmh;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.agrona.BufferUtil;

/**
 * Builds RecordBatch v2 bytes with kafka-clients, exactly as the Java producer would, so that the
 * benchmarks measure Runnel over real producer output rather than over bytes we wrote ourselves.
 * Used only in {@code @Setup}: nothing here is on a measured path.
 */
final class KafkaBatches
{
    /** A fixed timestamp keeps every record's timestamp delta at zero, like a producer in a hurry. */
    static final long TIMESTAMP = 1_700_000_000_000L;

    private KafkaBatches()
    {
    }

    /** One uncompressed batch of {@code count} records with {@code valueBytes}-byte values and no key. */
    static ByteBuffer batch(final int count, final int valueBytes)
    {
        return MemoryRecords.withRecords(Compression.NONE, records(count, valueBytes)).buffer();
    }

    /** One uncompressed idempotent batch (producer id, epoch and base sequence set). */
    static ByteBuffer idempotentBatch(final long producerId, final short epoch, final int baseSequence,
        final int count, final int valueBytes)
    {
        return idempotentBatch(Compression.NONE, producerId, epoch, baseSequence, count, valueBytes);
    }

    /** One idempotent batch compressed with {@code compression}. */
    static ByteBuffer idempotentBatch(final Compression compression, final long producerId, final short epoch, final int baseSequence,
        final int count, final int valueBytes)
    {
        return MemoryRecords.withIdempotentRecords(compression, producerId, epoch, baseSequence,
            records(count, valueBytes)).buffer();
    }

    /**
     * One uncompressed, non-idempotent batch whose total size (baseOffset through the last record) is
     * exactly {@code totalBytes}: records of {@code valueBytes}, the last one trimmed to fit.
     */
    static ByteBuffer batchOfExactSize(final int totalBytes, final int valueBytes)
    {
        // Full records while there is room for them plus a small last record; the last one fills the rest.
        int full = 0;
        while (sizeOf(full + 1, valueBytes, 0) + 16 <= totalBytes)
        {
            full++;
        }
        final int estimate = totalBytes - sizeOf(full, valueBytes, 0);
        // Varint widths of the last record's length and value length shift the size by a byte or two.
        for (int lastValue = Math.max(0, estimate - 8); lastValue <= estimate; lastValue++)
        {
            final ByteBuffer bytes = build(full, valueBytes, lastValue);
            if (bytes.remaining() == totalBytes)
            {
                return bytes;
            }
        }
        throw new IllegalArgumentException("cannot build a batch of exactly " + totalBytes + " bytes");
    }

    private static int sizeOf(final int full, final int valueBytes, final int lastValue)
    {
        return build(full, valueBytes, lastValue).remaining();
    }

    /** {@code full} records of {@code valueBytes} then one of {@code lastValue} bytes. */
    private static ByteBuffer build(final int full, final int valueBytes, final int lastValue)
    {
        final SimpleRecord[] records = new SimpleRecord[full + 1];
        System.arraycopy(records(full, valueBytes), 0, records, 0, full);
        records[full] = new SimpleRecord(TIMESTAMP, null, value(lastValue, full));
        return MemoryRecords.withRecords(Compression.NONE, records).buffer();
    }

    /** Copies {@code bytes} (position to limit) into a new direct, 64-byte aligned buffer of the same length. */
    static ByteBuffer direct(final ByteBuffer bytes)
    {
        final ByteBuffer direct = BufferUtil.allocateDirectAligned(bytes.remaining(), 64);
        direct.put(bytes.duplicate()).flip();
        return direct;
    }

    private static SimpleRecord[] records(final int count, final int valueBytes)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new SimpleRecord(TIMESTAMP, null, value(valueBytes, i));
        }
        return records;
    }

    private static byte[] value(final int length, final int seed)
    {
        final byte[] value = new byte[length];
        Arrays.fill(value, (byte)('a' + seed % 26));
        return value;
    }
}
