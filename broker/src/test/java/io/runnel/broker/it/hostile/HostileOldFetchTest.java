package io.runnel.broker.it.hostile;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fetch v4-11 (the non-flexible versions) from a hostile client: truncated bodies, lengths that
 * lie, session epochs that are wrong. Each is answered with an error or closes its connection,
 * and the broker goes on serving everyone else.
 */
class HostileOldFetchTest
{
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    /** Body offset of the topic array: replica_id, max_wait_ms, min_bytes, max_bytes, isolation_level. */
    private static final int TOPICS_OFFSET_BEFORE_V7 = 4 + 4 + 4 + 4 + 1;
    /** From v7 the session id and epoch come before the topics. */
    private static final int SESSION_FIELDS = 4 + 4;

    @TempDir
    static Path dataDir;

    private static TestBroker broker;
    private static BrokerProbe probe;
    private static String topic;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2", "auto.create.topics.enable", "false"));
        probe = new BrokerProbe(broker);
        topic = probe.createTopic("old-fetch", Map.of(), 2);
        probe.produceOk(topic, "one");
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

    private static FetchRequestData request(final int sessionId, final int epoch)
    {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(50).setMinBytes(1).setMaxBytes(1 << 20)
            .setSessionId(sessionId).setSessionEpoch(epoch)
            .setTopics(new ArrayList<>(List.of(new FetchRequestData.FetchTopic().setTopic(topic).setTopicId(Uuid.ZERO_UUID)
                .setPartitions(new ArrayList<>(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setPartitionMaxBytes(1 << 20),
                    new FetchRequestData.FetchPartition().setPartition(1).setPartitionMaxBytes(1 << 20)))))))
            .setForgottenTopicsData(new ArrayList<>());
    }

    private static int topicsOffset(final short version)
    {
        return TOPICS_OFFSET_BEFORE_V7 + (version >= 7 ? SESSION_FIELDS : 0);
    }

    /** Closed, or answered with the request's correlation id; never silence, never another request's answer. */
    private static void assertClosedOrAnswered(final RawKafkaClient client, final int correlationId, final String what) throws IOException
    {
        final long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        while (System.nanoTime() < deadline)
        {
            try
            {
                final ByteBuffer frame = client.receiveFrameWithin(Duration.ofMillis(100));
                if (frame != null)
                {
                    assertEquals(correlationId, frame.getInt(0), what + ": answer to another request");
                }
                return;
            }
            catch (final SocketTimeoutException ex)
            {
                // keep waiting until the deadline
            }
        }
        fail(what + ": neither answered nor closed within " + ANSWER_WAIT);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {4, 5, 6, 7, 8, 9, 10, 11})
    void truncatedAndLyingBodiesCloseOrAnswerAndTheBrokerServesOthers(final short version) throws Exception
    {
        final byte[] full = RawKafkaClient.requestPayload(ApiKeys.FETCH.id, version, 7, request(0, version >= 7 ? 0 : -1), version);
        final int header = RawKafkaClient.requestPayload(ApiKeys.FETCH.id, version, 7, null, version).length;
        final int topics = header + topicsOffset(version);
        final Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("header without body", Arrays.copyOf(full, header));
        cases.put("body cut in half", Arrays.copyOf(full, header + (full.length - header) / 2));
        cases.put("body cut inside the topic name", Arrays.copyOf(full, topics + 4 + 2 + 3));
        cases.put("body missing its last byte", Arrays.copyOf(full, full.length - 1));
        cases.put("topic count of two billion", with(full, topics, ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array()));
        cases.put("topic count of -2", with(full, topics, ByteBuffer.allocate(4).putInt(-2).array()));
        cases.put("topic name longer than the frame", with(full, topics + 4, ByteBuffer.allocate(2).putShort(Short.MAX_VALUE).array()));
        cases.put("topic name length -7", with(full, topics + 4, ByteBuffer.allocate(2).putShort((short)-7).array()));
        final int partitions = topics + 4 + 2 + topic.length();
        cases.put("partition count of two billion", with(full, partitions, ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array()));
        cases.put("partition count of -1", with(full, partitions, ByteBuffer.allocate(4).putInt(-1).array()));
        for (final Map.Entry<String, byte[]> entry : cases.entrySet())
        {
            try (RawKafkaClient client = probe.raw())
            {
                client.sendFrame(entry.getValue());
                assertClosedOrAnswered(client, 7, "v" + version + " " + entry.getKey());
            }
        }
        probe.assertBrokerServesOthers();
        assertFetchWorks(version);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(shorts = {7, 8, 9, 10, 11})
    void wrongSessionEpochsAreAnsweredWithTheirErrors(final short version) throws Exception
    {
        try (RawKafkaClient client = probe.raw())
        {
            final FetchResponseData opened = client.request(ApiKeys.FETCH, version, request(0, 0));
            assertNotEquals(0, opened.sessionId());
            final int[][] cases = {{0, 5}, {opened.sessionId() + 1, 1}, {opened.sessionId(), 9}, {opened.sessionId(), -7},
                {opened.sessionId(), Integer.MIN_VALUE}, {-1, 1}};
            final short[] expected = {Errors.FETCH_SESSION_ID_NOT_FOUND.code(), Errors.FETCH_SESSION_ID_NOT_FOUND.code(),
                Errors.INVALID_FETCH_SESSION_EPOCH.code(), Errors.INVALID_FETCH_SESSION_EPOCH.code(),
                Errors.INVALID_FETCH_SESSION_EPOCH.code(), Errors.FETCH_SESSION_ID_NOT_FOUND.code()};
            for (int i = 0; i < cases.length; i++)
            {
                final FetchResponseData response = client.request(ApiKeys.FETCH, version, request(cases[i][0], cases[i][1]));
                assertEquals(expected[i], response.errorCode(), "session " + cases[i][0] + " epoch " + cases[i][1]);
                assertTrue(response.responses().isEmpty());
            }
            final FetchResponseData next = client.request(ApiKeys.FETCH, version, request(opened.sessionId(), 1));
            assertEquals(Errors.NONE.code(), next.errorCode(), "the session outlives the bad requests");
        }
        probe.assertBrokerServesOthers();
    }

    private static void assertFetchWorks(final short version) throws Exception
    {
        try (RawKafkaClient client = probe.raw())
        {
            final FetchResponseData response = client.request(ApiKeys.FETCH, version, request(0, -1));
            assertEquals(Errors.NONE.code(), response.errorCode());
            long records = 0;
            for (final FetchResponseData.PartitionData partition : response.responses().get(0).partitions())
            {
                assertEquals(Errors.NONE.code(), partition.errorCode());
                records += partition.records().sizeInBytes();
            }
            assertTrue(records > 0, "the produced record reads back");
        }
    }

    private static byte[] with(final byte[] payload, final int at, final byte[] bytes)
    {
        final byte[] copy = payload.clone();
        System.arraycopy(bytes, 0, copy, at, bytes.length);
        return copy;
    }
}
