package io.runnel.codecs.batch;

import static io.runnel.codecs.TestBatches.bytes;
import static io.runnel.codecs.TestBatches.full;
import static io.runnel.codecs.TestBatches.offHeap;
import static io.runnel.codecs.TestBatches.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.runnel.codecs.TestBatches;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordBatchTest
{
    private static DefaultRecordBatch kafkaBatch(final ByteBuffer bytes)
    {
        return (DefaultRecordBatch)MemoryRecords.readableRecords(bytes).batches().iterator().next();
    }

    private static ByteBuffer copyOut(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return ByteBuffer.wrap(bytes);
    }

    static Stream<Arguments> batches()
    {
        return Stream.of(
            Arguments.of("plain uncompressed", Compression.NONE, TimestampType.CREATE_TIME, -1L, (short)-1, -1, -1, false),
            Arguments.of("idempotent gzip", Compression.gzip().build(), TimestampType.CREATE_TIME, 4242L, (short)3, 17, 5, false),
            Arguments.of("transactional zstd", Compression.zstd().build(), TimestampType.CREATE_TIME, 77L, (short)0, 0, 9, true),
            Arguments.of("log append time lz4", Compression.lz4().build(), TimestampType.LOG_APPEND_TIME, -1L, (short)-1, -1, 0, false),
            Arguments.of("snappy", Compression.snappy().build(), TimestampType.CREATE_TIME, 1L, (short)1, 1000, 2, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batches")
    void headerFieldsMatchKafkaDefaultRecordBatch(final String description, final Compression compression,
        final TimestampType timestampType, final long producerId, final short epoch, final int baseSequence,
        final int leaderEpoch, final boolean transactional)
    {
        final MemoryRecords records = full(compression, 1234L, timestampType, producerId, epoch, baseSequence, leaderEpoch,
            transactional, records(7, description));
        final DefaultRecordBatch expected = kafkaBatch(records.buffer());
        final RecordBatch batch = new RecordBatch().wrap(offHeap(records, 0), 0);

        assertEquals(expected.baseOffset(), batch.baseOffset());
        assertEquals(1234L, batch.baseOffset());
        assertEquals(expected.sizeInBytes(), batch.sizeInBytes());
        assertEquals(expected.sizeInBytes() - RecordBatch.LOG_OVERHEAD, batch.batchLength());
        assertEquals(expected.partitionLeaderEpoch(), batch.partitionLeaderEpoch());
        assertEquals(expected.magic(), batch.magic());
        assertEquals((int)expected.checksum(), batch.crc());
        assertEquals(expected.compressionType().id, batch.compressionId());
        assertEquals(expected.timestampType() == TimestampType.LOG_APPEND_TIME, batch.isLogAppendTime());
        assertEquals(expected.isTransactional(), batch.isTransactional());
        assertEquals(expected.isControlBatch(), batch.isControl());
        assertEquals(expected.lastOffset() - expected.baseOffset(), batch.lastOffsetDelta());
        assertEquals(expected.lastOffset(), batch.lastOffset());
        assertEquals(expected.baseTimestamp(), batch.baseTimestamp());
        assertEquals(expected.maxTimestamp(), batch.maxTimestamp());
        assertEquals(expected.producerId(), batch.producerId());
        assertEquals(expected.producerEpoch(), batch.producerEpoch());
        assertEquals(expected.baseSequence(), batch.baseSequence());
        assertEquals(expected.lastSequence(), batch.lastSequence());
        assertEquals(expected.countOrNull().intValue(), batch.recordsCount());
        assertEquals(batch.crc(), batch.computeCrc());
    }

    @Test
    void headerIsExactlySixtyOneBytesAndRecordsFollowIt()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 1);
        final RecordBatch batch = new RecordBatch().wrap(offHeap(records, 40), 40);

        assertEquals(61, RecordBatch.HEADER_SIZE);
        assertEquals(40 + 61, batch.recordsOffset());
        assertEquals(40, batch.offset());
    }

    @Test
    void wrapsABatchAtAnyOffsetOfTheBuffer()
    {
        final MemoryRecords records = TestBatches.idempotent(Compression.NONE, 99L, (short)2, 10, 3);
        final RecordBatch batch = new RecordBatch().wrap(offHeap(records, 37), 37);

        assertEquals(99L, batch.producerId());
        assertEquals(2, batch.producerEpoch());
        assertEquals(10, batch.baseSequence());
        assertEquals(12, batch.lastSequence());
        assertEquals(3, batch.recordsCount());
        assertEquals(batch.crc(), batch.computeCrc());
    }

    @Test
    void lastSequenceWrapsAtIntegerMaxValueAsKafkaDoes()
    {
        final MemoryRecords records = TestBatches.idempotent(Compression.NONE, 5L, (short)0, Integer.MAX_VALUE - 1, 4);
        final RecordBatch batch = new RecordBatch().wrap(offHeap(records, 0), 0);

        assertEquals(kafkaBatch(records.buffer()).lastSequence(), batch.lastSequence());
        assertEquals(1, batch.lastSequence());
    }

    @Test
    void batchWithoutProducerHasNoLastSequence()
    {
        final RecordBatch batch = new RecordBatch().wrap(offHeap(TestBatches.plain(Compression.NONE, 3), 0), 0);

        assertEquals(RecordBatch.NO_PRODUCER_ID, batch.producerId());
        assertEquals(RecordBatch.NO_SEQUENCE, batch.baseSequence());
        assertEquals(RecordBatch.NO_SEQUENCE, batch.lastSequence());
    }

    @Test
    void controlBatchIsRecognised()
    {
        final MemoryRecords marker = MemoryRecords.withEndTransactionMarker(7L, (short)1,
            new EndTransactionMarker(ControlRecordType.COMMIT, 0));
        final RecordBatch batch = new RecordBatch().wrap(offHeap(marker, 0), 0);

        assertTrue(batch.isControl());
        assertTrue(batch.isTransactional());
        assertEquals(1, batch.recordsCount());
    }

    @Test
    void assignOffsetAndEpochKeepsTheCrcValid()
    {
        final MemoryRecords records = TestBatches.idempotent(Compression.gzip().build(), 11L, (short)1, 0, 5);
        final int size = records.sizeInBytes();
        final UnsafeBuffer buffer = offHeap(records, 8);
        final RecordBatch batch = new RecordBatch().wrap(buffer, 8);
        final int crcBefore = batch.crc();

        batch.assignOffsetAndEpoch(987_654_321L, 17);

        assertEquals(987_654_321L, batch.baseOffset());
        assertEquals(987_654_325L, batch.lastOffset());
        assertEquals(17, batch.partitionLeaderEpoch());
        assertEquals(crcBefore, batch.crc());
        assertEquals(batch.crc(), batch.computeCrc());

        final MutableRecordBatch parsed = kafkaBatch(copyOut(buffer, 8, size));
        assertTrue(parsed.isValid());
        parsed.ensureValid();
        assertEquals(987_654_321L, parsed.baseOffset());
        assertEquals(17, parsed.partitionLeaderEpoch());
        final List<Long> offsets = new ArrayList<>();
        for (final Record record : parsed)
        {
            offsets.add(record.offset());
        }
        assertEquals(List.of(987_654_321L, 987_654_322L, 987_654_323L, 987_654_324L, 987_654_325L), offsets);
    }

    @Test
    void assignOffsetAndEpochTouchesNoOtherByte()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 3);
        final byte[] original = bytes(records);
        final UnsafeBuffer buffer = offHeap(records, 0);

        new RecordBatch().wrap(buffer, 0).assignOffsetAndEpoch(0x0102030405060708L, 0x0A0B0C0D);

        final byte[] after = new byte[original.length];
        buffer.getBytes(0, after);
        for (int i = 0; i < original.length; i++)
        {
            if (i < 8 || (i >= 12 && i < 16))
            {
                continue;
            }
            assertEquals(original[i], after[i], "byte " + i);
        }
    }

    @Test
    void computedCrcDetectsAChangedByte()
    {
        final UnsafeBuffer buffer = offHeap(TestBatches.plain(Compression.NONE, 3), 0);
        final RecordBatch batch = new RecordBatch().wrap(buffer, 0);

        buffer.putByte(batch.sizeInBytes() - 1, (byte)(buffer.getByte(batch.sizeInBytes() - 1) ^ 0x40));

        assertFalse(batch.crc() == batch.computeCrc());
    }

    @Test
    void checksumIsTheSameOnHeapAndOffHeap()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 4);
        final byte[] bytes = bytes(records);
        final byte[] padded = new byte[bytes.length + 13];
        System.arraycopy(bytes, 0, padded, 13, bytes.length);
        final UnsafeBuffer heap = new UnsafeBuffer(padded, 5, padded.length - 5);
        final UnsafeBuffer direct = offHeap(records, 8);
        final int length = bytes.length - RecordBatch.CRC_START;

        final int expected = (int)kafkaBatch(records.buffer()).checksum();
        assertEquals(expected, BatchChecksum.crc32c(direct, 8 + RecordBatch.CRC_START, length));
        assertEquals(expected, BatchChecksum.crc32c(heap, 8 + RecordBatch.CRC_START, length));
    }
}
