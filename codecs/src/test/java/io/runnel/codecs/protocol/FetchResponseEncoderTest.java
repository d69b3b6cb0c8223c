package io.runnel.codecs.protocol;

import static io.runnel.codecs.protocol.ProduceResponseEncoderTest.toArray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.TestBatches;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FetchResponseEncoderTest
{
    private static final int OFFSET = 12;
    private static final int CORRELATION_ID = 991;
    private static final int SESSION_ID = 123456;
    private static final Uuid ORDERS_ID = new Uuid(0x0A0B0C0D0E0F0102L, 0x0304050607080910L);
    private static final Uuid LOGS_ID = new Uuid(5L, -5L);
    private static final String LOGS_NAME = "logs-" + "x".repeat(150);

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8192));
    private final FetchResponseEncoder encoder = new FetchResponseEncoder();
    private final MemoryRecords orders0 = TestBatches.plain(Compression.NONE, 4);
    private final MemoryRecords orders1 = TestBatches.plain(Compression.lz4().build(), 9);
    private final MemoryRecords logs7 = TestBatches.idempotent(Compression.NONE, 3L, (short)0, 0, 2);

    /** Encodes and returns the whole frame with the record bytes spliced in, as the sender would write it. */
    private byte[] encodeAndSplice(final short version)
    {
        encoder.begin(buffer, OFFSET, CORRELATION_ID, version, Errors.NONE.code(), SESSION_ID, 2);
        encoder.topic("orders", ORDERS_ID.getMostSignificantBits(), ORDERS_ID.getLeastSignificantBits(), 3)
            .partition(0, Errors.NONE.code(), 100L, 100L, 0L, false, orders0.sizeInBytes())
            .partition(1, Errors.NONE.code(), 200L, 190L, 10L, true, orders1.sizeInBytes())
            .partition(2, Errors.OFFSET_OUT_OF_RANGE.code(), 50L, 50L, 0L, false, 0)
            .endTopic();
        encoder.topic(LOGS_NAME, LOGS_ID.getMostSignificantBits(), LOGS_ID.getLeastSignificantBits(), 2)
            .partition(7, Errors.NONE.code(), 2L, 2L, 0L, true, logs7.sizeInBytes())
            .partition(8, Errors.NONE.code(), 9L, 9L, 3L, true, 0)
            .endTopic();
        final int end = encoder.finish();

        assertEquals(3, encoder.spliceCount());
        final List<byte[]> external = List.of(TestBatches.bytes(orders0), TestBatches.bytes(orders1), TestBatches.bytes(logs7));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = OFFSET;
        for (int i = 0; i < encoder.spliceCount(); i++)
        {
            final int at = encoder.splicePosition(i);
            out.write(slice(from, at), 0, at - from);
            out.writeBytes(external.get(i));
            from = at;
        }
        out.write(slice(from, end), 0, end - from);
        return out.toByteArray();
    }

    private byte[] slice(final int from, final int to)
    {
        final byte[] bytes = new byte[to - from];
        buffer.getBytes(from, bytes);
        return bytes;
    }

    private FetchResponseData expected(final short version)
    {
        final List<FetchableTopicResponse> topics = new ArrayList<>();
        topics.add(topic(version, "orders", ORDERS_ID,
            partition(0, Errors.NONE, 100L, 100L, 0L, false, orders0),
            partition(1, Errors.NONE, 200L, 190L, 10L, true, orders1),
            partition(2, Errors.OFFSET_OUT_OF_RANGE, 50L, 50L, 0L, false, MemoryRecords.EMPTY)));
        topics.add(topic(version, LOGS_NAME, LOGS_ID,
            partition(7, Errors.NONE, 2L, 2L, 0L, true, logs7),
            partition(8, Errors.NONE, 9L, 9L, 3L, true, MemoryRecords.EMPTY)));
        // The session id does not exist below v7; kafka-clients refuses to write a non-default one there.
        return new FetchResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
            .setSessionId(version >= 7 ? SESSION_ID : 0).setResponses(topics);
    }

    private static FetchableTopicResponse topic(final short version, final String name, final Uuid id, final PartitionData... partitions)
    {
        final FetchableTopicResponse topic = new FetchableTopicResponse().setPartitions(new ArrayList<>(List.of(partitions)));
        return version >= 13 ? topic.setTopicId(id) : topic.setTopic(name);
    }

    private static PartitionData partition(final int index, final Errors error, final long hw, final long lso,
        final long logStart, final boolean emptyAborted, final MemoryRecords records)
    {
        return new PartitionData().setPartitionIndex(index).setErrorCode(error.code()).setHighWatermark(hw)
            .setLastStableOffset(lso).setLogStartOffset(logStart).setAbortedTransactions(emptyAborted ? new ArrayList<>() : null)
            .setPreferredReadReplica(-1).setRecords(records);
    }

    /** The body after the size prefix and the response header (v1, with tagged fields, from v12; v0 before). */
    private static ByteBuffer body(final byte[] frame, final short version)
    {
        return ByteBuffer.wrap(frame).position(4 + 4 + (version >= 12 ? 1 : 0)).slice();
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
    void sizePrefixCountsTheSplicedRecordBytes(final short version)
    {
        final ByteBuffer frame = ByteBuffer.wrap(encodeAndSplice(version));

        assertEquals(version >= 12 ? 1 : 0, ApiKeys.FETCH.responseHeaderVersion(version));
        assertEquals(frame.remaining() - 4, frame.getInt(0));
        assertEquals(CORRELATION_ID, frame.getInt(4));
        if (version >= 12)
        {
            assertEquals(0, frame.get(8));
        }
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
    void kafkaClientsParseTheSplicedResponse(final short version)
    {
        final ByteBufferAccessor accessor = new ByteBufferAccessor(body(encodeAndSplice(version), version));
        final FetchResponseData parsed = new FetchResponseData(accessor, version);

        assertEquals(0, accessor.remaining());
        assertEquals(0, parsed.throttleTimeMs());
        assertEquals(Errors.NONE.code(), parsed.errorCode());
        assertEquals(version >= 7 ? SESSION_ID : 0, parsed.sessionId());
        assertEquals(2, parsed.responses().size());
        final FetchableTopicResponse orders = parsed.responses().get(0);
        final FetchableTopicResponse logs = parsed.responses().get(1);
        if (version >= 13)
        {
            assertEquals(ORDERS_ID, orders.topicId());
            assertEquals(LOGS_ID, logs.topicId());
        }
        else
        {
            assertEquals("orders", orders.topic());
            assertEquals(LOGS_NAME, logs.topic());
        }

        final PartitionData p0 = orders.partitions().get(0);
        assertEquals(0, p0.partitionIndex());
        assertEquals(100L, p0.highWatermark());
        assertEquals(100L, p0.lastStableOffset());
        assertEquals(version >= 5 ? 0L : -1L, p0.logStartOffset());
        assertNull(p0.abortedTransactions());
        assertEquals(-1, p0.preferredReadReplica());
        assertArrayEquals(TestBatches.bytes(orders0), toArray(((MemoryRecords)p0.records()).buffer()));

        final PartitionData p1 = orders.partitions().get(1);
        assertEquals(200L, p1.highWatermark());
        assertEquals(190L, p1.lastStableOffset());
        assertEquals(version >= 5 ? 10L : -1L, p1.logStartOffset());
        assertTrue(p1.abortedTransactions().isEmpty());
        final MemoryRecords records1 = (MemoryRecords)p1.records();
        assertArrayEquals(TestBatches.bytes(orders1), toArray(records1.buffer()));
        final MutableRecordBatch batch = records1.batches().iterator().next();
        assertTrue(batch.isValid());
        assertEquals(9, batch.countOrNull());

        final PartitionData p2 = orders.partitions().get(2);
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), p2.errorCode());
        assertEquals(0, p2.records().sizeInBytes());

        final PartitionData p7 = logs.partitions().get(0);
        assertEquals(7, p7.partitionIndex());
        assertArrayEquals(TestBatches.bytes(logs7), toArray(((MemoryRecords)p7.records()).buffer()));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
    void splicedFrameIsByteForByteWhatKafkaClientsSerialize(final short version)
    {
        final ByteBuffer reference = ProduceRequestDecoderTest.serialize(expected(version), version);

        assertArrayEquals(toArray(reference), toArray(body(encodeAndSplice(version), version)));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {7, 11, 12, 18})
    void responseWithoutTopicsHasNoSplicePoints(final short version)
    {
        encoder.begin(buffer, OFFSET, 5, version, Errors.FETCH_SESSION_ID_NOT_FOUND.code(), 0, 0);
        final int end = encoder.finish();
        final byte[] frame = slice(OFFSET, end);

        assertEquals(0, encoder.spliceCount());
        assertEquals(frame.length - 4, ByteBuffer.wrap(frame).getInt(0));
        final ByteBufferAccessor accessor = new ByteBufferAccessor(body(frame, version));
        final FetchResponseData parsed = new FetchResponseData(accessor, version);
        assertEquals(0, accessor.remaining());
        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), parsed.errorCode());
        assertArrayEquals(toArray(ProduceRequestDecoderTest.serialize(new FetchResponseData()
            .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()), version)), toArray(body(frame, version)));
        assertTrue(parsed.responses().isEmpty());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {4, 11, 12})
    void nonAsciiTopicNameIsWrittenAsKafkaClientsWriteIt(final short version)
    {
        final String name = "tópico-日本";
        encoder.begin(buffer, 0, 3, version, Errors.NONE.code(), 0, 1);
        encoder.topic(name, 0L, 0L, 1).partition(0, Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), -1L, -1L, -1L, false, 0).endTopic();
        final byte[] frame = slice(0, encoder.finish());
        final FetchResponseData expected = new FetchResponseData().setResponses(new ArrayList<>(List.of(topic(version, name, Uuid.ZERO_UUID,
            partition(0, Errors.UNKNOWN_TOPIC_OR_PARTITION, -1L, -1L, -1L, false, MemoryRecords.EMPTY)))));

        assertArrayEquals(toArray(ProduceRequestDecoderTest.serialize(expected, version)), toArray(body(frame, version)));
    }

    @Test
    void encoderIsReusableAndSplicePointsGrowPastSixteen()
    {
        encodeAndSplice((short)13);
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 1);
        final int partitions = 40;
        encoder.begin(buffer, 0, 1, (short)16, Errors.NONE.code(), 0, 1);
        encoder.topic(null, 1L, 2L, partitions);
        for (int p = 0; p < partitions; p++)
        {
            encoder.partition(p, Errors.NONE.code(), 1L, 1L, 0L, false, records.sizeInBytes());
        }
        encoder.endTopic();
        final int end = encoder.finish();

        assertEquals(partitions, encoder.spliceCount());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int i = 0; i < partitions; i++)
        {
            out.writeBytes(slice(from, encoder.splicePosition(i)));
            out.writeBytes(TestBatches.bytes(records));
            from = encoder.splicePosition(i);
        }
        out.writeBytes(slice(from, end));
        final byte[] frame = out.toByteArray();
        assertEquals(frame.length - 4, ByteBuffer.wrap(frame).getInt(0));
        final FetchResponseData parsed = new FetchResponseData(new ByteBufferAccessor(body(frame, (short)16)), (short)16);
        assertEquals(partitions, parsed.responses().get(0).partitions().size());
        assertEquals(39, parsed.responses().get(0).partitions().get(39).partitionIndex());
        assertEquals(records.sizeInBytes(), parsed.responses().get(0).partitions().get(39).records().sizeInBytes());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {4, 11, 12, 13})
    void declaredBoundsCoverTheBufferedBytes(final short version)
    {
        final byte[] frame = encodeAndSplice(version);
        final int buffered = frame.length - orders0.sizeInBytes() - orders1.sizeInBytes() - logs7.sizeInBytes();
        final int names = version >= 13 ? 0 : 2 + "orders".length() + 2 + LOGS_NAME.length();
        final int bound = FetchResponseEncoder.MAX_FIXED_BYTES + 2 * FetchResponseEncoder.MAX_TOPIC_BYTES
            + 5 * FetchResponseEncoder.MAX_PARTITION_BYTES + names;

        assertTrue(buffered <= bound, buffered + " > " + bound);
    }
}
