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
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProduceResponseEncoderTest
{
    private static final int OFFSET = 8;
    private static final int CORRELATION_ID = 0x5EED;
    private static final String LONG_NAME = "t".repeat(200); // needs a two-byte compact length
    private static final Uuid ORDERS_ID = new Uuid(0x0102030405060708L, 0x1112131415161718L);
    private static final Uuid LONG_ID = new Uuid(-1L, 1L);

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final ProduceResponseEncoder encoder = new ProduceResponseEncoder();

    private int encode(final short version)
    {
        encoder.begin(buffer, OFFSET, CORRELATION_ID, version, 2);
        encoder.topic("orders".getBytes(StandardCharsets.UTF_8), ORDERS_ID.getMostSignificantBits(), ORDERS_ID.getLeastSignificantBits(), 2)
            .partition(0, Errors.NONE.code(), 1000L, -1L, 0L)
            .partition(5, Errors.NOT_LEADER_OR_FOLLOWER.code(), -1L, -1L, -1L)
            .endTopic();
        encoder.topic(LONG_NAME.getBytes(StandardCharsets.UTF_8), LONG_ID.getMostSignificantBits(), LONG_ID.getLeastSignificantBits(), 1)
            .partition(2, Errors.NONE.code(), 1L << 40, 1_700_000_000_123L, 77L)
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

    /** Skips size prefix and response header v1 (correlation id + empty tagged fields). */
    private static ByteBuffer body(final ByteBuffer frame)
    {
        return frame.duplicate().position(4 + 4 + 1).slice();
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {9, 10, 11, 12, 13})
    void frameHasSizePrefixCorrelationIdAndFlexibleHeader(final short version)
    {
        final ByteBuffer frame = frame(encode(version));

        assertEquals(1, ApiKeys.PRODUCE.responseHeaderVersion(version));
        assertEquals(frame.remaining() - 4, frame.getInt(0));
        assertEquals(CORRELATION_ID, frame.getInt(4));
        assertEquals(0, frame.get(8));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {9, 10, 11, 12, 13})
    void kafkaClientsParseTheResponseBackField(final short version)
    {
        final ByteBufferAccessor accessor = new ByteBufferAccessor(body(frame(encode(version))));
        final ProduceResponseData parsed = new ProduceResponseData(accessor, version);

        assertEquals(0, accessor.remaining());
        assertEquals(250, parsed.throttleTimeMs());
        assertEquals(2, parsed.responses().size());
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
        assertEquals(0L, p0.logStartOffset());
        assertTrue(p0.recordErrors().isEmpty());
        assertNull(p0.errorMessage());
        final PartitionProduceResponse p5 = orders.partitionResponses().get(1);
        assertEquals(5, p5.index());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), p5.errorCode());
        final PartitionProduceResponse p2 = longName.partitionResponses().get(0);
        assertEquals(2, p2.index());
        assertEquals(1L << 40, p2.baseOffset());
        assertEquals(1_700_000_000_123L, p2.logAppendTimeMs());
        assertEquals(77L, p2.logStartOffset());
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {9, 10, 11, 12, 13})
    void bodyIsByteForByteWhatKafkaClientsSerialize(final short version)
    {
        final ByteBuffer actual = body(frame(encode(version)));
        final ByteBuffer reference = ProduceRequestDecoderTest.serialize(expected(version), version);

        assertArrayEquals(toArray(reference), toArray(actual));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {9, 13})
    void declaredBoundsCoverTheEncodedFrame(final short version)
    {
        final int end = encode(version);
        final int nameBytes = version >= 13 ? 16 : 2 + "orders".length() + 2 + LONG_NAME.length();
        final int bound = ProduceResponseEncoder.MAX_FIXED_BYTES + 3 * ProduceResponseEncoder.MAX_PARTITION_BYTES
            + 2 * (5 + 1) + nameBytes + 16;
        assertTrue(end - OFFSET <= bound, (end - OFFSET) + " > " + bound);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {9, 13})
    void emptyResponseIsValid(final short version)
    {
        encoder.begin(buffer, OFFSET, 1, version, 0);
        final ByteBuffer frame = frame(encoder.finish(0));

        assertEquals(frame.remaining() - 4, frame.order(ByteOrder.BIG_ENDIAN).getInt(0));
        final ByteBufferAccessor accessor = new ByteBufferAccessor(body(frame));
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
