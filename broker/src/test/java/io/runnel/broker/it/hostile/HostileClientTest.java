package io.runnel.broker.it.hostile;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed clients against one real broker: every bad frame, header or batch must
 * end in a Kafka error code or a closed connection, a rejected batch must leave no byte in the
 * log, and after each attack the broker must still serve other clients.
 *
 * <p>One broker serves the whole class (with a small socket.request.max.bytes and topic
 * auto-creation off); every test uses its own topics.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileClientTest
{
    private static final int MAX_REQUEST_BYTES = 65_536;
    private static final String HEALTH_TOPIC = BrokerProbe.HEALTH_TOPIC;
    private static final short PRODUCE_V = 11;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    @TempDir
    static Path dataDir;

    private static TestBroker broker;
    private static BrokerProbe probe;
    private static Admin admin;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of(
            "runnel.shards", "2",
            "socket.request.max.bytes", Integer.toString(MAX_REQUEST_BYTES),
            "auto.create.topics.enable", "false"));
        probe = new BrokerProbe(broker);
        admin = probe.admin();
    }

    @AfterAll
    static void stopBroker()
    {
        if (probe != null)
        {
            probe.close();
        }
        if (broker != null)
        {
            broker.close();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Framing
    // ---------------------------------------------------------------------------------------

    @Test
    void frameWithNegativeOrZeroLengthClosesConnection() throws Exception
    {
        for (final int size : new int[] {-1, Integer.MIN_VALUE, -65_536, 0})
        {
            try (RawKafkaClient client = raw())
            {
                client.sendRaw(ByteBuffer.allocate(12).putInt(size).putInt(0x00120003).putInt(1).array());
                assertTrue(client.isClosedByPeer(CLOSE_WAIT), "frame size " + size + " must close the connection");
            }
        }
        assertBrokerServesOthers();
    }

    @Test
    void frameLongerThanSocketRequestMaxBytesClosesConnection() throws Exception
    {
        for (final int size : new int[] {1024 * 1024, MAX_REQUEST_BYTES + 1, Integer.MAX_VALUE})
        {
            try (RawKafkaClient client = raw())
            {
                // A header that would be valid (ApiVersions v3) after the lying size, then a little body.
                final byte[] start = RawKafkaClient.requestPayload(ApiKeys.API_VERSIONS.id, (short)3, 1,
                    RawKafkaClient.apiVersionsRequest(), (short)3);
                client.sendRaw(ByteBuffer.allocate(4 + start.length).putInt(size).put(start).array());
                assertTrue(client.isClosedByPeer(CLOSE_WAIT), "frame size " + size + " > " + MAX_REQUEST_BYTES + " must close");
            }
        }
        assertBrokerServesOthers();
    }

    @Test
    void frameOfExactlySocketRequestMaxBytesIsAccepted() throws Exception
    {
        final String topic = createTopic("exact-max-frame", Map.of());
        byte[] payload = null;
        int valueBytes = MAX_REQUEST_BYTES - 200;
        for (int attempt = 0; attempt < 16; attempt++)
        {
            payload = RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, PRODUCE_V, 7,
                RawKafkaClient.produceRequest((short)1, topic, 0, Batches.wrap(Batches.v2OfValueSize(valueBytes))), PRODUCE_V);
            if (payload.length == MAX_REQUEST_BYTES)
            {
                break;
            }
            valueBytes += MAX_REQUEST_BYTES - payload.length;
        }
        assertEquals(MAX_REQUEST_BYTES, payload.length, "could not size the request");
        try (RawKafkaClient client = raw())
        {
            client.sendFrame(payload);
            final ProduceResponseData response = client.receive(ApiKeys.PRODUCE, PRODUCE_V, 7);
            final ProduceResponseData.PartitionProduceResponse partition = RawKafkaClient.onlyPartition(response);
            assertEquals(Errors.NONE.code(), partition.errorCode(), "a frame of exactly socket.request.max.bytes is legal");
            assertEquals(0, partition.baseOffset());
        }
        assertEquals(1, endOffset(new TopicPartition(topic, 0)));
        assertBrokerServesOthers();
    }

    @Test
    void frameAbandonedMidwayByDisconnectingClientDoesNotDisturbBroker() throws Exception
    {
        for (int i = 0; i < 10; i++)
        {
            try (RawKafkaClient client = raw())
            {
                // Claims a large frame, sends part of it, then goes away.
                final byte[] start = RawKafkaClient.requestPayload(ApiKeys.API_VERSIONS.id, (short)3, 1,
                    RawKafkaClient.apiVersionsRequest(), (short)3);
                client.sendRaw(ByteBuffer.allocate(4 + start.length).putInt(MAX_REQUEST_BYTES - i).put(start).array());
            }
        }
        assertBrokerServesOthers();
    }

    // ---------------------------------------------------------------------------------------
    // Request headers
    // ---------------------------------------------------------------------------------------

    @Test
    void unknownApiKeyClosesConnection() throws Exception
    {
        final Set<Short> keys = new LinkedHashSet<>(List.of((short)9999, (short)-1, Short.MAX_VALUE, Short.MIN_VALUE));
        // Also a key Kafka defines but this broker does not advertise, whichever that is today.
        final ApiVersionsResponseData advertised = advertisedVersions();
        Arrays.stream(ApiKeys.values())
            .filter(api -> advertised.apiKeys().find(api.id) == null)
            .findFirst()
            .ifPresent(api -> keys.add(api.id));
        for (final short key : keys)
        {
            try (RawKafkaClient client = raw())
            {
                client.sendFrame(RawKafkaClient.requestPayload(key, (short)0, 1, null, (short)0));
                assertTrue(client.isClosedByPeer(CLOSE_WAIT), "api key " + key + " must close the connection");
            }
        }
        assertBrokerServesOthers();
    }

    @Test
    void unsupportedProduceVersionClosesConnection() throws Exception
    {
        final ApiVersionsResponseData.ApiVersion produce = advertisedVersions().apiKeys().find(ApiKeys.PRODUCE.id);
        assertNotNull(produce, "Produce must be advertised");
        // v0-2 are advertised but answered UNSUPPORTED_VERSION (ProduceEveryVersionTest); below and above the range closes.
        final Set<Short> versions = new LinkedHashSet<>(List.of((short)99, (short)-1, Short.MAX_VALUE, Short.MIN_VALUE,
            (short)(produce.minVersion() - 1), (short)(produce.maxVersion() + 1)));
        final String topic = createTopic("unsupported-produce-version", Map.of());
        for (final short version : versions)
        {
            try (RawKafkaClient client = raw())
            {
                // A body that is valid at v11: only the header's version is wrong.
                client.sendFrame(RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, version, 1,
                    RawKafkaClient.produceRequest((short)1, topic, 0, Batches.wrap(Batches.v2("never"))), PRODUCE_V));
                assertTrue(client.isClosedByPeer(CLOSE_WAIT), "Produce v" + version + " must close the connection");
            }
        }
        assertEquals(0, endOffset(new TopicPartition(topic, 0)), "no produce of an unsupported version may append");
        assertBrokerServesOthers();
    }

    @Test
    void apiVersionsWithUnsupportedVersionAnswersV0WithErrorAndSupportedRanges() throws Exception
    {
        for (final short version : new short[] {99, Short.MAX_VALUE})
        {
            try (RawKafkaClient client = raw())
            {
                final int correlationId = 4242 + version;
                client.sendFrame(RawKafkaClient.requestPayload(ApiKeys.API_VERSIONS.id, version, correlationId,
                    RawKafkaClient.apiVersionsRequest(), (short)3));
                // KIP-511: the answer is an ApiVersions v0 response (header v0).
                final ApiVersionsResponseData response = client.receive(ApiKeys.API_VERSIONS, (short)0, correlationId);
                assertEquals(Errors.UNSUPPORTED_VERSION.code(), response.errorCode());
                assertFalse(response.apiKeys().isEmpty(), "the error response must list the supported ranges");
                final ApiVersionsResponseData.ApiVersion apiVersions = response.apiKeys().find(ApiKeys.API_VERSIONS.id);
                assertNotNull(apiVersions);
                assertTrue(apiVersions.maxVersion() >= 3 && apiVersions.maxVersion() < version);
                assertNotNull(response.apiKeys().find(ApiKeys.PRODUCE.id));

                // The client then retries on the same connection with a version from the list.
                final ApiVersionsResponseData retry = client.apiVersions(apiVersions.maxVersion());
                assertEquals(Errors.NONE.code(), retry.errorCode());
                assertFalse(retry.apiKeys().isEmpty());
            }
        }
        assertBrokerServesOthers();
    }

    @Test
    void truncatedRequestClosesConnection() throws Exception
    {
        final String topic = createTopic("truncated", Map.of());
        final Map<String, byte[]> cases = new java.util.LinkedHashMap<>();

        final short metadataVersion = 12;
        final MetadataRequestData metadata = new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("a-rather-long-topic-name-0123456789")))
            .setAllowAutoTopicCreation(false);
        final byte[] metadataFull = RawKafkaClient.requestPayload(ApiKeys.METADATA.id, metadataVersion, 1, metadata, metadataVersion);
        final int metadataHeader = RawKafkaClient.requestPayload(ApiKeys.METADATA.id, metadataVersion, 1, null, metadataVersion).length;
        cases.put("Metadata body cut in half", Arrays.copyOf(metadataFull, metadataHeader + (metadataFull.length - metadataHeader) / 2));
        cases.put("Metadata header without body", Arrays.copyOf(metadataFull, metadataHeader));
        cases.put("Metadata body missing its last byte", Arrays.copyOf(metadataFull, metadataFull.length - 3));

        final byte[] produceFull = RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, PRODUCE_V, 1,
            RawKafkaClient.produceRequest((short)1, topic, 0, Batches.wrap(Batches.v2("truncated-a", "truncated-b"))), PRODUCE_V);
        cases.put("Produce cut inside the record batch", Arrays.copyOf(produceFull, produceFull.length - 30));
        cases.put("Produce cut inside the topic name", Arrays.copyOf(produceFull,
            RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, PRODUCE_V, 1, null, PRODUCE_V).length + 10));
        cases.put("Produce header without body",
            RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, PRODUCE_V, 1, null, PRODUCE_V));

        cases.put("frame shorter than the fixed header prefix", new byte[] {0, 3, 0, 12, 0});
        cases.put("client id running past the frame",
            ByteBuffer.allocate(12).putShort(ApiKeys.METADATA.id).putShort(metadataVersion).putInt(1).putShort((short)500).putShort((short)0).array());

        for (final Map.Entry<String, byte[]> entry : cases.entrySet())
        {
            try (RawKafkaClient client = raw())
            {
                client.sendFrame(entry.getValue());
                assertTrue(client.isClosedByPeer(CLOSE_WAIT), entry.getKey() + " must close the connection");
            }
        }
        assertEquals(0, endOffset(new TopicPartition(topic, 0)), "a truncated produce must not append");
        assertBrokerServesOthers();
    }

    // ---------------------------------------------------------------------------------------
    // Record batches
    // ---------------------------------------------------------------------------------------

    @Test
    void batchWithBadCrcIsRejectedAndNotAppended() throws Exception
    {
        final byte[] good = Batches.v2("crc-1", "crc-2", "crc-3");
        final byte[] lastByteFlipped = Batches.copy(good);
        lastByteFlipped[lastByteFlipped.length - 1] ^= 0x01;
        final byte[] recordByteFlipped = Batches.copy(good);
        recordByteFlipped[Batches.HEADER_SIZE + 5] ^= (byte)0x80;
        final byte[] attributesFlipped = Batches.copy(good);
        attributesFlipped[Batches.ATTRIBUTES_OFFSET + 1] ^= 0x01; // covered by the CRC, though still a legal value
        final byte[] crcFlipped = Batches.copy(good);
        crcFlipped[Batches.CRC_OFFSET + 2] ^= 0x10;

        final String topic = seededTopic("bad-crc");
        assertRejectedWithoutTrace(topic, lastByteFlipped, Set.of(Errors.CORRUPT_MESSAGE));
        assertRejectedWithoutTrace(topic, recordByteFlipped, Set.of(Errors.CORRUPT_MESSAGE));
        assertRejectedWithoutTrace(topic, attributesFlipped, Set.of(Errors.CORRUPT_MESSAGE));
        assertRejectedWithoutTrace(topic, crcFlipped, Set.of(Errors.CORRUPT_MESSAGE));
        assertBrokerServesOthers();
    }

    @Test
    void legacyMagicBatchIsRejectedAndNotAppended() throws Exception
    {
        final byte[] v1 = Batches.magic(RecordBatch.MAGIC_VALUE_V1, "legacy-1", "legacy-2");
        assertEquals(RecordBatch.MAGIC_VALUE_V1, Batches.magicOf(v1));
        final byte[] v0 = Batches.magic(RecordBatch.MAGIC_VALUE_V0, "legacy-0");
        assertEquals(RecordBatch.MAGIC_VALUE_V0, Batches.magicOf(v0));
        // A v2 batch whose magic byte alone says 1 (the CRC does not cover the magic).
        final byte[] relabelled = Batches.v2("relabelled");
        relabelled[Batches.MAGIC_OFFSET] = RecordBatch.MAGIC_VALUE_V1;

        final String topic = seededTopic("legacy-magic");
        final Set<Errors> allowed = Set.of(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, Errors.INVALID_RECORD);
        assertRejectedWithoutTrace(topic, v1, allowed);
        assertRejectedWithoutTrace(topic, v0, allowed);
        assertRejectedWithoutTrace(topic, relabelled, allowed);
        // An undefined magic is corrupt by any reading.
        final byte[] magic3 = Batches.v2("magic-3");
        magic3[Batches.MAGIC_OFFSET] = 3;
        assertRejectedWithoutTrace(topic, magic3, Set.of(Errors.CORRUPT_MESSAGE, Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, Errors.INVALID_RECORD));
        assertBrokerServesOthers();
    }

    @Test
    void batchWhoseRecordCountLiesIsRejectedAndNotAppended() throws Exception
    {
        final Set<Errors> allowed = Set.of(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD);
        final String topic = seededTopic("lying-count");

        // One more record claimed than present; CRC recomputed so only the count is wrong.
        final byte[] onePlus = Batches.v2("count-1", "count-2");
        Batches.putInt(onePlus, Batches.RECORDS_COUNT_OFFSET, Batches.getInt(onePlus, Batches.RECORDS_COUNT_OFFSET) + 1);
        Batches.withRecomputedCrc(onePlus);
        assertTrue(Batches.crcMatches(onePlus));
        assertRejectedWithoutTrace(topic, onePlus, allowed);

        // The same lie told consistently: lastOffsetDelta raised too, so only walking the records can tell.
        final byte[] consistentLie = Batches.v2("count-3", "count-4");
        Batches.putInt(consistentLie, Batches.RECORDS_COUNT_OFFSET, 3);
        Batches.putInt(consistentLie, Batches.LAST_OFFSET_DELTA_OFFSET, 2);
        Batches.withRecomputedCrc(consistentLie);
        assertRejectedWithoutTrace(topic, consistentLie, allowed);

        // Fewer records claimed than present.
        final byte[] oneLess = Batches.v2("count-5", "count-6", "count-7");
        Batches.putInt(oneLess, Batches.RECORDS_COUNT_OFFSET, 2);
        Batches.putInt(oneLess, Batches.LAST_OFFSET_DELTA_OFFSET, 1);
        Batches.withRecomputedCrc(oneLess);
        assertRejectedWithoutTrace(topic, oneLess, allowed);

        // Zero and negative counts.
        for (final int count : new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE})
        {
            final byte[] batch = Batches.v2("count-x");
            Batches.putInt(batch, Batches.RECORDS_COUNT_OFFSET, count);
            Batches.withRecomputedCrc(batch);
            assertRejectedWithoutTrace(topic, batch, allowed);
        }
        assertBrokerServesOthers();
    }

    @Test
    void twoBatchesInOnePartitionAreRejectedAsInvalidRecord() throws Exception
    {
        final String topic = seededTopic("two-batches");
        final byte[] two = Batches.concat(Batches.v2("first-a", "first-b"), Batches.v2("second-a"));
        assertRejectedWithoutTrace(topic, two, Set.of(Errors.INVALID_RECORD));
        assertBrokerServesOthers();
    }

    @Test
    void batchLargerThanTopicMaxMessageBytesIsRejectedAsMessageTooLarge() throws Exception
    {
        final String topic = createTopic("small-max-message", Map.of("max.message.bytes", "1024"));
        final TopicPartition tp = new TopicPartition(topic, 0);
        produceOk(topic, "seed");

        assertRejectedWithoutTrace(topic, Batches.v2OfExactSize(4096), Set.of(Errors.MESSAGE_TOO_LARGE));
        assertRejectedWithoutTrace(topic, Batches.v2OfExactSize(1025), Set.of(Errors.MESSAGE_TOO_LARGE));

        // The limit itself is allowed (Kafka rejects only batches larger than max.message.bytes).
        final long before = endOffset(tp);
        try (RawKafkaClient client = raw())
        {
            final ProduceResponseData.PartitionProduceResponse response = client.produce(topic, 0, Batches.wrap(Batches.v2OfExactSize(1024)));
            assertEquals(Errors.NONE.code(), response.errorCode(), "a batch of exactly max.message.bytes is accepted");
            assertEquals(before, response.baseOffset());
        }
        assertEquals(before + 1, endOffset(tp));
        // The broker-wide default must not cap a topic without the override.
        final String roomy = createTopic("roomy-max-message", Map.of());
        try (RawKafkaClient client = raw())
        {
            assertEquals(Errors.NONE.code(), client.produce(roomy, 0, Batches.wrap(Batches.v2OfExactSize(4096))).errorCode());
        }
        assertBrokerServesOthers();
    }

    @Test
    void emptyRecordsAreRejectedAndNotAppended() throws Exception
    {
        final String topic = seededTopic("empty-records");
        assertRejectedWithoutTrace(topic, new byte[0], Set.of(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD));
        // Shorter than a batch header.
        assertRejectedWithoutTrace(topic, Arrays.copyOf(Batches.v2("short"), 40), Set.of(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD));
        assertBrokerServesOthers();
    }

    @Test
    void batchLengthThatDisagreesWithRecordsSizeIsRejected() throws Exception
    {
        final String topic = seededTopic("batch-length");
        final Set<Errors> allowed = Set.of(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD);
        for (final int delta : new int[] {-1, 1, -30, 1000, Integer.MIN_VALUE / 2})
        {
            final byte[] batch = Batches.v2("length-a", "length-b");
            Batches.putInt(batch, Batches.BATCH_LENGTH_OFFSET, Batches.getInt(batch, Batches.BATCH_LENGTH_OFFSET) + delta);
            assertRejectedWithoutTrace(topic, batch, allowed);
        }
        assertBrokerServesOthers();
    }

    @Test
    void batchHeaderBytesOutsideTheCrcAreEitherRejectedOrHarmless() throws Exception
    {
        // Bytes [0, 21) of a batch (base offset, batch length, leader epoch, magic, CRC) are not
        // covered by the CRC. Corrupt each in turn: the broker may reject, or accept and overwrite
        // what it owns (base offset, leader epoch), but the log must stay readable and gap-free.
        final String topic = createTopic("header-mutations", Map.of());
        final TopicPartition tp = new TopicPartition(topic, 0);
        final List<String> accepted = new ArrayList<>();
        RawKafkaClient client = raw();
        try
        {
            for (int position = 0; position < Batches.ATTRIBUTES_OFFSET; position++)
            {
                for (final int mask : new int[] {0x01, 0x80, 0xFF})
                {
                    final String value = "mutation-" + position + "-" + mask;
                    final byte[] batch = Batches.v2(value);
                    batch[position] ^= (byte)mask;
                    final ProduceResponseData.PartitionProduceResponse response = client.produce(topic, 0, Batches.wrap(batch));
                    final boolean crcOrFraming = position >= Batches.BATCH_LENGTH_OFFSET && position < Batches.BATCH_LENGTH_OFFSET + 4
                        || position >= Batches.MAGIC_OFFSET;
                    if (crcOrFraming)
                    {
                        assertNotEquals(Errors.NONE.code(), response.errorCode(), "corrupt byte " + position + " accepted");
                    }
                    if (response.errorCode() == Errors.NONE.code())
                    {
                        assertEquals(accepted.size(), response.baseOffset(), "the broker assigns offsets, whatever the batch said");
                        accepted.add(value);
                    }
                    else
                    {
                        assertEquals(-1, response.baseOffset());
                    }
                }
            }
        }
        finally
        {
            client.close();
        }
        assertEquals(accepted.size(), endOffset(tp));
        assertEquals(accepted, values(readPartition(tp, 0, accepted.size())));
        assertBrokerServesOthers();
    }

    @Test
    void controlBatchFromAClientIsRejectedAsInvalidRecord() throws Exception
    {
        final String topic = seededTopic("control-batch");
        final byte[] marker = Batches.toBytes(MemoryRecords.withEndTransactionMarker(4242L, (short)0,
            new EndTransactionMarker(ControlRecordType.COMMIT, 0)));
        assertRejectedWithoutTrace(topic, marker, Set.of(Errors.INVALID_RECORD));
        assertBrokerServesOthers();
    }

    @Test
    void transactionalBatchWithoutTransactionalIdIsRejected() throws Exception
    {
        // Kafka refuses transactional records in a produce request that names no transactional id
        // (TRANSACTIONAL_ID_AUTHORIZATION_FAILED): otherwise they open a transaction nobody can end.
        final String topic = seededTopic("stray-transactional");
        final byte[] transactional = Batches.toBytes(MemoryRecords.withTransactionalRecords(Compression.NONE, 4343L, (short)0, 0,
            new SimpleRecord("in-no-transaction".getBytes(StandardCharsets.UTF_8))));
        assertRejectedWithoutTrace(topic, transactional,
            Set.of(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, Errors.INVALID_RECORD, Errors.INVALID_TXN_STATE));
        assertBrokerServesOthers();
    }

    @Test
    void requestWithOneValidAndOneCorruptPartitionAppendsOnlyTheValidOne() throws Exception
    {
        final String topic = createTopic("mixed-partitions", Map.of(), 2);
        final byte[] corrupt = Batches.v2("mixed-corrupt");
        corrupt[corrupt.length - 1] ^= 0x01;
        final ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
            RawKafkaClient.partitionData(0, Batches.wrap(Batches.v2("mixed-valid"))),
            RawKafkaClient.partitionData(1, Batches.wrap(corrupt)))));
        try (RawKafkaClient client = raw())
        {
            final ProduceResponseData response = client.produce(PRODUCE_V,
                new ProduceRequestData().setAcks((short)1).setTimeoutMs(10_000).setTopicData(topics));
            final List<ProduceResponseData.PartitionProduceResponse> partitions = response.responses().iterator().next().partitionResponses();
            assertEquals(2, partitions.size());
            for (final ProduceResponseData.PartitionProduceResponse partition : partitions)
            {
                if (partition.index() == 0)
                {
                    assertEquals(Errors.NONE.code(), partition.errorCode());
                    assertEquals(0, partition.baseOffset());
                }
                else
                {
                    assertEquals(1, partition.index());
                    assertEquals(Errors.CORRUPT_MESSAGE.code(), partition.errorCode());
                }
            }
        }
        assertEquals(List.of("mixed-valid"), values(readPartition(new TopicPartition(topic, 0), 0, 1)));
        assertEquals(0, endOffset(new TopicPartition(topic, 1)));
        assertBrokerServesOthers();
    }

    @Test
    void acksZeroWithCorruptBatchClosesConnectionAndAppendsNothing() throws Exception
    {
        final String topic = createTopic("acks-zero", Map.of());
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (RawKafkaClient client = raw())
        {
            // A good acks=0 produce gets no response: the next request's response must be the next frame.
            client.send(ApiKeys.PRODUCE, PRODUCE_V, RawKafkaClient.produceRequest((short)0, topic, 0, Batches.wrap(Batches.v2("acks0-ok"))));
            final int correlationId = client.send(ApiKeys.API_VERSIONS, (short)3, RawKafkaClient.apiVersionsRequest());
            final ApiVersionsResponseData versions = client.receive(ApiKeys.API_VERSIONS, (short)3, correlationId);
            assertEquals(Errors.NONE.code(), versions.errorCode());

            final byte[] corrupt = Batches.v2("acks0-corrupt");
            corrupt[corrupt.length - 1] ^= 0x01;
            client.send(ApiKeys.PRODUCE, PRODUCE_V, RawKafkaClient.produceRequest((short)0, topic, 0, Batches.wrap(corrupt)));
            assertTrue(client.isClosedByPeer(CLOSE_WAIT), "acks=0 has no response for the error: the connection must close");
        }
        assertEquals(1, endOffset(tp));
        assertEquals(List.of("acks0-ok"), values(readPartition(tp, 0, 1)));
        assertBrokerServesOthers();
    }

    @Test
    void invalidAcksIsRejectedAndNotAppended() throws Exception
    {
        final String topic = seededTopic("invalid-acks");
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (RawKafkaClient client = raw())
        {
            for (final short acks : new short[] {2, -2, Short.MAX_VALUE})
            {
                final ProduceResponseData.PartitionProduceResponse response = RawKafkaClient.onlyPartition(
                    client.produce(PRODUCE_V, RawKafkaClient.produceRequest(acks, topic, 0, Batches.wrap(Batches.v2("bad-acks")))));
                assertEquals(Errors.INVALID_REQUIRED_ACKS.code(), response.errorCode(), "acks=" + acks);
            }
        }
        assertEquals(1, endOffset(tp));
        assertEquals(List.of("seed"), values(readPartition(tp, 0, 1)));
        assertBrokerServesOthers();
    }

    @Test
    void produceToUnknownTopicWithoutAutoCreateFailsWithUnknownTopicOrPartition() throws Exception
    {
        final String missing = "does-not-exist-" + BrokerProbe.nextSequence();
        try (RawKafkaClient client = raw())
        {
            final ProduceResponseData.PartitionProduceResponse response = client.produce(missing, 0, Batches.wrap(Batches.v2("lost")));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), response.errorCode());
            assertEquals(-1, response.baseOffset());
        }
        assertFalse(admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(missing), "auto.create.topics.enable=false");
        // An existing topic, a partition it does not have.
        final String topic = createTopic("one-partition", Map.of());
        try (RawKafkaClient client = raw())
        {
            for (final int partition : new int[] {1, 7, -1, Integer.MAX_VALUE})
            {
                assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), client.produce(topic, partition, Batches.wrap(Batches.v2("lost"))).errorCode(),
                    "partition " + partition);
            }
            // An illegal topic name is no topic either.
            assertNotEquals(Errors.NONE.code(), client.produce("../escape", 0, Batches.wrap(Batches.v2("lost"))).errorCode());
        }
        assertEquals(0, endOffset(new TopicPartition(topic, 0)));
        assertBrokerServesOthers();
    }

    // ---------------------------------------------------------------------------------------
    // Garbage, pipelining, slow clients, storms
    // ---------------------------------------------------------------------------------------

    @Test
    void randomGarbageClosesConnection() throws Exception
    {
        for (int seed = 1; seed <= 10; seed++)
        {
            final Random random = new Random(seed);
            // (a) 64 random bytes straight onto the socket: the first four are the "size".
            final byte[] raw = new byte[64];
            do
            {
                random.nextBytes(raw);
            }
            while (sizeWouldBeLegal(ByteBuffer.wrap(raw).getInt()));
            try (RawKafkaClient client = raw())
            {
                client.sendRaw(raw);
                assertTrue(client.isClosedByPeer(CLOSE_WAIT), "random bytes (seed " + seed + ") must close the connection");
            }
            // (b) 64 random bytes as a correctly sized frame: the header is garbage (no Kafka API key).
            final byte[] body = new byte[64];
            do
            {
                random.nextBytes(body);
            }
            while (ApiKeys.hasId(ByteBuffer.wrap(body).getShort()));
            try (RawKafkaClient client = raw())
            {
                client.sendFrame(body);
                assertTrue(client.isClosedByPeer(CLOSE_WAIT), "framed random bytes (seed " + seed + ") must close the connection");
            }
        }
        assertBrokerServesOthers();
    }

    @Test
    void randomAndMutatedBodiesForSupportedApisNeverCorruptTheLogOrStopTheBroker() throws Exception
    {
        // Valid headers for APIs that do not administer topics, with random or bit-flipped bodies.
        // Each must end in a response with the right correlation id, a closed connection, or (for a
        // Fetch that now waits long) silence; the target topic must hold only valid, gap-free data.
        final String topic = createTopic("fuzz", Map.of());
        final TopicPartition tp = new TopicPartition(topic, 0);
        final List<Object[]> templates = List.of(
            new Object[] {ApiKeys.PRODUCE, PRODUCE_V, RawKafkaClient.produceRequest((short)1, topic, 0, Batches.wrap(Batches.v2("fuzz-a", "fuzz-b")))},
            new Object[] {ApiKeys.METADATA, (short)12, new MetadataRequestData().setTopics(
                List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic))).setAllowAutoTopicCreation(false)},
            new Object[] {ApiKeys.LIST_OFFSETS, (short)7, new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(
                    new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))))},
            new Object[] {ApiKeys.FETCH, (short)12, new FetchRequestData().setReplicaId(-1).setMaxWaitMs(100).setMinBytes(1)
                .setMaxBytes(1 << 20).setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 16)))))},
            new Object[] {ApiKeys.DESCRIBE_CLUSTER, (short)0, new DescribeClusterRequestData()},
            new Object[] {ApiKeys.API_VERSIONS, (short)3, RawKafkaClient.apiVersionsRequest()});
        final Random random = new Random(20_251_123L);
        final int[] outcomes = new int[3]; // answered, closed, silent
        final long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        for (int i = 0; i < 180 && System.nanoTime() < deadline; i++)
        {
            final Object[] template = templates.get(i % templates.size());
            final ApiKeys api = (ApiKeys)template[0];
            final short version = (Short)template[1];
            final int correlationId = 1000 + i;
            final byte[] valid = RawKafkaClient.requestPayload(api.id, version, correlationId, (ApiMessage)template[2], version);
            final int headerLength = RawKafkaClient.requestPayload(api.id, version, correlationId, null, version).length;
            final byte[] payload;
            if (i % 3 == 0)
            {
                final byte[] body = new byte[1 + random.nextInt(96)];
                random.nextBytes(body);
                payload = Batches.concat(Arrays.copyOf(valid, headerLength), body);
            }
            else
            {
                payload = valid.clone();
                final int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++)
                {
                    final int position = headerLength + random.nextInt(payload.length - headerLength);
                    payload[position] ^= (byte)(1 << random.nextInt(8));
                }
            }
            try (RawKafkaClient client = raw())
            {
                client.sendFrame(payload);
                outcomes[awaitAnswerOrClose(client, correlationId, Duration.ofMillis(api == ApiKeys.FETCH ? 300 : 3000), api, i)]++;
            }
        }
        System.out.printf("fuzz outcomes: answered=%d closed=%d silent=%d%n", outcomes[0], outcomes[1], outcomes[2]);
        assertTrue(outcomes[0] > 0 && outcomes[1] > 0, "the fuzz should reach both outcomes");
        // Whatever was accepted is whole: consecutive offsets from 0, every batch passing the consumer's CRC check.
        final long end = endOffset(tp);
        final List<ConsumerRecord<byte[], byte[]>> records = readPartition(tp, 0, end);
        assertEquals(end, records.size());
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            final String value = new String(record.value(), StandardCharsets.UTF_8);
            assertTrue(value.equals("fuzz-a") || value.equals("fuzz-b"), "unexpected record " + value);
        }
        assertBrokerServesOthers();
    }

    @Test
    void pipelinedRequestsBeyondTheInFlightLimitAreAllAnsweredInOrder() throws Exception
    {
        final int requests = 300;
        try (RawKafkaClient client = raw())
        {
            final ByteBuffer all = ByteBuffer.allocate(requests * 128);
            for (int i = 0; i < requests; i++)
            {
                all.put(RawKafkaClient.frame(RawKafkaClient.requestPayload(ApiKeys.API_VERSIONS.id, (short)3, 10_000 + i,
                    RawKafkaClient.apiVersionsRequest(), (short)3)));
            }
            client.sendRaw(Arrays.copyOf(all.array(), all.position()));
            for (int i = 0; i < requests; i++)
            {
                final ApiVersionsResponseData response = client.receive(ApiKeys.API_VERSIONS, (short)3, 10_000 + i);
                assertEquals(Errors.NONE.code(), response.errorCode());
            }
        }
        assertBrokerServesOthers();
    }

    @Test
    void requestTrickledOneByteAtATimeIsAnswered() throws Exception
    {
        final String topic = createTopic("trickle", Map.of());
        try (RawKafkaClient client = raw())
        {
            client.trickle(RawKafkaClient.frame(RawKafkaClient.requestPayload(ApiKeys.API_VERSIONS.id, (short)3, 77,
                RawKafkaClient.apiVersionsRequest(), (short)3)));
            assertEquals(Errors.NONE.code(), client.<ApiVersionsResponseData>receive(ApiKeys.API_VERSIONS, (short)3, 77).errorCode());
            client.trickle(RawKafkaClient.frame(RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, PRODUCE_V, 78,
                RawKafkaClient.produceRequest((short)1, topic, 0, Batches.wrap(Batches.v2("slow-1", "slow-2"))), PRODUCE_V)));
            final ProduceResponseData response = client.receive(ApiKeys.PRODUCE, PRODUCE_V, 78);
            assertEquals(Errors.NONE.code(), RawKafkaClient.onlyPartition(response).errorCode());
        }
        assertEquals(List.of("slow-1", "slow-2"), values(readPartition(new TopicPartition(topic, 0), 0, 2)));
        assertBrokerServesOthers();
    }

    @Test
    void producerKeepsWorkingWhileManyConnectionsSendGarbage() throws Exception
    {
        final int attackers = 20;
        final int maxRoundsPerAttacker = 300;
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch underAttack = new CountDownLatch(attackers);
        final ConcurrentLinkedQueue<String> stillOpen = new ConcurrentLinkedQueue<>();
        final AtomicInteger attacks = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(attackers);
        final List<Future<?>> futures = new ArrayList<>();
        final long attackDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try
        {
            for (int a = 0; a < attackers; a++)
            {
                final int attacker = a;
                futures.add(pool.submit(() ->
                {
                    final Random random = new Random(attacker);
                    for (int round = 0; round < maxRoundsPerAttacker && System.nanoTime() < attackDeadline
                        && (round < 2 || !stop.get()); round++)
                    {
                        final int kind = (attacker + round) % 7;
                        try (RawKafkaClient client = raw())
                        {
                            final boolean expectClose = garbage(client, kind, random);
                            if (expectClose && !client.isClosedByPeer(CLOSE_WAIT))
                            {
                                stillOpen.add("attacker " + attacker + " kind " + kind);
                            }
                            attacks.incrementAndGet();
                        }
                        if (round == 0)
                        {
                            underAttack.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertTrue(underAttack.await(20, TimeUnit.SECONDS), "attackers did not start");

            final int messages = 200;
            final int attacksBefore = attacks.get();
            final List<RecordMetadata> sent = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = healthProducer())
            {
                for (int i = 0; i < messages; i++)
                {
                    sent.add(producer.send(new ProducerRecord<>(HEALTH_TOPIC, i % 2, null,
                        ("storm-" + i).getBytes(StandardCharsets.UTF_8))).get(15, TimeUnit.SECONDS));
                }
            }
            final int attacksDuring = attacks.get() - attacksBefore;
            stop.set(true);
            for (final Future<?> future : futures)
            {
                future.get(40, TimeUnit.SECONDS);
            }
            assertTrue(stillOpen.isEmpty(), "garbage connections left open: " + stillOpen);
            assertTrue(attacks.get() >= attackers * 2, "only " + attacks.get() + " attacks ran");
            System.out.printf("garbage storm: %d hostile connections, %d of them while %d records were produced%n",
                attacks.get(), attacksDuring, messages);
            assertTrue(attacksDuring > 0, "the storm did not overlap the producer");

            for (int partition = 0; partition < 2; partition++)
            {
                final TopicPartition tp = new TopicPartition(HEALTH_TOPIC, partition);
                final int p = partition;
                final List<RecordMetadata> mine = sent.stream().filter(m -> m.partition() == p).toList();
                final long from = mine.get(0).offset();
                final long to = mine.get(mine.size() - 1).offset() + 1;
                final List<String> read = values(readPartition(tp, from, to)).stream().filter(v -> v.startsWith("storm-")).toList();
                final List<String> expected = new ArrayList<>();
                for (int i = p; i < messages; i += 2)
                {
                    expected.add("storm-" + i);
                }
                assertEquals(expected, read);
            }
        }
        finally
        {
            stop.set(true);
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertBrokerServesOthers();
    }

    /** Sends one kind of garbage; returns whether the broker must close the connection for it. */
    private static boolean garbage(final RawKafkaClient client, final int kind, final Random random) throws IOException
    {
        switch (kind)
        {
            case 0 ->
            {
                client.sendRaw(ByteBuffer.allocate(8).putInt(-1 - random.nextInt(1000)).putInt(random.nextInt()).array());
                return true;
            }
            case 1 ->
            {
                client.sendRaw(ByteBuffer.allocate(8).putInt(MAX_REQUEST_BYTES + 1 + random.nextInt(1 << 20)).putInt(0).array());
                return true;
            }
            case 2 ->
            {
                client.sendFrame(RawKafkaClient.requestPayload((short)(1000 + random.nextInt(20_000)), (short)0, 1, null, (short)0));
                return true;
            }
            case 3 ->
            {
                final byte[] bytes = new byte[64];
                random.nextBytes(bytes);
                bytes[0] |= (byte)0x80; // a negative "size"
                client.sendRaw(bytes);
                return true;
            }
            case 4 ->
            {
                final byte[] metadata = RawKafkaClient.requestPayload(ApiKeys.METADATA.id, (short)12, 1, new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("storm-topic-name"))), (short)12);
                client.sendFrame(Arrays.copyOf(metadata, metadata.length - 8));
                return true;
            }
            case 5 ->
            {
                client.sendFrame(RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, (short)99, 1,
                    RawKafkaClient.produceRequest((short)1, HEALTH_TOPIC, 0, Batches.wrap(Batches.v2("storm-never"))), PRODUCE_V));
                return true;
            }
            default ->
            {
                // Half a frame, then the client vanishes.
                client.sendRaw(ByteBuffer.allocate(20).putInt(4096).putShort(ApiKeys.METADATA.id).putShort((short)12).putInt(1).array());
                return false;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------

    private static boolean sizeWouldBeLegal(final int size)
    {
        return size > 0 && size <= MAX_REQUEST_BYTES;
    }

    /** @return 0 answered (with the right correlation id), 1 closed, 2 silent until {@code wait}. */
    private static int awaitAnswerOrClose(final RawKafkaClient client, final int correlationId, final Duration wait,
        final ApiKeys api, final int caseNumber) throws IOException
    {
        final long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline)
        {
            try
            {
                final ByteBuffer frame = client.receiveFrameWithin(Duration.ofMillis(100));
                if (frame == null)
                {
                    return 1;
                }
                assertEquals(correlationId, frame.getInt(0), "case " + caseNumber + " (" + api + "): response to another request");
                return 0;
            }
            catch (final SocketTimeoutException ex)
            {
                // keep waiting until the deadline
            }
        }
        return 2;
    }

    private static RawKafkaClient raw() throws IOException
    {
        return probe.raw();
    }

    private static ApiVersionsResponseData advertisedVersions() throws IOException
    {
        return probe.advertisedVersions();
    }

    private static String createTopic(final String prefix, final Map<String, String> configs) throws Exception
    {
        return probe.createTopic(prefix, configs);
    }

    private static String createTopic(final String prefix, final Map<String, String> configs, final int partitions) throws Exception
    {
        return probe.createTopic(prefix, configs, partitions);
    }

    private static String seededTopic(final String prefix) throws Exception
    {
        return probe.seededTopic(prefix);
    }

    private static void produceOk(final String topic, final String value) throws IOException
    {
        probe.produceOk(topic, value);
    }

    private static void assertRejectedWithoutTrace(final String topic, final byte[] bad, final Set<Errors> allowed) throws Exception
    {
        probe.assertRejectedWithoutTrace(topic, bad, allowed);
    }

    private static long endOffset(final TopicPartition tp) throws Exception
    {
        return probe.endOffset(tp);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readPartition(final TopicPartition tp, final long from, final long to)
    {
        return probe.readPartition(tp, from, to);
    }

    private static List<String> values(final List<ConsumerRecord<byte[], byte[]>> records)
    {
        return BrokerProbe.values(records);
    }

    private static KafkaProducer<byte[], byte[]> healthProducer()
    {
        return probe.healthProducer();
    }

    private static void assertBrokerServesOthers() throws Exception
    {
        probe.assertBrokerServesOthers();
    }
}
