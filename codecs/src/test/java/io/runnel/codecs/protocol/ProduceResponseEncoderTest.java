package io.runnel.codecs.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponseCollection;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProduceResponseEncoderTest
{
    private static final int OFFSET = 8;
    private static final int CORRELATION_ID = 0x5EED;
    private static final String LONG_NAME = "t".repeat(200); // needs a two-byte compact length
    private static final Uuid ORDERS_ID = new Uuid(0x0102030405060708L, 0x1112131415161718L);
    private static final Uuid LONG_ID = new Uuid(-1L, 1L);
    private static final Uuid PAYMENTS_ID = new Uuid(42L, -42L);
    private static final Uuid NOTHING_ID = new Uuid(7L, 7L);
    /** Every version kafka-clients 4.4 writes. */
    private static final short FIRST_WRITTEN = 3;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final ProduceResponseEncoder encoder = new ProduceResponseEncoder();

    private int encode(final short version)
    {
        encoder.begin(buffer, OFFSET, CORRELATION_ID, version, 4);
        encoder.topic("orders".getBytes(StandardCharsets.UTF_8), ORDERS_ID.getMostSignificantBits(), ORDERS_ID.getLeastSignificantBits(), 2)
            .partition(0, Errors.NONE.code(), 1000L, -1L, 0L)
            .partition(5, Errors.NOT_LEADER_OR_FOLLOWER.code(), -1L, -1L, -1L)
            .endTopic();
        encoder.topic(LONG_NAME.getBytes(StandardCharsets.UTF_8), LONG_ID.getMostSignificantBits(), LONG_ID.getLeastSignificantBits(), 1)
            .partition(2, Errors.NONE.code(), 1L << 40, 1_700_000_000_123L, 77L)
            .endTopic();
        encoder.topic("payments".getBytes(StandardCharsets.UTF_8), PAYMENTS_ID.getMostSignificantBits(), PAYMENTS_ID.getLeastSignificantBits(), 4)
            .partition(Integer.MAX_VALUE, Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), -1L, -1L, -1L)
            .partition(1, Errors.CORRUPT_MESSAGE.code(), -1L, -1L, 12L)
            .partition(3, Errors.INVALID_RECORD.code(), -1L, -1L, 0L)
            .partition(-1, Errors.NONE.code(), Long.MAX_VALUE - 1, 0L, Long.MAX_VALUE - 9)
            .endTopic();
        encoder.topic("nothing".getBytes(StandardCharsets.UTF_8), NOTHING_ID.getMostSignificantBits(), NOTHING_ID.getLeastSignificantBits(), 0)
            .endTopic();
        return encoder.finish(250);
    }

    private static ProduceResponseData expected(final short version)
    {
        final TopicProduceResponseCollection topics = new TopicProduceResponseCollection();
        topics.add(topic(version, "orders", ORDERS_ID,
            partition(0, Errors.NONE, 1000L, -1L, 0L),
            partition(5, Errors.NOT_LEADER_OR_FOLLOWER, -1L, -1L, -1L)));
        topics.add(topic(version, LONG_NAME, LONG_ID, partition(2, Errors.NONE, 1L << 40, 1_700_000_000_123L, 77L)));
        topics.add(topic(version, "payments", PAYMENTS_ID,
            partition(Integer.MAX_VALUE, Errors.UNKNOWN_TOPIC_OR_PARTITION, -1L, -1L, -1L),
            partition(1, Errors.CORRUPT_MESSAGE, -1L, -1L, 12L),
            partition(3, Errors.INVALID_RECORD, -1L, -1L, 0L),
            partition(-1, Errors.NONE, Long.MAX_VALUE - 1, 0L, Long.MAX_VALUE - 9)));
        topics.add(topic(version, "nothing", NOTHING_ID));
        return new ProduceResponseData().setResponses(topics).setThrottleTimeMs(250);
    }

    private static TopicProduceResponse topic(final short version, final String name, final Uuid id,
        final PartitionProduceResponse... partitions)
    {
        final TopicProduceResponse topic = new TopicProduceResponse().setPartitionResponses(new ArrayList<>(List.of(partitions)));
        return version >= 13 ? topic.setTopicId(id) : topic.setName(name);
    }

    private static PartitionProduceResponse partition(final int index, final Errors error, final long baseOffset,
        final long appendTime, final long logStart)
    {
        return new PartitionProduceResponse().setIndex(index).setErrorCode(error.code()).setBaseOffset(baseOffset)
            .setLogAppendTimeMs(appendTime).setLogStartOffset(logStart);
    }

    private ByteBuffer frame(final int end)
    {
        final byte[] bytes = new byte[end - OFFSET];
        buffer.getBytes(OFFSET, bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Skips the size prefix and the response header: v1 (correlation id + empty tagged fields) from v9, else v0. */
    private static ByteBuffer body(final ByteBuffer frame, final short version)
    {
        return frame.duplicate().position(4 + 4 + (version >= 9 ? 1 : 0)).slice();
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    void frameHasSizePrefixCorrelationIdAndTheVersionsHeader(final short version)
    {
        final ByteBuffer frame = frame(encode(version));

        assertEquals(version >= 9 ? 1 : 0, ApiKeys.PRODUCE.responseHeaderVersion(version));
        assertEquals(frame.remaining() - 4, frame.getInt(0));
        assertEquals(CORRELATION_ID, frame.getInt(4));
        if (version >= 9)
        {
            assertEquals(0, frame.get(8));
        }
        else
        {
            assertEquals(4, frame.getInt(8), "v0 header: the topic count follows the correlation id");
        }
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    void kafkaClientsParseTheResponseBackField(final short version)
    {
        final ByteBufferAccessor accessor = new ByteBufferAccessor(body(frame(encode(version)), version));
        final ProduceResponseData parsed = new ProduceResponseData(accessor, version);

        assertEquals(0, accessor.remaining());
        assertEquals(250, parsed.throttleTimeMs());
        assertEquals(4, parsed.responses().size());
        final Iterator<TopicProduceResponse> topics = parsed.responses().iterator();
        final TopicProduceResponse orders = topics.next();
        final TopicProduceResponse longName = topics.next();
        if (version >= 13)
        {
            assertEquals(ORDERS_ID, orders.topicId());
            assertEquals(LONG_ID, longName.topicId());
        }
        else
        {
            assertEquals("orders", orders.name());
            assertEquals(LONG_NAME, longName.name());
        }
        assertEquals(2, orders.partitionResponses().size());
        final PartitionProduceResponse p0 = orders.partitionResponses().get(0);
        assertEquals(0, p0.index());
        assertEquals(Errors.NONE.code(), p0.errorCode());
        assertEquals(1000L, p0.baseOffset());
        assertEquals(-1L, p0.logAppendTimeMs());
        assertEquals(version >= 5 ? 0L : -1L, p0.logStartOffset());
        assertTrue(p0.recordErrors().isEmpty());
        assertNull(p0.errorMessage());
        final PartitionProduceResponse p5 = orders.partitionResponses().get(1);
        assertEquals(5, p5.index());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), p5.errorCode());
        final PartitionProduceResponse p2 = longName.partitionResponses().get(0);
        assertEquals(2, p2.index());
        assertEquals(1L << 40, p2.baseOffset());
        assertEquals(version >= 2 ? 1_700_000_000_123L : -1L, p2.logAppendTimeMs());
        assertEquals(version >= 5 ? 77L : -1L, p2.logStartOffset(), "log_start_offset exists from v5");
    }

    /** The frame, header included, is exactly what kafka-clients writes for the same content, at every version it writes. */
    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    void frameIsByteForByteWhatKafkaClientsSerialize(final short version)
    {
        final ByteBuffer actual = frame(encode(version));
        final short headerVersion = ApiKeys.PRODUCE.responseHeaderVersion(version);
        final ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(CORRELATION_ID);
        final ProduceResponseData body = expected(version);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int size = header.size(cache, headerVersion) + body.size(cache, version);
        final ByteBuffer reference = ByteBuffer.allocate(4 + size).putInt(size);
        final ByteBufferAccessor out = new ByteBufferAccessor(reference);
        header.write(out, cache, headerVersion);
        body.write(out, cache, version);

        assertArrayEquals(reference.array(), toArray(actual));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    void bodyIsByteForByteWhatKafkaClientsSerialize(final short version)
    {
        final ByteBuffer actual = body(frame(encode(version)), version);
        final ByteBuffer reference = ProduceRequestDecoderTest.serialize(expected(version), version);

        assertArrayEquals(toArray(reference), toArray(actual));
    }

    /**
     * v0-2, which kafka-clients 4.4 can no longer write, checked field by field against
     * ProduceResponse.json: v0 has no throttle time, v1 adds it after the topics, v2 adds
     * log_append_time_ms to each partition.
     */
    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {0, 1, 2})
    void versionsZeroToTwoHaveTheirOwnFieldsAndNoOthers(final short version)
    {
        encoder.begin(buffer, OFFSET, CORRELATION_ID, version, 2);
        encoder.topic("orders".getBytes(StandardCharsets.UTF_8), 0, 0, 2)
            .partition(0, Errors.UNSUPPORTED_VERSION.code(), -1L, -1L, -1L)
            .partition(9, Errors.UNSUPPORTED_VERSION.code(), -1L, 1234L, 55L)
            .endTopic();
        encoder.topic(new byte[0], 0, 0, 0).endTopic();
        final ByteBuffer frame = frame(encoder.finish(250));

        final ByteBuffer expected = ByteBuffer.allocate(frame.remaining());
        expected.putInt(frame.remaining() - 4).putInt(CORRELATION_ID);
        expected.putInt(2);
        expected.putShort((short)6).put("orders".getBytes(StandardCharsets.UTF_8)).putInt(2);
        expected.putInt(0).putShort(Errors.UNSUPPORTED_VERSION.code()).putLong(-1L);
        if (version >= 2)
        {
            expected.putLong(-1L);
        }
        expected.putInt(9).putShort(Errors.UNSUPPORTED_VERSION.code()).putLong(-1L);
        if (version >= 2)
        {
            expected.putLong(1234L);
        }
        expected.putShort((short)0).putInt(0);
        if (version >= 1)
        {
            expected.putInt(250);
        }
        assertEquals(expected.capacity(), expected.position(), "the frame has no byte more than its fields");
        assertArrayEquals(expected.array(), toArray(frame));
        assertEquals(4 + 4 + 4 + 2 + 6 + 4 + 2 * (4 + 2 + 8 + (version >= 2 ? 8 : 0)) + 2 + 4 + (version >= 1 ? 4 : 0), frame.remaining());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    void declaredBoundsCoverTheEncodedFrame(final short version)
    {
        final int end = encode(version);
        final int nameBytes = "orders".length() + LONG_NAME.length() + "payments".length() + "nothing".length();
        final int bound = ProduceResponseEncoder.maxFrameBytes(4, nameBytes, 7);
        assertTrue(end - OFFSET <= bound, (end - OFFSET) + " > " + bound);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 8, 9, 13})
    void emptyResponseIsValid(final short version)
    {
        encoder.begin(buffer, OFFSET, 1, version, 0);
        final ByteBuffer frame = frame(encoder.finish(0));

        assertEquals(frame.remaining() - 4, frame.order(ByteOrder.BIG_ENDIAN).getInt(0));
        final ByteBufferAccessor accessor = new ByteBufferAccessor(body(frame, version));
        final ProduceResponseData parsed = new ProduceResponseData(accessor, version);
        assertEquals(0, accessor.remaining());
        assertTrue(parsed.responses().isEmpty());
    }

    static byte[] toArray(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
