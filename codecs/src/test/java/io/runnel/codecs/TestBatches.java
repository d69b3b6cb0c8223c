package io.runnel.codecs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import io.runnel.codecs.batch.BatchChecksum;
import io.runnel.codecs.batch.RecordBatch;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Real RecordBatch v2 bytes, built by kafka-clients, copied off-heap as the broker sees them. */
public final class TestBatches
{
    public static final long BASE_TIMESTAMP = 1_700_000_000_000L;

    private TestBatches()
    {
    }

    public static SimpleRecord[] records(final int count, final String prefix)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new SimpleRecord(BASE_TIMESTAMP + i,
                ("key-" + i).getBytes(StandardCharsets.UTF_8),
                (prefix + "-value-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    /** A plain (non-idempotent) batch of {@code count} records. */
    public static MemoryRecords plain(final Compression compression, final int count)
    {
        return MemoryRecords.withRecords(compression, records(count, "plain"));
    }

    /** An idempotent batch: producer id, epoch and base sequence set. */
    public static MemoryRecords idempotent(final Compression compression, final long producerId, final short epoch,
        final int baseSequence, final int count)
    {
        return MemoryRecords.withIdempotentRecords(compression, producerId, epoch, baseSequence, records(count, "idem"));
    }

    /** Everything of the batch: producer fields, leader epoch, transactional flag, timestamp type. */
    public static MemoryRecords full(final Compression compression, final long baseOffset, final TimestampType timestampType,
        final long producerId, final short epoch, final int baseSequence, final int leaderEpoch, final boolean transactional,
        final SimpleRecord... records)
    {
        return MemoryRecords.withRecords(RecordBatch.MAGIC_V2, baseOffset, compression, timestampType, producerId, epoch,
            baseSequence, leaderEpoch, transactional, records);
    }

    /** Copies {@code records} into a fresh direct buffer, at {@code offset}. */
    public static UnsafeBuffer offHeap(final MemoryRecords records, final int offset)
    {
        return offHeap(records.buffer(), offset, 0);
    }

    /** Copies the remaining bytes of {@code bytes} into a direct buffer of exactly offset + size + slack bytes. */
    public static UnsafeBuffer offHeap(final ByteBuffer bytes, final int offset, final int slack)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(offset + bytes.remaining() + slack);
        direct.position(offset);
        direct.put(bytes.duplicate());
        direct.clear();
        return new UnsafeBuffer(direct);
    }

    public static byte[] bytes(final MemoryRecords records)
    {
        final ByteBuffer buffer = records.buffer();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** Recomputes the CRC32C of the batch at {@code offset} after a field was patched. */
    public static void fixCrc(final MutableDirectBuffer buffer, final int offset)
    {
        final int size = buffer.getInt(offset + 8, ByteOrder.BIG_ENDIAN) + RecordBatch.LOG_OVERHEAD;
        final int crc = BatchChecksum.crc32c(buffer, offset + RecordBatch.CRC_START, size - RecordBatch.CRC_START);
        buffer.putInt(offset + 17, crc, ByteOrder.BIG_ENDIAN);
    }
}
