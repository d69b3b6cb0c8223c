package io.runnel.broker.it.fetch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fetch sessions (KIP-227) and the fetch limits (KIP-74) as a client sees them on the wire:
 * hand-made Fetch requests through {@link RawKafkaClient}, each rule of Kafka's FetchManager
 * checked on its own.
 */
class FetchSessionsTest
{
    private static final short NAMES_VERSION = 12;
    private static final short IDS_VERSION = 17;
    private static final int PARTITIONS = 4;
    private static final int SHARDS = 2;
    private static final int SHORT_WAIT_MS = 10;
    private static final int MAX_BYTES = 1 << 20;

    @TempDir
    static Path dataDir;

    private static TestBroker broker;
    private static Admin admin;
    private static KafkaProducer<byte[], byte[]> producer;
    private static int topicSequence;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("runnel.shards", Integer.toString(SHARDS), "auto.create.topics.enable", "false"));
        admin = broker.admin();
        producer = broker.producer(Map.of("linger.ms", 0));
    }

    @AfterAll
    static void stopBroker()
    {
        if (producer != null)
        {
            producer.close();
        }
        if (admin != null)
        {
            admin.close();
        }
        if (broker != null)
        {
            broker.close();
        }
    }

    private static String createTopic() throws Exception
    {
        final String name = "sessions-" + topicSequence++;
        admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short)1))).all().get(15, TimeUnit.SECONDS);
        return name;
    }

    private static Uuid topicId(final String topic) throws Exception
    {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS).get(topic).topicId();
    }

    private static void produce(final String topic, final int partition, final int records) throws Exception
    {
        for (int i = 0; i < records; i++)
        {
            producer.send(new ProducerRecord<>(topic, partition, null, ("r" + i).getBytes())).get(15, TimeUnit.SECONDS);
        }
    }

    private static FetchRequestData request(final int sessionId, final int epoch)
    {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(SHORT_WAIT_MS).setMinBytes(0).setMaxBytes(MAX_BYTES)
            .setSessionId(sessionId).setSessionEpoch(epoch).setTopics(new ArrayList<>()).setForgottenTopicsData(new ArrayList<>());
    }

    private static FetchRequestData.FetchTopic topic(final String name, final Uuid id, final long[] offsets, final int... partitions)
    {
        final FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(name).setTopicId(id);
        for (final int partition : partitions)
        {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(partition)
                .setFetchOffset(offsets == null ? 0 : offsets[partition]).setPartitionMaxBytes(MAX_BYTES));
        }
        return topic;
    }

    private static FetchRequestData fullFetch(final String name, final int epoch)
    {
        final FetchRequestData request = request(0, epoch);
        request.topics().add(topic(name, Uuid.ZERO_UUID, null, 0, 1, 2, 3));
        return request;
    }

    private static FetchResponseData fetch(final RawKafkaClient client, final FetchRequestData request) throws Exception
    {
        return fetch(client, NAMES_VERSION, request);
    }

    private static FetchResponseData fetch(final RawKafkaClient client, final short version, final FetchRequestData request) throws Exception
    {
        return client.request(ApiKeys.FETCH, version, request);
    }

    /** The partitions a response lists, as "index:records". */
    private static List<String> listed(final FetchResponseData response)
    {
        final List<String> listed = new ArrayList<>();
        for (final FetchResponseData.FetchableTopicResponse topic : response.responses())
        {
            for (final FetchResponseData.PartitionData partition : topic.partitions())
            {
                listed.add(partition.partitionIndex() + ":" + recordCount(partition));
            }
        }
        return listed;
    }

    private static int recordCount(final FetchResponseData.PartitionData partition)
    {
        int count = 0;
        for (final RecordBatch batch : ((MemoryRecords)partition.records()).batches())
        {
            count += (int)(batch.lastOffset() - batch.baseOffset() + 1);
        }
        return count;
    }

    @Test
    void fullFetchAtEpochZeroOpensASessionAndIncrementalFetchesListOnlyWhatChanged() throws Exception
    {
        final String name = createTopic();
        produce(name, 1, 2);
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final FetchResponseData full = fetch(client, fullFetch(name, 0));
            assertEquals(Errors.NONE.code(), full.errorCode());
            assertNotEquals(0, full.sessionId(), "a session is opened");
            assertEquals(List.of("0:0", "1:2", "2:0", "3:0"), listed(full), "a full fetch lists every partition");

            // Nothing changed: the client names no partition and is told of none (partition 1's offset stays 0 in the session).
            final FetchResponseData unchangedOffsets = fetch(client, request(full.sessionId(), 1));
            assertEquals(full.sessionId(), unchangedOffsets.sessionId());
            assertEquals(List.of("1:2"), listed(unchangedOffsets), "partition 1 still has records at its session offset");

            // The client moves partition 1 to its end: nothing is new anywhere.
            final FetchRequestData moved = request(full.sessionId(), 2);
            moved.topics().add(topic(name, Uuid.ZERO_UUID, new long[] {0, 2, 0, 0}, 1));
            assertEquals(List.of(), listed(fetch(client, moved)));

            produce(name, 3, 1);
            final FetchResponseData afterProduce = fetch(client, request(full.sessionId(), 3));
            assertEquals(List.of("3:1"), listed(afterProduce), "only the partition with new data (and a new high watermark)");
            assertEquals(1, afterProduce.responses().get(0).partitions().get(0).highWatermark());
        }
    }

    @Test
    void incrementalFetchAddsAndForgetsPartitions() throws Exception
    {
        final String name = createTopic();
        produce(name, 2, 1);
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final FetchRequestData first = request(0, 0);
            first.topics().add(topic(name, Uuid.ZERO_UUID, null, 0, 1));
            final FetchResponseData full = fetch(client, first);
            assertEquals(List.of("0:0", "1:0"), listed(full));

            final FetchRequestData change = request(full.sessionId(), 1);
            change.topics().add(topic(name, Uuid.ZERO_UUID, null, 2));
            change.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopic(name).setPartitions(new ArrayList<>(List.of(0))));
            assertEquals(List.of("2:1"), listed(fetch(client, change)), "the added partition is read; it is new to the client");

            produce(name, 0, 1);
            produce(name, 1, 1);
            assertEquals(List.of("1:1", "2:1"), listed(fetch(client, request(full.sessionId(), 2))),
                "partition 0 was forgotten: its new record is not reported; partition 2, still at offset 0, is");

            final FetchRequestData forgetAll = request(full.sessionId(), 3);
            forgetAll.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopic(name)
                .setPartitions(new ArrayList<>(List.of(1, 2))));
            final FetchResponseData closed = fetch(client, forgetAll);
            assertEquals(0, closed.sessionId(), "a session left with no partitions is closed");
            assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), fetch(client, request(full.sessionId(), 4)).errorCode());
        }
    }

    @Test
    void wrongEpochIsInvalidAndTheSessionSurvivesIt() throws Exception
    {
        final String name = createTopic();
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final int sessionId = fetch(client, fullFetch(name, 0)).sessionId();
            for (final int epoch : new int[] {2, 7, Integer.MAX_VALUE, -2})
            {
                final FetchResponseData wrong = fetch(client, request(sessionId, epoch));
                assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH.code(), wrong.errorCode(), "epoch " + epoch);
                assertEquals(0, wrong.sessionId());
                assertTrue(wrong.responses().isEmpty());
            }
            final FetchResponseData right = fetch(client, request(sessionId, 1));
            assertEquals(Errors.NONE.code(), right.errorCode());
            assertEquals(sessionId, right.sessionId());
            assertEquals(Errors.INVALID_FETCH_SESSION_EPOCH.code(), fetch(client, request(sessionId, 1)).errorCode(),
                "an epoch is used once");
            assertEquals(Errors.NONE.code(), fetch(client, request(sessionId, 2)).errorCode());
        }
    }

    @Test
    void unknownSessionIdIsNotFound() throws Exception
    {
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            for (final int sessionId : new int[] {0, 1, 123_456_789, Integer.MAX_VALUE, -5})
            {
                final FetchResponseData response = fetch(client, request(sessionId, 1));
                assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), response.errorCode(), "session " + sessionId);
                assertEquals(0, response.sessionId());
            }
        }
    }

    @Test
    void finalEpochClosesTheSessionAndAnswersWithoutOne() throws Exception
    {
        final String name = createTopic();
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final int sessionId = fetch(client, fullFetch(name, 0)).sessionId();
            final FetchRequestData close = fullFetch(name, -1);
            close.setSessionId(sessionId);
            final FetchResponseData closed = fetch(client, close);
            assertEquals(0, closed.sessionId());
            assertEquals(PARTITIONS, listed(closed).size(), "a sessionless fetch is a full fetch");
            assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), fetch(client, request(sessionId, 1)).errorCode());
        }
    }

    @Test
    void fullFetchNamingASessionReplacesIt() throws Exception
    {
        final String name = createTopic();
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final int old = fetch(client, fullFetch(name, 0)).sessionId();
            final FetchRequestData again = fullFetch(name, 0);
            again.setSessionId(old);
            final int replacement = fetch(client, again).sessionId();
            assertNotEquals(0, replacement);
            assertNotEquals(old, replacement, "session ids do not repeat while the old one could still be named");
            assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), fetch(client, request(old, 1)).errorCode());
            assertEquals(Errors.NONE.code(), fetch(client, request(replacement, 1)).errorCode());
        }
    }

    @Test
    void sessionByTopicIdCannotBeContinuedByName() throws Exception
    {
        final String name = createTopic();
        final Uuid id = topicId(name);
        produce(name, 0, 3);
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final FetchRequestData first = request(0, 0);
            first.topics().add(topic("", id, null, 0, 1));
            final FetchResponseData full = fetch(client, IDS_VERSION, first);
            assertEquals(id, full.responses().get(0).topicId());
            assertEquals(List.of("0:3", "1:0"), listed(full));

            final FetchRequestData moved = request(full.sessionId(), 1);
            moved.topics().add(topic("", id, new long[] {3, 0, 0, 0}, 0));
            assertEquals(List.of(), listed(fetch(client, IDS_VERSION, moved)));

            assertEquals(Errors.FETCH_SESSION_TOPIC_ID_ERROR.code(), fetch(client, NAMES_VERSION, request(full.sessionId(), 2)).errorCode());
        }
    }

    /** Connections are dealt round-robin to the shards; a session lives on its connection's shard. */
    @Test
    void sessionOfAnotherShardIsNotFoundThere() throws Exception
    {
        final String name = createTopic();
        final int range = Integer.MAX_VALUE / SHARDS;
        try (RawKafkaClient first = RawKafkaClient.connect(broker.port()))
        {
            final int sessionId = fetch(first, fullFetch(name, 0)).sessionId();
            boolean triedOtherShard = false;
            for (int attempt = 0; attempt < 2 * SHARDS && !triedOtherShard; attempt++)
            {
                try (RawKafkaClient other = RawKafkaClient.connect(broker.port()))
                {
                    final int ownId = fetch(other, fullFetch(name, -1).setSessionEpoch(0)).sessionId();
                    if (ownId / range != sessionId / range)
                    {
                        triedOtherShard = true;
                        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), fetch(other, request(sessionId, 1)).errorCode());
                    }
                }
            }
            assertTrue(triedOtherShard, "some connection landed on the other shard");
            assertEquals(Errors.NONE.code(), fetch(first, request(sessionId, 1)).errorCode(), "the session is untouched");
        }
    }

    @Test
    void parkedIncrementalFetchIsAnsweredWithTheNewRecord() throws Exception
    {
        final String name = createTopic();
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final int sessionId = fetch(client, fullFetch(name, 0)).sessionId();
            final FetchRequestData parked = request(sessionId, 1).setMaxWaitMs(60_000).setMinBytes(1);
            final int correlationId = client.send(ApiKeys.FETCH, NAMES_VERSION, parked);
            produce(name, 2, 1);
            final FetchResponseData response = client.receive(ApiKeys.FETCH, NAMES_VERSION, correlationId);
            assertEquals(List.of("2:1"), listed(response));
        }
    }

    @ParameterizedTest(name = "partition_max_bytes {0}, max_bytes 0")
    @ValueSource(ints = {0, 1})
    void tinyLimitsStillReturnTheFirstBatchWhole(final int partitionMaxBytes) throws Exception
    {
        final String name = createTopic();
        produce(name, 0, 1);
        produce(name, 1, 1);
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final FetchRequestData request = request(0, -1).setMaxBytes(0);
            request.topics().add(topic(name, Uuid.ZERO_UUID, null, 0, 1));
            request.topics().get(0).partitions().forEach(p -> p.setPartitionMaxBytes(partitionMaxBytes));
            for (final short version : new short[] {4, 11, 12, 18})
            {
                if (version >= 13)
                {
                    request.topics().get(0).setTopicId(topicId(name));
                }
                final FetchResponseData response = fetch(client, version, request);
                final List<FetchResponseData.PartitionData> partitions = response.responses().get(0).partitions();
                assertEquals(1, recordCount(partitions.get(0)), "v" + version + ": the first batch, whole");
                assertTrue(((MemoryRecords)partitions.get(0).records()).batches().iterator().next().isValid());
                assertEquals(0, partitions.get(1).records().sizeInBytes(), "v" + version + ": nothing left for the second");
            }
        }
    }

    @Test
    void partitionMaxBytesSmallerThanTheFirstBatchStillReturnsIt() throws Exception
    {
        final String name = createTopic();
        produce(name, 0, 1);
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final FetchRequestData request = request(0, -1);
            request.topics().add(topic(name, Uuid.ZERO_UUID, null, 0));
            request.topics().get(0).partitions().get(0).setPartitionMaxBytes(5);
            assertEquals(1, recordCount(fetch(client, request).responses().get(0).partitions().get(0)));
        }
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {4, 5, 6, 7, 8, 9, 10, 11})
    void everyOlderVersionReadsRecordsAndItsFields(final short version) throws Exception
    {
        final String name = createTopic();
        produce(name, 0, 3);
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            for (final byte isolation : new byte[] {0, 1})
            {
                final FetchRequestData request = fullFetch(name, version >= 7 ? 0 : -1).setIsolationLevel(isolation);
                final FetchResponseData response = fetch(client, version, request);
                assertEquals(name, response.responses().get(0).topic());
                final FetchResponseData.PartitionData p0 = response.responses().get(0).partitions().get(0);
                assertEquals(3, recordCount(p0));
                assertEquals(3, p0.highWatermark());
                assertEquals(3, p0.lastStableOffset());
                assertEquals(version >= 5 ? 0 : -1, p0.logStartOffset());
                assertEquals(isolation == 1, p0.abortedTransactions() != null, "an empty list for read_committed, null otherwise");
                assertEquals(version >= 7, response.sessionId() != 0, "sessions exist from v7");
            }
        }
    }
}
