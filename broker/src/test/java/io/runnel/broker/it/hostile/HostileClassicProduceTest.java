package io.runnel.broker.it.hostile;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile Produce v3-8 requests (the classic encoding: int16 string, int32 array and records
 * lengths, no tagged fields): truncated bodies, lengths that lie, negative lengths, at each version.
 * Each must end in an error response or a closed connection, never silence and never a dead shard;
 * nothing may be appended; and the same broker then serves produce at every one of those versions
 * on both shards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileClassicProduceTest
{
    private static final short FIRST = 3;
    private static final short LAST = 8;
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    private static final String CLOSED = "closed";
    private static final String SILENT = "silent for " + ANSWER_WAIT.toSeconds() + " s";

    @TempDir
    static Path dataDir;

    private static TestBroker broker;
    private static BrokerProbe probe;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2", "auto.create.topics.enable", "false"));
        probe = new BrokerProbe(broker);
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

    /** A classic body, field by field, each length given as a parameter so that it can lie. */
    private static ByteBuffer body(final short acks, final Consumer<ByteBuffer> topics)
    {
        final ByteBuffer body = ByteBuffer.allocate(4096);
        body.putShort((short)-1).putShort(acks).putInt(10_000);
        topics.accept(body);
        return body.flip();
    }

    private static Consumer<ByteBuffer> oneTopic(final String topic, final int nameLength, final int partitions, final int recordsLength,
        final byte[] records)
    {
        return b ->
        {
            b.putInt(1).putShort((short)nameLength).put(topic.getBytes(StandardCharsets.UTF_8)).putInt(partitions);
            b.putInt(0).putInt(recordsLength).put(records);
        };
    }

    private static byte[] payload(final short version, final int correlationId, final ByteBuffer body)
    {
        final byte[] header = RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, version, correlationId, null, version);
        final byte[] bytes = new byte[body.remaining()];
        body.duplicate().get(bytes);
        return Batches.concat(header, bytes);
    }

    /** Requests that must close the connection (the body cannot be read as Produce at this version). */
    private static Map<String, byte[]> malformed(final short version, final String topic)
    {
        final byte[] batch = Batches.v2("hostile-classic");
        final int name = topic.length();
        final Map<String, byte[]> cases = new LinkedHashMap<>();
        final byte[] valid = payload(version, 1, body((short)1, oneTopic(topic, name, 1, batch.length, batch)));
        final int header = RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, version, 1, null, version).length;
        cases.put("header without body", Arrays.copyOf(valid, header));
        // Cut inside each field of the body: transactional id, acks, timeout, topic count, name, partition count, index, records length, records.
        for (final int cut : new int[] {1, 3, 7, 10, 13, 15 + name / 2, 16 + name + 2, 20 + name + 2, 24 + name + 2, 28 + name + 10})
        {
            cases.put("body cut after " + cut + " bytes", Arrays.copyOf(valid, header + cut));
        }
        cases.put("last byte missing", Arrays.copyOf(valid, valid.length - 1));
        cases.put("transactional id longer than the frame", payload(version, 1, body((short)1, b -> b.putInt(0)).putShort(0, (short)900)));
        cases.put("transactional id of -2 bytes", payload(version, 1, body((short)1, b -> b.putInt(0)).putShort(0, (short)-2)));
        cases.put("topic count of a million", payload(version, 1, body((short)1, b -> b.putInt(1_000_000).putShort((short)1).put((byte)'t'))));
        cases.put("topic count Integer.MAX_VALUE", payload(version, 1, body((short)1, b -> b.putInt(Integer.MAX_VALUE))));
        cases.put("topic count -1 (null, not nullable)", payload(version, 1, body((short)1, b -> b.putInt(-1))));
        cases.put("topic count -5", payload(version, 1, body((short)1, b -> b.putInt(-5))));
        cases.put("topic name longer than the frame", payload(version, 1, body((short)1, oneTopic(topic, 3000, 1, batch.length, batch))));
        cases.put("topic name of -1 bytes (null)", payload(version, 1, body((short)1, b -> b.putInt(1).putShort((short)-1).putInt(0))));
        cases.put("topic name of -300 bytes", payload(version, 1, body((short)1, b -> b.putInt(1).putShort((short)-300).putInt(0))));
        cases.put("partition count past the frame", payload(version, 1, body((short)1, oneTopic(topic, name, 50_000, batch.length, batch))));
        cases.put("partition count -2", payload(version, 1, body((short)1, oneTopic(topic, name, -2, batch.length, batch))));
        cases.put("records length past the frame", payload(version, 1, body((short)1, oneTopic(topic, name, 1, batch.length + 1, batch))));
        cases.put("records length of a gigabyte", payload(version, 1, body((short)1, oneTopic(topic, name, 1, 1 << 30, batch))));
        cases.put("records length -2", payload(version, 1, body((short)1, oneTopic(topic, name, 1, -2, batch))));
        cases.put("records length Integer.MIN_VALUE", payload(version, 1, body((short)1, oneTopic(topic, name, 1, Integer.MIN_VALUE, batch))));
        cases.put("acks=0 with a records length past the frame", payload(version, 1, body((short)0, oneTopic(topic, name, 1, batch.length + 9, batch))));
        return cases;
    }

    @Test
    void truncatedAndLyingClassicRequestsCloseTheConnectionAndAppendNothing() throws Exception
    {
        final String topic = probe.createTopic("classic-hostile", Map.of());
        final List<String> problems = new ArrayList<>();
        int cases = 0;
        for (short version = FIRST; version <= LAST; version++)
        {
            for (final Map.Entry<String, byte[]> entry : malformed(version, topic).entrySet())
            {
                cases++;
                try (RawKafkaClient client = probe.raw())
                {
                    client.sendFrame(entry.getValue());
                    final String outcome = answerOrClose(client);
                    if (!outcome.equals(CLOSED))
                    {
                        problems.add("v" + version + " " + entry.getKey() + ": " + outcome);
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), "of " + cases + " cases: " + problems);
        assertEquals(0, probe.endOffset(new TopicPartition(topic, 0)), "a malformed request must not append");
        probe.assertBrokerServesOthers();
    }

    @Test
    void wellFramedRequestsWithBadContentAreAnsweredWithPartitionErrors() throws Exception
    {
        // Readable requests whose content is wrong: null records, an empty topic list, a corrupt batch,
        // a batch that is not framed as it says, bad acks. Each is answered, on a connection that stays usable.
        final String topic = probe.seededTopic("classic-answered");
        final TopicPartition tp = new TopicPartition(topic, 0);
        final byte[] corrupt = Batches.v2("corrupt");
        corrupt[corrupt.length - 1] ^= 0x01;
        final byte[] illFramed = Batches.withRecords(org.apache.kafka.common.compress.Compression.NONE, 3,
            Batches.concat(Batches.varint(7), new byte[] {0, 0, 0, 1, 2, 'v', 0}));
        final byte[] good = Batches.v2("good");
        final int name = topic.length();
        for (short version = FIRST; version <= LAST; version++)
        {
            final Map<String, Object[]> cases = new LinkedHashMap<>();
            cases.put("null records", new Object[] {body((short)1, oneTopic(topic, name, 1, -1, new byte[0])), Errors.INVALID_RECORD});
            cases.put("corrupt batch", new Object[] {body((short)1, oneTopic(topic, name, 1, corrupt.length, corrupt)), Errors.CORRUPT_MESSAGE});
            cases.put("ill-framed records", new Object[] {body((short)1, oneTopic(topic, name, 1, illFramed.length, illFramed)), Errors.INVALID_RECORD});
            cases.put("acks=2", new Object[] {body((short)2, oneTopic(topic, name, 1, good.length, good)), Errors.INVALID_REQUIRED_ACKS});
            try (RawKafkaClient client = probe.raw())
            {
                for (final Map.Entry<String, Object[]> entry : cases.entrySet())
                {
                    final int correlationId = client.nextCorrelationId();
                    client.sendFrame(payload(version, correlationId, (ByteBuffer)entry.getValue()[0]));
                    final ProduceResponseData response = client.receive(ApiKeys.PRODUCE, version, correlationId);
                    assertEquals(((Errors)entry.getValue()[1]).code(), RawKafkaClient.onlyPartition(response).errorCode(),
                        "v" + version + " " + entry.getKey());
                }
                final int correlationId = client.nextCorrelationId();
                client.sendFrame(payload(version, correlationId, body((short)1, b -> b.putInt(0))));
                assertTrue(client.<ProduceResponseData>receive(ApiKeys.PRODUCE, version, correlationId).responses().isEmpty(),
                    "v" + version + ": no topics, an empty answer");
            }
        }
        assertEquals(1, probe.endOffset(tp), "only the seed record");
        probe.assertBrokerServesOthers();
    }

    @Test
    void afterTheAttacksEveryClassicVersionStillProducesOnBothShards() throws Exception
    {
        final String topic = probe.createTopic("classic-after", Map.of(), 2);
        for (short version = FIRST; version <= LAST; version++)
        {
            try (RawKafkaClient client = probe.raw())
            {
                for (int partition = 0; partition < 2; partition++)
                {
                    final ProduceResponseData response = client.produce(version,
                        RawKafkaClient.produceRequest((short)1, topic, partition, Batches.wrap(Batches.v2("v" + version + "-p" + partition))));
                    final ProduceResponseData.PartitionProduceResponse answer = RawKafkaClient.onlyPartition(response);
                    assertEquals(Errors.NONE.code(), answer.errorCode(), "v" + version + " partition " + partition);
                    assertEquals(version - FIRST, answer.baseOffset());
                }
            }
        }
        for (int partition = 0; partition < 2; partition++)
        {
            final List<String> expected = new ArrayList<>();
            for (short version = FIRST; version <= LAST; version++)
            {
                expected.add("v" + version + "-p" + partition);
            }
            assertEquals(expected, BrokerProbe.values(probe.readPartition(new TopicPartition(topic, partition), 0, LAST - FIRST + 1)));
        }
    }

    @Test
    void randomlyMutatedClassicRequestsAreAnsweredOrCloseAndStoreOnlyWholeBatches() throws Exception
    {
        // Bit flips and random bytes anywhere in a valid v3-8 body (header, lengths, names, the batch):
        // each request is answered with its own correlation id or its connection is closed, and
        // whatever reached the log reads back whole through the Java consumer.
        final String topic = probe.createTopic("classic-fuzz", Map.of());
        final TopicPartition tp = new TopicPartition(topic, 0);
        final java.util.Random random = new java.util.Random(20_261_202L);
        final int[] outcomes = new int[2]; // answered, closed
        final List<String> problems = new ArrayList<>();
        for (short version = FIRST; version <= LAST; version++)
        {
            final int header = RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, version, 1, null, version).length;
            for (int round = 0; round < 25; round++)
            {
                final int correlationId = 7000 + round;
                final byte[] valid = RawKafkaClient.requestPayload(ApiKeys.PRODUCE.id, version, correlationId,
                    RawKafkaClient.produceRequest((short)1, topic, 0, Batches.wrap(Batches.v2("fuzz-a", "fuzz-b"))), version);
                final byte[] payload = valid.clone();
                final int flips = 1 + random.nextInt(3);
                for (int f = 0; f < flips; f++)
                {
                    final int at = header + random.nextInt(payload.length - header);
                    payload[at] = random.nextBoolean() ? (byte)(payload[at] ^ (1 << random.nextInt(8))) : (byte)random.nextInt(256);
                }
                try (RawKafkaClient client = probe.raw())
                {
                    client.sendFrame(payload);
                    final String outcome = answerOrClose(client);
                    // The body starts with the transactional id (int16 -1: null) and acks.
                    final ByteBuffer sent = ByteBuffer.wrap(payload);
                    final boolean acksZero = sent.getShort(header) == -1 && sent.getShort(header + 2) == 0;
                    if (outcome.equals(CLOSED))
                    {
                        outcomes[1]++;
                    }
                    else if (outcome.equals(answered(correlationId)))
                    {
                        outcomes[0]++;
                    }
                    else if (!(acksZero && outcome.equals(SILENT)))
                    {
                        // Silence is right only for a readable acks=0 request, which has no response.
                        problems.add("v" + version + " round " + round + ": " + outcome);
                    }
                }
            }
        }
        System.out.printf("classic fuzz outcomes: answered=%d closed=%d%n", outcomes[0], outcomes[1]);
        assertTrue(problems.isEmpty(), problems.toString());
        final long end = probe.endOffset(tp);
        for (final String value : BrokerProbe.values(probe.readPartition(tp, 0, end)))
        {
            assertTrue(value.equals("fuzz-a") || value.equals("fuzz-b"), "unexpected record " + value);
        }
        probe.assertBrokerServesOthers();
    }

    private static String answered(final int correlationId)
    {
        return "answered (correlation id " + correlationId + ")";
    }

    /** {@link #CLOSED}, or what came instead: an answer (with its correlation id) or {@link #SILENT}. */
    private static String answerOrClose(final RawKafkaClient client) throws IOException
    {
        try
        {
            final ByteBuffer frame = client.receiveFrameWithin(ANSWER_WAIT);
            return frame == null ? CLOSED : answered(frame.getInt(0));
        }
        catch (final SocketTimeoutException ex)
        {
            return SILENT;
        }
    }
}
