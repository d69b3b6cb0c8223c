package io.runnel.broker.it.hostile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** RecordBatch bytes for hostile tests: valid ones from kafka-clients, and surgical corruptions of them. */
final class Batches
{
    /** RecordBatch v2 layout (big-endian). */
    static final int BATCH_LENGTH_OFFSET = 8;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int RECORDS_COUNT_OFFSET = 57;
    static final int HEADER_SIZE = 61;

    private Batches()
    {
    }

    /** One uncompressed magic-2 batch holding a value-only record per value. */
    static byte[] v2(final String... values)
    {
        return toBytes(MemoryRecords.withRecords(Compression.NONE, records(values)));
    }

    /** One magic-2 batch compressed with {@code compression}. */
    static byte[] compressed(final Compression compression, final String... values)
    {
        return toBytes(MemoryRecords.withRecords(compression, records(values)));
    }

    /**
     * The batch header of {@code template} over a different records section (for a compressed
     * batch: the compressed bytes), with batchLength and CRC made consistent, so that only what
     * is inside the records section is wrong.
     */
    static byte[] withRecordsSection(final byte[] template, final byte[] recordsSection)
    {
        final byte[] batch = Arrays.copyOf(template, HEADER_SIZE + recordsSection.length);
        System.arraycopy(recordsSection, 0, batch, HEADER_SIZE, recordsSection.length);
        putInt(batch, BATCH_LENGTH_OFFSET, batch.length - 12);
        return withRecomputedCrc(batch);
    }

    static byte[] recordsSection(final byte[] batch)
    {
        return Arrays.copyOfRange(batch, HEADER_SIZE, batch.length);
    }

    /** Zigzag varint, as record fields are encoded. */
    static byte[] varint(final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        final ByteBuffer out = ByteBuffer.allocate(5);
        while ((v & ~0x7F) != 0)
        {
            out.put((byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte)v);
        return Arrays.copyOf(out.array(), out.position());
    }

    static byte[] gzip(final byte[] bytes)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out))
        {
            gzip.write(bytes);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /** {@code bytes} compressed as a batch's records section is, with {@code compression}'s codec. */
    static byte[] compress(final Compression compression, final byte[] bytes)
    {
        final org.apache.kafka.common.utils.internals.ByteBufferOutputStream out =
            new org.apache.kafka.common.utils.internals.ByteBufferOutputStream(256);
        try (java.io.OutputStream stream = compression.wrapForOutput(out,
            org.apache.kafka.common.record.internal.RecordBatch.MAGIC_VALUE_V2))
        {
            stream.write(bytes);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        final ByteBuffer written = out.buffer().flip();
        final byte[] compressed = new byte[written.remaining()];
        written.get(compressed);
        return compressed;
    }

    /**
     * A batch of {@code compression} (its header from kafka-clients) declaring {@code count} records
     * over {@code records} (the uncompressed records section, compressed here when the codec is not
     * none); batch length, last offset delta and CRC consistent, so only the records can be wrong.
     */
    static byte[] withRecords(final Compression compression, final int count, final byte[] records)
    {
        final String[] values = new String[Math.max(count, 1)];
        Arrays.fill(values, "x");
        final byte[] template = compressed(compression, values);
        final boolean none = compression.type() == org.apache.kafka.common.record.internal.CompressionType.NONE;
        final byte[] batch = withRecordsSection(template, none ? records : compress(compression, records));
        putInt(batch, RECORDS_COUNT_OFFSET, count);
        putInt(batch, LAST_OFFSET_DELTA_OFFSET, Math.max(count - 1, 0));
        return withRecomputedCrc(batch);
    }

    static byte[] magic(final byte magic, final String... values)
    {
        return toBytes(MemoryRecords.withRecords(magic, Compression.NONE, records(values)));
    }

    /** A v2 batch of one record whose value is {@code valueBytes} bytes long. */
    static byte[] v2OfValueSize(final int valueBytes)
    {
        final byte[] value = new byte[valueBytes];
        Arrays.fill(value, (byte)'x');
        return toBytes(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value)));
    }

    /** A one-record v2 batch of exactly {@code batchBytes} bytes (the value is padded to fit). */
    static byte[] v2OfExactSize(final int batchBytes)
    {
        int valueBytes = Math.max(0, batchBytes - HEADER_SIZE - 8);
        for (int attempt = 0; attempt < 16; attempt++)
        {
            final byte[] batch = v2OfValueSize(valueBytes);
            if (batch.length == batchBytes)
            {
                return batch;
            }
            valueBytes += batchBytes - batch.length;
            if (valueBytes < 0)
            {
                break;
            }
        }
        throw new IllegalArgumentException("cannot build a batch of exactly " + batchBytes + " bytes");
    }

    private static SimpleRecord[] records(final String... values)
    {
        final SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++)
        {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    static byte[] toBytes(final MemoryRecords records)
    {
        final ByteBuffer buffer = records.buffer().duplicate();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    static ByteBuffer wrap(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes);
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (final byte[] part : parts)
        {
            out.put(part);
        }
        return out.array();
    }

    static int getInt(final byte[] batch, final int offset)
    {
        return ByteBuffer.wrap(batch).getInt(offset);
    }

    static void putInt(final byte[] batch, final int offset, final int value)
    {
        ByteBuffer.wrap(batch).putInt(offset, value);
    }

    /** CRC32C over attributes..end, as RecordBatch v2 defines it. */
    static int crcOf(final byte[] batch)
    {
        final CRC32C crc = new CRC32C();
        crc.update(batch, ATTRIBUTES_OFFSET, batch.length - ATTRIBUTES_OFFSET);
        return (int)crc.getValue();
    }

    /** Rewrites the stored CRC so that a deliberately edited batch still passes the checksum. */
    static byte[] withRecomputedCrc(final byte[] batch)
    {
        putInt(batch, CRC_OFFSET, crcOf(batch));
        return batch;
    }

    static boolean crcMatches(final byte[] batch)
    {
        return getInt(batch, CRC_OFFSET) == crcOf(batch);
    }

    static byte magicOf(final byte[] batch)
    {
        return batch[MAGIC_OFFSET];
    }

    static byte[] copy(final byte[] batch)
    {
        return batch.clone();
    }
}
