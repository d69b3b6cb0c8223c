package io.runnel.codecs.batch;

import static io.runnel.codecs.TestBatches.offHeap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.runnel.codecs.TestBatches;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchRecompressorTest
{
    private static final long PRODUCER_ID = 4711L;
    private static final short EPOCH = 3;
    private static final int BASE_SEQUENCE = 1000;
    private static final int LEADER_EPOCH = 7;

    private final BatchRecompressor recompressor = new BatchRecompressor();

    static Stream<Arguments> codecPairs()
    {
        final List<Arguments> pairs = new ArrayList<>();
        for (final CompressionType from : CompressionType.values())
        {
            for (final CompressionType to : CompressionType.values())
            {
                if (from != to)
                {
                    pairs.add(Arguments.of(from, to));
                }
            }
        }
        return pairs.stream();
    }

    /** Records with keys, null values, headers and timestamps that go back and forth, so that deltas are negative too. */
    private static SimpleRecord[] variedRecords(final int count)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            final Header[] headers = i % 3 == 0 ? new Header[0]
                : new Header[] {new RecordHeader("h" + i, ("hv" + i).getBytes(StandardCharsets.UTF_8)), new RecordHeader("n", null)};
            final byte[] value = i % 5 == 4 ? null : ("value-" + i + "-" + "x".repeat(i % 40)).getBytes(StandardCharsets.UTF_8);
            final long timestamp = TestBatches.BASE_TIMESTAMP + (i % 2 == 0 ? i * 10L : -i * 3L);
            records[i] = new SimpleRecord(timestamp, ("key-" + i).getBytes(StandardCharsets.UTF_8), value, headers);
        }
        return records;
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("codecPairs")
    void reencodedBatchKeepsEveryRecordAndProducerFieldInTheTargetCodec(final CompressionType from, final CompressionType to)
        throws IOException
    {
        final MemoryRecords source = TestBatches.full(Compression.of(from).build(), 0, TimestampType.CREATE_TIME, PRODUCER_ID, EPOCH,
            BASE_SEQUENCE, LEADER_EPOCH, true, variedRecords(50));
        final UnsafeBuffer buffer = offHeap(source, 13);

        final ByteBuffer bytes = recompressor.recompress(buffer, 13, source.sizeInBytes(), Compression.of(to).build());

        final MutableRecordBatch original = source.batches().iterator().next();
        final MutableRecordBatch result = onlyBatch(bytes);
        result.ensureValid(); // size, magic and CRC
        assertEquals(to, result.compressionType());
        assertEquals(to.id, recompressor.batch().compressionId());
        assertEquals(bytes.remaining(), recompressor.batch().sizeInBytes());
        assertEquals(PRODUCER_ID, result.producerId());
        assertEquals(EPOCH, result.producerEpoch());
        assertEquals(BASE_SEQUENCE, result.baseSequence());
        assertTrue(result.isTransactional());
        assertEquals(original.isControlBatch(), result.isControlBatch());
        assertEquals(LEADER_EPOCH, result.partitionLeaderEpoch());
        assertEquals(original.baseOffset(), result.baseOffset());
        assertEquals(original.lastOffset(), result.lastOffset());
        assertEquals(original.maxTimestamp(), result.maxTimestamp());
        assertEquals(original.timestampType(), result.timestampType());
        assertEquals(original.countOrNull(), result.countOrNull());
        assertEquals(baseTimestamp(original), recompressor.batch().baseTimestamp());
        assertRecordsEqual(original, result);
        assertEquals(BatchValidator.Result.OK, new BatchValidator(true).validate(new UnsafeBuffer(bytes), 0, bytes.remaining(), 1 << 20));
    }

    @Test
    void sourceBatchIsLeftUnchanged() throws IOException
    {
        final MemoryRecords source = TestBatches.plain(Compression.gzip().build(), 20);
        final UnsafeBuffer buffer = offHeap(source, 0);
        final byte[] before = new byte[source.sizeInBytes()];
        buffer.getBytes(0, before);

        recompressor.recompress(buffer, 0, source.sizeInBytes(), Compression.zstd().build());

        final byte[] after = new byte[source.sizeInBytes()];
        buffer.getBytes(0, after);
        assertArrayEquals(before, after);
    }

    @Test
    void batchLargerThanTheRetainedBufferIsReencodedAndTheNextOneToo() throws IOException
    {
        // Incompressible values, so the uncompressed result outgrows the retained buffer.
        final Random random = new Random(42);
        final SimpleRecord[] large = new SimpleRecord[40];
        for (int i = 0; i < large.length; i++)
        {
            final byte[] value = new byte[200_000];
            random.nextBytes(value);
            large[i] = new SimpleRecord(TestBatches.BASE_TIMESTAMP + i, null, value);
        }
        final MemoryRecords big = MemoryRecords.withRecords(Compression.lz4().build(), large);
        final ByteBuffer bigResult = recompressor.recompress(offHeap(big, 0), 0, big.sizeInBytes(), Compression.NONE);
        assertTrue(bigResult.remaining() > BatchRecompressor.MAX_RETAINED_BYTES);
        assertRecordsEqual(big.batches().iterator().next(), onlyBatch(bigResult));

        final MemoryRecords small = TestBatches.plain(Compression.NONE, 5);
        final ByteBuffer smallResult = recompressor.recompress(offHeap(small, 0), 0, small.sizeInBytes(), Compression.snappy().build());
        final MutableRecordBatch batch = onlyBatch(smallResult);
        batch.ensureValid();
        assertRecordsEqual(small.batches().iterator().next(), batch);
    }

    @Test
    void compressedRecordsThatAreNotTheirCodecsStreamFail()
    {
        final MemoryRecords source = TestBatches.plain(Compression.zstd().build(), 10);
        final UnsafeBuffer buffer = offHeap(source, 0);
        for (int i = RecordBatch.HEADER_SIZE; i < source.sizeInBytes(); i++)
        {
            buffer.putByte(i, (byte)0x5A);
        }

        assertThrows(Exception.class, () -> recompressor.recompress(buffer, 0, source.sizeInBytes(), Compression.gzip().build()));
    }

    @Test
    void logAppendTimeStampSetsTheBitAndMaxTimestampAndKeepsTheCrcValid()
    {
        final MemoryRecords source = TestBatches.full(Compression.NONE, 0, TimestampType.CREATE_TIME, PRODUCER_ID, EPOCH,
            BASE_SEQUENCE, 0, false, variedRecords(10));
        final UnsafeBuffer buffer = offHeap(source, 0);
        final RecordBatch batch = new RecordBatch().wrap(buffer, 0);
        final long baseTimestamp = batch.baseTimestamp();
        final long stamp = TestBatches.BASE_TIMESTAMP + 86_400_000L;

        batch.stampLogAppendTime(stamp);

        assertTrue(batch.isLogAppendTime());
        assertEquals(stamp, batch.maxTimestamp());
        assertEquals(baseTimestamp, batch.baseTimestamp());
        assertEquals(batch.crc(), batch.computeCrc());
        final ByteBuffer bytes = ByteBuffer.allocate(source.sizeInBytes());
        buffer.getBytes(0, bytes, source.sizeInBytes());
        bytes.flip();
        final MutableRecordBatch read = onlyBatch(bytes);
        read.ensureValid();
        assertEquals(TimestampType.LOG_APPEND_TIME, read.timestampType());
        for (final Record record : read)
        {
            assertEquals(stamp, record.timestamp());
        }
    }

    @Test
    void stampOnAStampedBatchWithTheSameTimeChangesNothing()
    {
        final MemoryRecords source = TestBatches.plain(Compression.NONE, 3);
        final UnsafeBuffer buffer = offHeap(source, 0);
        final RecordBatch batch = new RecordBatch().wrap(buffer, 0);
        batch.stampLogAppendTime(123L);
        final int crc = batch.crc();

        batch.stampLogAppendTime(123L);
        assertEquals(crc, batch.crc());
        batch.stampLogAppendTime(124L);
        assertNotEquals(crc, batch.crc());
        assertEquals(batch.crc(), batch.computeCrc());
    }

    private static long baseTimestamp(final MutableRecordBatch batch)
    {
        final ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
        batch.writeTo(copy);
        return new RecordBatch().wrap(new UnsafeBuffer(copy.array()), 0).baseTimestamp();
    }

    private static MutableRecordBatch onlyBatch(final ByteBuffer bytes)
    {
        final List<MutableRecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(bytes.duplicate()).batches().forEach(batches::add);
        assertEquals(1, batches.size());
        return batches.get(0);
    }

    private static void assertRecordsEqual(final MutableRecordBatch expected, final MutableRecordBatch actual)
    {
        final List<Record> want = new ArrayList<>();
        expected.forEach(want::add);
        final List<Record> got = new ArrayList<>();
        actual.forEach(got::add);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++)
        {
            final Record a = want.get(i);
            final Record b = got.get(i);
            assertEquals(a.offset(), b.offset());
            assertEquals(a.timestamp(), b.timestamp());
            assertEquals(a.sizeInBytes(), b.sizeInBytes());
            assertArrayEquals(a.key() == null ? null : Utils.toArray(a.key()), b.key() == null ? null : Utils.toArray(b.key()));
            assertArrayEquals(a.value() == null ? null : Utils.toArray(a.value()), b.value() == null ? null : Utils.toArray(b.value()));
            assertArrayEquals(a.headers(), b.headers());
        }
    }
}
