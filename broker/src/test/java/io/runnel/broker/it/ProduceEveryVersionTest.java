package io.runnel.broker.it;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Produce at every version a client may use. v3-13 (what kafka-clients writes) append, answer in
 * their own response layout and read back through the Java consumer; v0-2 are advertised, as
 * Kafka 4 advertises them for librdkafka (KAFKA-18659), and answered UNSUPPORTED_VERSION for every
 * partition without appending (acks=0: the connection is closed instead).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProduceEveryVersionTest
{
    private static final String TOPIC = "every-version";
    private static final String OTHER = "every-version-other";
    private static final short FIRST_ACCEPTED = 3;
    private static final short LAST = 13;

    @TempDir
    static Path dataDir;

    private static TestBroker broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2", "auto.create.topics.enable", "false"));
        admin = broker.admin();
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short)1), new NewTopic(OTHER, 1, (short)1))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopBroker()
    {
        if (admin != null)
        {
            admin.close(Duration.ofSeconds(5));
        }
        if (broker != null)
        {
            broker.close();
        }
    }

    @Test
    void apiVersionsAdvertisesProduceFromZeroAsKafkaFourDoes() throws Exception
    {
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            for (final short version : new short[] {0, 3})
            {
                final ApiVersionsResponseData.ApiVersion produce = client.apiVersions(version).apiKeys().find(ApiKeys.PRODUCE.id);
                assertNotNull(produce);
                assertEquals(ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION, produce.minVersion(), "ApiVersions v" + version);
                assertEquals(LAST, produce.maxVersion());
            }
        }
    }

    @Test
    void everyVersionFromThreeAppendsAndTheJavaConsumerReadsItBack() throws Exception
    {
        final Uuid topicId = admin.describeTopics(List.of(TOPIC, OTHER)).topicNameValues().get(TOPIC).get(10, TimeUnit.SECONDS).topicId();
        final Uuid otherId = admin.describeTopics(List.of(OTHER)).topicNameValues().get(OTHER).get(10, TimeUnit.SECONDS).topicId();
        final TopicPartition p0 = new TopicPartition(TOPIC, 0);
        final TopicPartition p1 = new TopicPartition(TOPIC, 1);
        final TopicPartition other = new TopicPartition(OTHER, 0);
        final long start0 = endOffset(p0);
        final long start1 = endOffset(p1);
        final long startOther = endOffset(other);
        final List<String> expected0 = new ArrayList<>();
        final List<String> expected1 = new ArrayList<>();
        final List<String> expectedOther = new ArrayList<>();
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            for (short version = FIRST_ACCEPTED; version <= LAST; version++)
            {
                for (final short acks : new short[] {1, -1})
                {
                    final String tag = "v" + version + "-acks" + acks;
                    final ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
                    topics.add(topic(version, TOPIC, topicId,
                        RawKafkaClient.partitionData(0, batch(Compression.NONE, tag + "-a", tag + "-b")),
                        RawKafkaClient.partitionData(1, batch(Compression.lz4().build(), tag + "-c"))));
                    topics.add(topic(version, OTHER, otherId, RawKafkaClient.partitionData(0, batch(Compression.gzip().build(), tag + "-d"))));
                    final ProduceResponseData response = client.produce(version,
                        new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000).setTopicData(topics));

                    assertEquals(2, response.responses().size(), tag);
                    for (final ProduceResponseData.TopicProduceResponse topic : response.responses())
                    {
                        if (version >= 13)
                        {
                            assertTrue(topic.topicId().equals(topicId) || topic.topicId().equals(otherId), tag);
                        }
                        else
                        {
                            assertTrue(topic.name().equals(TOPIC) || topic.name().equals(OTHER), tag);
                        }
                        for (final ProduceResponseData.PartitionProduceResponse partition : topic.partitionResponses())
                        {
                            assertEquals(Errors.NONE.code(), partition.errorCode(), tag + " partition " + partition.index());
                            assertTrue(partition.baseOffset() >= 0, tag);
                            // The log start offset is a field from v5; before that kafka-clients reads its default.
                            assertEquals(version >= 5 ? 0 : -1, partition.logStartOffset(), tag);
                            assertTrue(partition.recordErrors().isEmpty(), tag);
                            assertNull(partition.errorMessage(), tag);
                        }
                    }
                    expected0.addAll(List.of(tag + "-a", tag + "-b"));
                    expected1.add(tag + "-c");
                    expectedOther.add(tag + "-d");
                }
            }
        }
        assertEquals(expected0, read(p0, start0, start0 + expected0.size()));
        assertEquals(expected1, read(p1, start1, start1 + expected1.size()));
        assertEquals(expectedOther, read(other, startOther, startOther + expectedOther.size()));
    }

    @Test
    void versionsZeroToTwoAreAnsweredUnsupportedVersionForEveryPartitionAndAppendNothing() throws Exception
    {
        final TopicPartition p0 = new TopicPartition(TOPIC, 0);
        final TopicPartition p1 = new TopicPartition(TOPIC, 1);
        final long before0 = endOffset(p0);
        final long before1 = endOffset(p1);
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            for (short version = 0; version < FIRST_ACCEPTED; version++)
            {
                final int correlationId = 500 + version;
                client.sendFrame(legacyProduce(version, correlationId, (short)1));
                final ByteBuffer frame = client.receiveFrame();

                // Response header v0, then the v0-2 body: [name, [index, error, base_offset, (v2) log_append_time]], (v1+) throttle.
                assertEquals(correlationId, frame.getInt());
                assertEquals(2, frame.getInt(), "topics");
                assertEquals(TOPIC, string(frame));
                assertEquals(2, frame.getInt(), "partitions");
                for (final int index : new int[] {0, 1})
                {
                    assertEquals(index, frame.getInt());
                    assertEquals(Errors.UNSUPPORTED_VERSION.code(), frame.getShort(), "v" + version + " partition " + index);
                    assertEquals(-1L, frame.getLong(), "no base offset");
                    if (version >= 2)
                    {
                        assertEquals(-1L, frame.getLong(), "no log append time");
                    }
                }
                assertEquals("no-such-topic", string(frame), "an unknown topic is answered under its own name");
                assertEquals(1, frame.getInt());
                assertEquals(7, frame.getInt());
                assertEquals(Errors.UNSUPPORTED_VERSION.code(), frame.getShort());
                assertEquals(-1L, frame.getLong());
                if (version >= 2)
                {
                    assertEquals(-1L, frame.getLong());
                }
                if (version >= 1)
                {
                    assertEquals(0, frame.getInt(), "throttle time");
                }
                assertEquals(0, frame.remaining(), "v" + version + ": nothing after the last field");
            }
            // The connection is still good for a request the broker takes.
            assertEquals(Errors.NONE.code(), client.apiVersions((short)3).errorCode());
        }
        assertEquals(before0, endOffset(p0), "a v0-2 produce must not append");
        assertEquals(before1, endOffset(p1));
    }

    @Test
    void versionsZeroToTwoWithAcksZeroCloseTheConnectionAndAppendNothing() throws Exception
    {
        final TopicPartition p0 = new TopicPartition(TOPIC, 0);
        final long before = endOffset(p0);
        for (short version = 0; version < FIRST_ACCEPTED; version++)
        {
            try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
            {
                client.sendFrame(legacyProduce(version, 9, (short)0));
                assertTrue(client.isClosedByPeer(), "v" + version + " acks=0 has no response to carry UNSUPPORTED_VERSION");
            }
        }
        assertEquals(before, endOffset(p0));
    }

    /**
     * A Produce v0-2 request as an old client writes it (kafka-clients 4.4 cannot): header v1, then
     * acks, timeout, and [name, [index, records]]; to {@value #TOPIC} partitions 0 and 1, and to a
     * topic that does not exist.
     */
    static byte[] legacyProduce(final short version, final int correlationId, final short acks) throws IOException
    {
        final byte[] records = toBytes(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("legacy".getBytes(StandardCharsets.UTF_8))));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(ApiKeys.PRODUCE.id);
        out.writeShort(version);
        out.writeInt(correlationId);
        writeString(out, RawKafkaClient.CLIENT_ID);
        out.writeShort(acks);
        out.writeInt(10_000);
        out.writeInt(2);
        writeString(out, TOPIC);
        out.writeInt(2);
        for (final int index : new int[] {0, 1})
        {
            out.writeInt(index);
            out.writeInt(records.length);
            out.write(records);
        }
        writeString(out, "no-such-topic");
        out.writeInt(1);
        out.writeInt(7);
        out.writeInt(records.length);
        out.write(records);
        return bytes.toByteArray();
    }

    private static void writeString(final DataOutputStream out, final String value) throws IOException
    {
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static String string(final ByteBuffer frame)
    {
        final byte[] utf8 = new byte[frame.getShort()];
        frame.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private static ProduceRequestData.TopicProduceData topic(final short version, final String name, final Uuid id,
        final ProduceRequestData.PartitionProduceData... partitions)
    {
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setPartitionData(List.of(partitions));
        return version >= 13 ? topic.setTopicId(id) : topic.setName(name);
    }

    private static ByteBuffer batch(final Compression compression, final String... values)
    {
        final SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++)
        {
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("key-" + i).getBytes(StandardCharsets.UTF_8),
                values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(compression, records).buffer();
    }

    private static byte[] toBytes(final MemoryRecords records)
    {
        final ByteBuffer buffer = records.buffer().duplicate();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static long endOffset(final TopicPartition tp) throws Exception
    {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
    }

    private static List<String> read(final TopicPartition tp, final long from, final long to)
    {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            consumer.assign(List.of(tp));
            consumer.seek(tp, from);
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(tp) < to && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)).records(tp))
                {
                    if (record.offset() < to)
                    {
                        assertEquals(from + values.size(), record.offset(), "gap in " + tp);
                        values.add(new String(record.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return values;
    }
}
