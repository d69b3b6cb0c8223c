package io.runnel.codecs.batch;

import static io.runnel.codecs.TestBatches.fixCrc;
import static io.runnel.codecs.TestBatches.offHeap;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import io.runnel.codecs.TestBatches;
import io.runnel.codecs.batch.BatchValidator.Result;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BatchValidatorTest
{
    private static final int MAX = 1 << 20;
    private static final int RECORDS_COUNT_OFFSET = 57;
    private static final int LAST_OFFSET_DELTA_OFFSET = 23;
    private static final int ATTRIBUTES_OFFSET = 21;

    private final BatchValidator inspecting = new BatchValidator(true);
    private final BatchValidator trusting = new BatchValidator(false);

    static Stream<Compression> compressions()
    {
        return Stream.of(Compression.gzip().build(), Compression.snappy().build(), Compression.lz4().build(),
            Compression.zstd().build());
    }

    @Test
    void validUncompressedBatchIsAccepted()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 10);
        final UnsafeBuffer buffer = offHeap(records, 0);

        assertEquals(Result.OK, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
        assertEquals(10, inspecting.batch().recordsCount());
        assertEquals(Result.OK, trusting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void validIdempotentBatchAtAnOffsetIsAccepted()
    {
        final MemoryRecords records = TestBatches.idempotent(Compression.NONE, 3L, (short)0, 0, 4);
        final UnsafeBuffer buffer = offHeap(records, 29);

        assertEquals(Result.OK, inspecting.validate(buffer, 29, records.sizeInBytes(), MAX));
        assertEquals(3L, inspecting.batch().producerId());
    }

    @Test
    void singleRecordBatchWithLargeValueIsAccepted()
    {
        final byte[] value = new byte[100_000];
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(1L, "k".getBytes(), value));
        final UnsafeBuffer buffer = offHeap(records, 0);

        assertEquals(Result.OK, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @ParameterizedTest
    @MethodSource("compressions")
    void validCompressedBatchIsAcceptedWithInspection(final Compression compression)
    {
        final MemoryRecords records = TestBatches.idempotent(compression, 8L, (short)0, 0, 50);
        final UnsafeBuffer buffer = offHeap(records, 0);

        assertEquals(Result.OK, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
        assertEquals(compression.type().id, inspecting.batch().compressionId());
    }

    @ParameterizedTest
    @MethodSource("compressions")
    void validCompressedBatchIsAcceptedWithoutInspection(final Compression compression)
    {
        final MemoryRecords records = TestBatches.plain(compression, 20);
        final UnsafeBuffer buffer = offHeap(records, 0);

        assertEquals(Result.OK, trusting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @ParameterizedTest
    @MethodSource("compressions")
    void compressedBatchThatOvercountsItsRecordsIsInvalidWhenInspected(final Compression compression)
    {
        final MemoryRecords records = TestBatches.plain(compression, 20);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putInt(RECORDS_COUNT_OFFSET, 21, ByteOrder.BIG_ENDIAN);
        buffer.putInt(LAST_OFFSET_DELTA_OFFSET, 20, ByteOrder.BIG_ENDIAN);
        fixCrc(buffer, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @ParameterizedTest
    @MethodSource("compressions")
    void compressedBatchWithGarbledPayloadIsCorruptWhenInspected(final Compression compression)
    {
        final MemoryRecords records = TestBatches.plain(compression, 20);
        final UnsafeBuffer buffer = offHeap(records, 0);
        final int size = records.sizeInBytes();
        for (int i = RecordBatch.HEADER_SIZE; i < size; i++)
        {
            buffer.putByte(i, (byte)0xA5);
        }
        fixCrc(buffer, 0);

        assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, size, MAX));
    }

    /** Every way a caller may hold the bytes: the inspector must find the batch where the flyweight does. */
    static Stream<Arguments> bufferKinds()
    {
        return Stream.of("direct", "direct region", "direct slice", "byte array", "heap ByteBuffer")
            .map(Arguments::of);
    }

    private static UnsafeBuffer holding(final String kind, final byte[] batch, final int pad)
    {
        final byte[] padded = new byte[pad + batch.length];
        System.arraycopy(batch, 0, padded, pad, batch.length);
        switch (kind)
        {
            case "direct":
                return offHeap(ByteBuffer.wrap(padded), 0, 0);
            case "direct region":
            {
                final ByteBuffer direct = ByteBuffer.allocateDirect(padded.length + 11);
                direct.position(11);
                direct.put(padded);
                return new UnsafeBuffer(direct, 11, padded.length);
            }
            case "direct slice":
            {
                final ByteBuffer direct = ByteBuffer.allocateDirect(padded.length + 11);
                direct.position(11);
                direct.put(padded);
                direct.position(11);
                return new UnsafeBuffer(direct.slice());
            }
            case "byte array":
                return new UnsafeBuffer(padded);
            case "heap ByteBuffer":
                return new UnsafeBuffer(ByteBuffer.wrap(padded));
            case "heap ByteBuffer slice":
            {
                final byte[] wider = new byte[padded.length + 11];
                System.arraycopy(padded, 0, wider, 11, padded.length);
                return new UnsafeBuffer(ByteBuffer.wrap(wider).position(11).slice());
            }
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bufferKinds")
    void compressedBatchIsInspectedWhereverItsBytesLie(final String kind)
    {
        final MemoryRecords records = TestBatches.plain(Compression.lz4().build(), 12);
        final UnsafeBuffer buffer = holding(kind, TestBatches.bytes(records), 23);

        assertEquals(Result.OK, inspecting.validate(buffer, 23, records.sizeInBytes(), MAX));
    }

    @Test
    void compressedBatchInAHeapByteBufferSliceIsInspected()
    {
        final MemoryRecords records = TestBatches.plain(Compression.lz4().build(), 12);
        final UnsafeBuffer buffer = holding("heap ByteBuffer slice", TestBatches.bytes(records), 23);

        assertEquals(Result.OK, inspecting.validate(buffer, 23, records.sizeInBytes(), MAX));
    }

    static Stream<Compression> allCompressions()
    {
        return Stream.concat(Stream.of(Compression.NONE), compressions());
    }

    /** Hostile bytes behind a valid CRC: the answer is a verdict, never an exception. */
    @ParameterizedTest
    @MethodSource("allCompressions")
    void mutatedRecordsBehindAValidCrcGetAVerdictNeverAnException(final Compression compression)
    {
        final MemoryRecords records = TestBatches.idempotent(compression, 1L, (short)0, 0, 30);
        final byte[] original = TestBatches.bytes(records);
        final Random random = new Random(0xC0FFEE + compression.type().id);
        for (int round = 0; round < 300; round++)
        {
            final UnsafeBuffer buffer = offHeap(ByteBuffer.wrap(original), 0, 0);
            final int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++)
            {
                final int at = RecordBatch.HEADER_SIZE + random.nextInt(original.length - RecordBatch.HEADER_SIZE);
                buffer.putByte(at, (byte)random.nextInt(256));
            }
            fixCrc(buffer, 0);
            final int r = round;
            final Result result = assertDoesNotThrow(
                () -> inspecting.validate(buffer, 0, original.length, MAX), "round " + r);
            assertNotNull(result);
        }
    }

    @Test
    void badCrcIsCorrupt()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 5);
        final UnsafeBuffer buffer = offHeap(records, 0);
        final int last = records.sizeInBytes() - 1;
        buffer.putByte(last, (byte)(buffer.getByte(last) ^ 0x01));

        assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void damagedCrcFieldIsCorrupt()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 5);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putByte(18, (byte)(buffer.getByte(18) ^ 0x10));

        assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void damagedProducerFieldBreaksTheCrc()
    {
        final MemoryRecords records = TestBatches.idempotent(Compression.NONE, 3L, (short)0, 0, 4);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putInt(53, 1000, ByteOrder.BIG_ENDIAN); // baseSequence is covered by the CRC

        assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @ParameterizedTest
    @ValueSource(bytes = {0, 1})
    void legacyMagicIsUnsupported(final byte magic)
    {
        final MemoryRecords records = MemoryRecords.withRecords(magic, Compression.NONE, TestBatches.records(3, "legacy"));
        final UnsafeBuffer buffer = offHeap(records, 0);
        assertEquals(magic, buffer.getByte(16));

        assertEquals(Result.UNSUPPORTED_MAGIC, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @ParameterizedTest
    @ValueSource(bytes = {3, 7, -1})
    void unknownMagicIsCorrupt(final byte magic)
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 2);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putByte(16, magic);

        assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void recordCountAboveTheRecordsIsRejected()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 5);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putInt(RECORDS_COUNT_OFFSET, 6, ByteOrder.BIG_ENDIAN);
        fixCrc(buffer, 0);

        assertTrue(Set.of(Result.CORRUPT, Result.INVALID_RECORD).contains(
            inspecting.validate(buffer, 0, records.sizeInBytes(), MAX)));
    }

    @Test
    void recordCountAndLastOffsetDeltaThatBothOvercountAreInvalid()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 5);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putInt(RECORDS_COUNT_OFFSET, 6, ByteOrder.BIG_ENDIAN);
        buffer.putInt(LAST_OFFSET_DELTA_OFFSET, 5, ByteOrder.BIG_ENDIAN);
        fixCrc(buffer, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void recordCountAndLastOffsetDeltaThatBothUndercountAreInvalid()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 5);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putInt(RECORDS_COUNT_OFFSET, 4, ByteOrder.BIG_ENDIAN);
        buffer.putInt(LAST_OFFSET_DELTA_OFFSET, 3, ByteOrder.BIG_ENDIAN);
        fixCrc(buffer, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void recordWithWrongOffsetDeltaIsInvalid()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 3);
        final UnsafeBuffer buffer = offHeap(records, 0);
        // First record: length varint (1 byte), attributes, timestampDelta 0 (1 byte), then offsetDelta.
        final int offsetDeltaAt = RecordBatch.HEADER_SIZE + 3;
        assertEquals(0, buffer.getByte(offsetDeltaAt));
        buffer.putByte(offsetDeltaAt, (byte)2); // zig-zag 1
        fixCrc(buffer, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void recordLengthRunningPastTheBatchIsInvalid()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 1);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putByte(RecordBatch.HEADER_SIZE, (byte)0x7E); // zig-zag 63: longer than the record
        fixCrc(buffer, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void twoBatchesInOneRegionAreInvalid()
    {
        final MemoryRecords first = TestBatches.plain(Compression.NONE, 2);
        final MemoryRecords second = TestBatches.plain(Compression.NONE, 3);
        final ByteBuffer both = ByteBuffer.allocate(first.sizeInBytes() + second.sizeInBytes());
        both.put(first.buffer()).put(second.buffer()).flip();
        final UnsafeBuffer buffer = offHeap(both, 0, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, both.remaining(), MAX));
    }

    @Test
    void batchLargerThanTheLimitIsTooLarge()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 10);
        final UnsafeBuffer buffer = offHeap(records, 0);
        final int size = records.sizeInBytes();

        assertEquals(Result.TOO_LARGE, inspecting.validate(buffer, 0, size, size - 1));
        assertEquals(Result.OK, inspecting.validate(buffer, 0, size, size));
    }

    @Test
    void truncatedBatchIsCorrupt()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 10);
        final int size = records.sizeInBytes();
        final UnsafeBuffer buffer = offHeap(records, 0);

        for (final int length : new int[] {0, 5, 16, 17, 40, RecordBatch.HEADER_SIZE - 1, RecordBatch.HEADER_SIZE, size / 2, size - 1})
        {
            assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, length, MAX), "length " + length);
        }
    }

    @Test
    void everyStrictPrefixOfABatchIsRejectedWithoutThrowing()
    {
        final MemoryRecords records = TestBatches.idempotent(Compression.NONE, 3L, (short)0, 0, 6);
        final int size = records.sizeInBytes();
        for (int length = 0; length < size; length++)
        {
            // Buffer ends where the region ends: a read past the region would fail the bounds check.
            final UnsafeBuffer exact = offHeap(records.buffer().duplicate().limit(length), 0, 0);
            final Result result = inspecting.validate(exact, 0, length, MAX);
            assertTrue(result == Result.CORRUPT, "length " + length + " gave " + result);
        }
    }

    @Test
    void batchLengthBelowTheHeaderIsCorrupt()
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 2);
        final UnsafeBuffer buffer = offHeap(records, 0);
        buffer.putInt(8, RecordBatch.MIN_BATCH_LENGTH - 1, ByteOrder.BIG_ENDIAN);

        assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void emptyBatchIsInvalid()
    {
        final ByteBuffer empty = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        DefaultRecordBatch.writeEmptyHeader(empty, RecordBatch.MAGIC_V2, 1L, (short)0, 5, 0L, 0L, 0,
            TimestampType.CREATE_TIME, 0L, false, false);
        empty.flip();
        final UnsafeBuffer buffer = offHeap(empty, 0, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, empty.remaining(), MAX));
    }

    @Test
    void controlBatchFromAProducerIsInvalid()
    {
        final MemoryRecords marker = MemoryRecords.withEndTransactionMarker(7L, (short)1,
            new EndTransactionMarker(ControlRecordType.ABORT, 0));
        final UnsafeBuffer buffer = offHeap(marker, 0);

        assertEquals(Result.INVALID_RECORD, inspecting.validate(buffer, 0, marker.sizeInBytes(), MAX));
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 7})
    void undefinedCompressionCodecIsCorrupt(final int codec)
    {
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 2);
        final UnsafeBuffer buffer = offHeap(records, 0);
        final short attributes = buffer.getShort(ATTRIBUTES_OFFSET, ByteOrder.BIG_ENDIAN);
        buffer.putShort(ATTRIBUTES_OFFSET, (short)((attributes & ~0x07) | codec), ByteOrder.BIG_ENDIAN);
        fixCrc(buffer, 0);

        assertEquals(Result.CORRUPT, inspecting.validate(buffer, 0, records.sizeInBytes(), MAX));
    }

    @Test
    void validatorIsReusableAfterARejection()
    {
        final MemoryRecords good = TestBatches.plain(Compression.NONE, 3);
        final UnsafeBuffer bad = offHeap(good, 0);
        bad.putByte(good.sizeInBytes() - 1, (byte)(bad.getByte(good.sizeInBytes() - 1) ^ 0x7F));

        assertEquals(Result.CORRUPT, inspecting.validate(bad, 0, good.sizeInBytes(), MAX));
        assertEquals(Result.OK, inspecting.validate(offHeap(good, 3), 3, good.sizeInBytes(), MAX));
        assertSame(inspecting.batch(), inspecting.batch());
        assertEquals(3, inspecting.batch().recordsCount());
    }
    /** Timestamps out of order, one record without a timestamp: the walk reports the oldest and newest that have one. */
    private static SimpleRecord[] shuffledTimestamps()
    {
        final long base = TestBatches.BASE_TIMESTAMP;
        return new SimpleRecord[] {
            new SimpleRecord(base + 500, "a".getBytes(), "1".getBytes()),
            new SimpleRecord(base - 7_000, "b".getBytes(), "2".getBytes()),
            new SimpleRecord(BatchValidator.NO_TIMESTAMP, "c".getBytes(), "3".getBytes()),
            new SimpleRecord(base + 90_000, "d".getBytes(), "4".getBytes()),
            new SimpleRecord(base, "e".getBytes(), "5".getBytes()),
        };
    }

    @Test
    void walkReportsTheOldestAndNewestRecordTimestampOfAnUncompressedBatch()
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, shuffledTimestamps());

        assertEquals(Result.OK, inspecting.validate(offHeap(records, 0), 0, records.sizeInBytes(), MAX));
        assertEquals(TestBatches.BASE_TIMESTAMP - 7_000, inspecting.minTimestamp());
        assertEquals(TestBatches.BASE_TIMESTAMP + 90_000, inspecting.maxTimestamp());
    }

    @ParameterizedTest
    @MethodSource("compressions")
    void walkReportsTheOldestAndNewestRecordTimestampOfACompressedBatch(final Compression compression)
    {
        final MemoryRecords records = MemoryRecords.withRecords(compression, shuffledTimestamps());

        assertEquals(Result.OK, inspecting.validate(offHeap(records, 0), 0, records.sizeInBytes(), MAX));
        assertEquals(TestBatches.BASE_TIMESTAMP - 7_000, inspecting.minTimestamp());
        assertEquals(TestBatches.BASE_TIMESTAMP + 90_000, inspecting.maxTimestamp());
    }

    @ParameterizedTest
    @MethodSource("compressions")
    void compressedBatchNotWalkedReportsItsHeaderTimestamps(final Compression compression)
    {
        final MemoryRecords records = MemoryRecords.withRecords(compression, shuffledTimestamps());

        assertEquals(Result.OK, trusting.validate(offHeap(records, 0), 0, records.sizeInBytes(), MAX));
        assertEquals(TestBatches.BASE_TIMESTAMP + 500, trusting.minTimestamp()); // the first record's: the base timestamp
        assertEquals(TestBatches.BASE_TIMESTAMP + 90_000, trusting.maxTimestamp());
    }

    @Test
    void batchWithoutAnyTimestampReportsNone()
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(BatchValidator.NO_TIMESTAMP, "a".getBytes(), "1".getBytes()),
            new SimpleRecord(BatchValidator.NO_TIMESTAMP, "b".getBytes(), "2".getBytes()));

        assertEquals(Result.OK, inspecting.validate(offHeap(records, 0), 0, records.sizeInBytes(), MAX));
        assertEquals(Long.MAX_VALUE, inspecting.minTimestamp());
        assertEquals(BatchValidator.NO_TIMESTAMP, inspecting.maxTimestamp());
    }

    @Test
    void batchMarkedLogAppendTimeReportsItsMaxTimestampForEveryRecord()
    {
        final MemoryRecords records = TestBatches.full(Compression.NONE, 0, TimestampType.LOG_APPEND_TIME, -1, (short)-1, -1, 0, false,
            shuffledTimestamps());
        final long stamped = records.batches().iterator().next().maxTimestamp();

        assertEquals(Result.OK, inspecting.validate(offHeap(records, 0), 0, records.sizeInBytes(), MAX));
        assertTrue(inspecting.batch().isLogAppendTime());
        assertEquals(stamped, inspecting.minTimestamp());
        assertEquals(stamped, inspecting.maxTimestamp());
    }
}
