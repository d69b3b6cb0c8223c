package io.runnel.codecs.protocol;

import static io.runnel.codecs.TestBatches.offHeap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.runnel.codecs.TestBatches;
import io.runnel.codecs.batch.BatchValidator;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProduceRequestDecoderTest
{
    private static final int FRAME_OFFSET = 16;
    private static final Uuid ORDERS_ID = new Uuid(0x1122334455667788L, 0x99AABBCCDDEEFF00L);
    private static final Uuid PAYMENTS_ID = new Uuid(-5L, 42L);
    private static final Uuid EMPTY_ID = Uuid.randomUuid();

    private final ProduceRequestDecoder decoder = new ProduceRequestDecoder();
    private final MemoryRecords orders0 = TestBatches.idempotent(Compression.NONE, 7L, (short)1, 0, 3);
    private final MemoryRecords orders3 = TestBatches.plain(Compression.gzip().build(), 5);
    private final MemoryRecords payments1 = TestBatches.plain(Compression.zstd().build(), 2);

    static ByteBuffer serialize(final Message message, final short version)
    {
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final ByteBuffer out = ByteBuffer.allocate(message.size(cache, version));
        message.write(new ByteBufferAccessor(out), cache, version);
        return out.flip();
    }

    private static TopicProduceData topic(final short version, final String name, final Uuid id, final PartitionProduceData... partitions)
    {
        final TopicProduceData topic = new TopicProduceData().setPartitionData(new ArrayList<>(List.of(partitions)));
        return version >= 13 ? topic.setTopicId(id) : topic.setName(name);
    }

    private static PartitionProduceData partition(final int index, final MemoryRecords records)
    {
        return new PartitionProduceData().setIndex(index).setRecords(records);
    }

    private ProduceRequestData request(final short version, final String transactionalId)
    {
        final TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(topic(version, "orders", ORDERS_ID, partition(0, orders0), partition(3, orders3)));
        topics.add(topic(version, "payments", PAYMENTS_ID, partition(1, payments1)));
        topics.add(topic(version, "empty", EMPTY_ID, partition(2, null)));
        return new ProduceRequestData().setTransactionalId(transactionalId).setAcks((short)-1).setTimeoutMs(30_000)
            .setTopicData(topics);
    }

    private static byte[] recordBytes(final UnsafeBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /** Decodes a body placed at FRAME_OFFSET of a buffer that ends exactly where the body ends. */
    private UnsafeBuffer decode(final ByteBuffer body, final short version)
    {
        final UnsafeBuffer buffer = offHeap(body, FRAME_OFFSET, 0);
        decoder.decode(buffer, FRAME_OFFSET, FRAME_OFFSET + body.remaining(), version);
        return buffer;
    }

    /** Every version kafka-clients can write (3-13), with a transactional id and without. */
    static Stream<Arguments> versionsAndTransactionalIds()
    {
        return IntStream.rangeClosed(3, 13).boxed()
            .flatMap(v -> Stream.of(Arguments.of(v.shortValue(), "txn-1"), Arguments.of(v.shortValue(), null)));
    }

    @ParameterizedTest(name = "v{0}, transactional id {1}")
    @MethodSource("versionsAndTransactionalIds")
    void decodesEveryFieldOfARequestSerializedByKafkaClients(final short version, final String transactionalId)
    {
        final UnsafeBuffer buffer = decode(serialize(request(version, transactionalId), version), version);

        assertEquals(version, decoder.version());
        assertTrue(decoder.isAcceptedVersion());
        assertEquals(version >= 13, decoder.usesTopicIds());
        assertEquals(transactionalId != null, decoder.hasTransactionalId());
        assertEquals(transactionalId, decoder.transactionalId());
        assertEquals(-1, decoder.acks());
        assertEquals(30_000, decoder.timeoutMs());
        assertEquals(3, decoder.topicCount());
        assertEquals(4, decoder.totalPartitions());

        if (version >= 13)
        {
            assertNull(decoder.topicName(0));
            assertEquals(ORDERS_ID.getMostSignificantBits(), decoder.topicIdMostSignificantBits(0));
            assertEquals(ORDERS_ID.getLeastSignificantBits(), decoder.topicIdLeastSignificantBits(0));
            assertEquals(PAYMENTS_ID.getMostSignificantBits(), decoder.topicIdMostSignificantBits(1));
            assertEquals(PAYMENTS_ID.getLeastSignificantBits(), decoder.topicIdLeastSignificantBits(1));
            assertEquals(EMPTY_ID, new Uuid(decoder.topicIdMostSignificantBits(2), decoder.topicIdLeastSignificantBits(2)));
        }
        else
        {
            assertEquals("orders", decoder.topicName(0));
            assertEquals("payments", decoder.topicName(1));
            assertEquals("empty", decoder.topicName(2));
        }

        assertEquals(0, decoder.firstPartition(0));
        assertEquals(2, decoder.partitionCount(0));
        assertEquals(2, decoder.firstPartition(1));
        assertEquals(1, decoder.partitionCount(1));
        assertEquals(3, decoder.firstPartition(2));
        assertEquals(1, decoder.partitionCount(2));

        assertEquals(0, decoder.partitionIndex(0));
        assertEquals(3, decoder.partitionIndex(1));
        assertEquals(1, decoder.partitionIndex(2));
        assertEquals(2, decoder.partitionIndex(3));

        assertArrayEquals(TestBatches.bytes(orders0), recordBytes(buffer, decoder.recordsOffset(0), decoder.recordsLength(0)));
        assertArrayEquals(TestBatches.bytes(orders3), recordBytes(buffer, decoder.recordsOffset(1), decoder.recordsLength(1)));
        assertArrayEquals(TestBatches.bytes(payments1), recordBytes(buffer, decoder.recordsOffset(2), decoder.recordsLength(2)));
        assertEquals(-1, decoder.recordsLength(3));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 8, 9, 13})
    void recordBytesAreLeftInPlaceAndValidateAsBatches(final short version)
    {
        final UnsafeBuffer buffer = decode(serialize(request(version, null), version), version);
        final BatchValidator validator = new BatchValidator(true);

        assertNull(decoder.transactionalId());
        for (int p = 0; p < 3; p++)
        {
            assertEquals(BatchValidator.Result.OK,
                validator.validate(buffer, decoder.recordsOffset(p), decoder.recordsLength(p), 1 << 20), "partition " + p);
        }
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 7, 9, 13})
    void manyTopicsAndPartitionsGrowTheIndexes(final short version)
    {
        final TopicProduceDataCollection topics = new TopicProduceDataCollection();
        final MemoryRecords records = TestBatches.plain(Compression.NONE, 1);
        for (int t = 0; t < 9; t++)
        {
            final PartitionProduceData[] partitions = new PartitionProduceData[7];
            for (int p = 0; p < partitions.length; p++)
            {
                partitions[p] = partition(100 * t + p, records);
            }
            topics.add(topic(version, "topic-" + t, new Uuid(t + 1, t + 1), partitions));
        }
        final ProduceRequestData request = new ProduceRequestData().setAcks((short)1).setTimeoutMs(5).setTopicData(topics);

        decode(serialize(request, version), version);

        assertEquals(9, decoder.topicCount());
        assertEquals(63, decoder.totalPartitions());
        for (int t = 0; t < 9; t++)
        {
            if (version < 13)
            {
                assertEquals("topic-" + t, decoder.topicName(t));
            }
            else
            {
                assertEquals(t + 1, decoder.topicIdMostSignificantBits(t));
            }
            assertEquals(7 * t, decoder.firstPartition(t));
            for (int p = 0; p < 7; p++)
            {
                assertEquals(100 * t + p, decoder.partitionIndex(decoder.firstPartition(t) + p));
                assertEquals(records.sizeInBytes(), decoder.recordsLength(decoder.firstPartition(t) + p));
            }
        }
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {9, 12, 13})
    void unknownTaggedFieldsAreSkippedAtEveryLevel(final short version)
    {
        final ProduceRequestData request = request(version, "t");
        request.unknownTaggedFields().add(new RawTaggedField(7, new byte[] {1, 2, 3}));
        final TopicProduceData first = request.topicData().iterator().next();
        first.unknownTaggedFields().add(new RawTaggedField(3, new byte[200]));
        first.partitionData().get(0).unknownTaggedFields().add(new RawTaggedField(1, new byte[] {9}));
        first.partitionData().get(0).unknownTaggedFields().add(new RawTaggedField(2, new byte[0]));

        final UnsafeBuffer buffer = decode(serialize(request, version), version);

        assertEquals(3, decoder.topicCount());
        assertEquals(4, decoder.totalPartitions());
        assertEquals(3, decoder.partitionIndex(1));
        assertArrayEquals(TestBatches.bytes(orders3), recordBytes(buffer, decoder.recordsOffset(1), decoder.recordsLength(1)));
        assertArrayEquals(TestBatches.bytes(payments1), recordBytes(buffer, decoder.recordsOffset(2), decoder.recordsLength(2)));
    }

    @Test
    void decoderIsReusableAcrossVersions()
    {
        decode(serialize(request((short)13, "a"), (short)13), (short)13);
        UnsafeBuffer buffer = decode(serialize(request((short)9, null), (short)9), (short)9);

        assertFalse(decoder.usesTopicIds());
        assertEquals("orders", decoder.topicName(0));
        assertNull(decoder.transactionalId());
        assertArrayEquals(TestBatches.bytes(orders0), recordBytes(buffer, decoder.recordsOffset(0), decoder.recordsLength(0)));

        buffer = decode(serialize(request((short)5, "b"), (short)5), (short)5);
        assertEquals("b", decoder.transactionalId());
        assertEquals("payments", decoder.topicName(1));
        assertArrayEquals(TestBatches.bytes(payments1), recordBytes(buffer, decoder.recordsOffset(2), decoder.recordsLength(2)));
        decode(serialize(request((short)12, null), (short)12), (short)12);
        assertEquals("empty", decoder.topicName(2));
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    void everyTruncationOfARequestIsMalformed(final short version)
    {
        final ByteBuffer body = serialize(request(version, "txn"), version);
        for (int length = 0; length < body.remaining(); length++)
        {
            final ByteBuffer prefix = body.duplicate().limit(length);
            assertThrows(MalformedRequestException.class, () -> decode(prefix, version), "prefix of " + length + " bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(shorts = {14, -1, Short.MAX_VALUE, Short.MIN_VALUE})
    void versionsOutsideZeroToThirteenAreRefused(final short version)
    {
        final ByteBuffer body = serialize(request((short)9, null), (short)9);
        assertThrows(MalformedRequestException.class, () -> decode(body, version));
    }

    /**
     * Produce v0-2 as an old client writes it (kafka-clients 4.4 cannot): v3's layout without the
     * transactional id. Decoded only so that each partition can be answered UNSUPPORTED_VERSION.
     */
    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {0, 1, 2})
    void versionsZeroToTwoAreReadAsVersionThreeWithoutTransactionalId(final short version)
    {
        final ByteBuffer v3 = serialize(request((short)3, null), (short)3);
        final ByteBuffer old = v3.duplicate().position(2).slice(); // v3 starts with a null transactional id: int16 -1

        final UnsafeBuffer buffer = decode(old, version);

        assertFalse(decoder.isAcceptedVersion());
        assertFalse(decoder.hasTransactionalId());
        assertEquals(-1, decoder.acks());
        assertEquals(30_000, decoder.timeoutMs());
        assertEquals(3, decoder.topicCount());
        assertEquals(List.of("orders", "payments", "empty"), List.of(decoder.topicName(0), decoder.topicName(1), decoder.topicName(2)));
        assertEquals(4, decoder.totalPartitions());
        assertEquals(3, decoder.partitionIndex(1));
        assertArrayEquals(TestBatches.bytes(orders3), recordBytes(buffer, decoder.recordsOffset(1), decoder.recordsLength(1)));
        assertEquals(-1, decoder.recordsLength(3));

        for (int length = 0; length < old.remaining(); length++)
        {
            final ByteBuffer prefix = old.duplicate().limit(length);
            assertThrows(MalformedRequestException.class, () -> decode(prefix, version), "prefix of " + length + " bytes");
        }
    }

    /** A classic (v3-8) body, field by field: transactional id, acks, timeout, then what {@code topics} writes. */
    private static ByteBuffer classicBody(final java.util.function.Consumer<ByteBuffer> topics)
    {
        final ByteBuffer body = ByteBuffer.allocate(256);
        body.putShort((short)-1).putShort((short)1).putInt(1000);
        topics.accept(body);
        return body.flip();
    }

    static Stream<Arguments> classicLies()
    {
        final byte[] batch = TestBatches.bytes(TestBatches.plain(Compression.NONE, 1));
        return Stream.of(
            Arguments.of("transactional id of -2 bytes", (java.util.function.Consumer<ByteBuffer>)b -> b.putShort(0, (short)-2)),
            Arguments.of("transactional id longer than the frame", (java.util.function.Consumer<ByteBuffer>)b -> b.putShort(0, (short)300)),
            Arguments.of("null topic array", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(-1)),
            Arguments.of("negative topic count", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(-7)),
            Arguments.of("a million topics", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1_000_000).putShort((short)1).put((byte)'t')),
            Arguments.of("null topic name", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)-1).putInt(0)),
            Arguments.of("topic name of -3 bytes", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)-3).putInt(0)),
            Arguments.of("topic name past the frame", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)200).put((byte)'t')),
            Arguments.of("negative partition count", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)1).put((byte)'t').putInt(-2)),
            Arguments.of("partition count past the frame", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)1).put((byte)'t').putInt(Integer.MAX_VALUE)),
            Arguments.of("records of -2 bytes", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)1).put((byte)'t').putInt(1).putInt(0).putInt(-2)),
            Arguments.of("records of Integer.MIN_VALUE bytes", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)1).put((byte)'t').putInt(1).putInt(0).putInt(Integer.MIN_VALUE)),
            Arguments.of("records past the frame", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(1).putShort((short)1).put((byte)'t').putInt(1).putInt(0).putInt(batch.length + 1).put(batch)),
            Arguments.of("second topic truncated after its name length", (java.util.function.Consumer<ByteBuffer>)b -> b.putInt(2).putShort((short)1).put((byte)'t').putInt(1).putInt(0).putInt(batch.length).put(batch).putShort((short)1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("classicLies")
    void lyingLengthsOfTheClassicEncodingAreMalformed(final String name, final java.util.function.Consumer<ByteBuffer> topics)
    {
        final ByteBuffer body = classicBody(topics);
        for (short version = 3; version <= 8; version++)
        {
            final short v = version;
            assertThrows(MalformedRequestException.class, () -> decode(body, v), name + " at v" + v);
        }
    }

    @Test
    void nullRecordsAndEmptyArraysOfTheClassicEncodingDecode()
    {
        final ByteBuffer body = classicBody(b -> b.putInt(2).putShort((short)1).put((byte)'a').putInt(1).putInt(4).putInt(-1)
            .putShort((short)1).put((byte)'b').putInt(0));
        decode(body, (short)7);

        assertEquals(2, decoder.topicCount());
        assertEquals(1, decoder.partitionCount(0));
        assertEquals(4, decoder.partitionIndex(0));
        assertEquals(-1, decoder.recordsLength(0));
        assertEquals("b", decoder.topicName(1));
        assertEquals(0, decoder.partitionCount(1));
    }

    @Test
    void arrayLengthLargerThanTheFrameIsMalformed()
    {
        final ByteBuffer body = ByteBuffer.allocate(32);
        new ByteBufferAccessor(body).writeUnsignedVarint(0);          // transactional id: null
        body.putShort((short)1).putInt(1000);
        new ByteBufferAccessor(body).writeUnsignedVarint(1_000_000);  // a million topics in 20 bytes
        body.put(new byte[8]).flip();

        assertThrows(MalformedRequestException.class, () -> decode(body, (short)9));
    }

    @Test
    void recordsLengthRunningPastTheFrameIsMalformed()
    {
        final ByteBuffer body = ByteBuffer.allocate(64);
        final ByteBufferAccessor out = new ByteBufferAccessor(body);
        out.writeUnsignedVarint(0);            // transactional id: null
        body.putShort((short)1).putInt(1000);
        out.writeUnsignedVarint(2);            // one topic
        out.writeUnsignedVarint(2);            // name "t"
        body.put((byte)'t');
        out.writeUnsignedVarint(2);            // one partition
        body.putInt(0);
        out.writeUnsignedVarint(1_000_001);    // records: a megabyte, in a frame of a few bytes
        body.put(new byte[20]).flip();

        assertThrows(MalformedRequestException.class, () -> decode(body, (short)9));
    }

    @Test
    void topicNameRunningPastTheFrameIsMalformed()
    {
        final ByteBuffer body = ByteBuffer.allocate(64);
        final ByteBufferAccessor out = new ByteBufferAccessor(body);
        out.writeUnsignedVarint(0);
        body.putShort((short)1).putInt(1000);
        out.writeUnsignedVarint(2);            // one topic
        out.writeUnsignedVarint(200);          // name of 199 bytes
        body.put("short".getBytes()).flip();

        assertThrows(MalformedRequestException.class, () -> decode(body, (short)10));
    }

    @Test
    void requestHeaderVersionOfProduceNineToThirteenIsFlexibleAndOfZeroToEightClassic()
    {
        for (short v = ProduceRequestDecoder.MIN_VERSION; v <= ProduceRequestDecoder.MAX_VERSION; v++)
        {
            assertEquals(v >= ProduceRequestDecoder.FIRST_FLEXIBLE_VERSION ? 2 : 1, ApiKeys.PRODUCE.requestHeaderVersion(v), "v" + v);
        }
    }
}
