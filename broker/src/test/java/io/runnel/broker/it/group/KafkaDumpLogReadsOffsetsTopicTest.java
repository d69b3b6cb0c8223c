package io.runnel.broker.it.group;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.tools.DumpLogSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runnel's {@code __consumer_offsets} is in Kafka's format: Kafka's own {@code kafka-dump-log
 * --offsets-decoder} (DumpLogSegments, run in this JVM) decodes the segment files of a broker
 * that served a classic group and a KIP-848 group to exactly the groups, members and offsets
 * that were committed.
 */
class KafkaDumpLogReadsOffsetsTopicTest
{
    private static final String TOPIC = "dumped";
    private static final String CLASSIC_GROUP = "classic-dumped";
    private static final String CONSUMER_GROUP = "kip848-dumped";
    private static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The last decoded key and value (null for a tombstone) of every record key, in log order. */
    private record Decoded(Map<String, JsonNode> latest)
    {
        List<JsonNode> ofType(final int type)
        {
            final List<JsonNode> values = new ArrayList<>();
            latest.forEach((key, value) ->
            {
                if (value != null && key.startsWith(type + "|"))
                {
                    values.add(value);
                }
            });
            return values;
        }

        JsonNode at(final int type, final String keyData)
        {
            return latest.get(type + "|" + keyData);
        }
    }

    @Test
    @Timeout(120)
    void kafkasDumpLogDecodesTheCommittedOffsetsAndTheGroupsWithTheirMembers() throws Exception
    {
        final Path data = dir.resolve("data");
        final String classicMember;
        final String consumerMember;
        final int consumerEpoch;
        try (TestBroker broker = TestBroker.start(data, Map.of("offsets.topic.num.partitions", "1",
            "group.initial.rebalance.delay.ms", "0", "group.consumer.heartbeat.interval.ms", "200")))
        {
            try (Admin admin = broker.admin(); KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                GroupTesting.createTopic(admin, TOPIC, PARTITIONS);
                GroupTesting.produce(producer, TOPIC, PARTITIONS, 20, "x");
            }
            try (KafkaConsumer<byte[], byte[]> classic = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, CLASSIC_GROUP,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic"));
                KafkaConsumer<byte[], byte[]> kip848 = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, CONSUMER_GROUP,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer")))
            {
                classic.subscribe(List.of(TOPIC));
                kip848.subscribe(List.of(TOPIC));
                awaitCondition(TIMEOUT, "both consumers own every partition", () ->
                {
                    classic.poll(Duration.ofMillis(50));
                    kip848.poll(Duration.ofMillis(50));
                    return classic.assignment().size() == PARTITIONS && kip848.assignment().size() == PARTITIONS;
                });
                classic.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(7, "seven"),
                    new TopicPartition(TOPIC, 1), new OffsetAndMetadata(11, "eleven")));
                kip848.commitSync(Map.of(new TopicPartition(TOPIC, 2), new OffsetAndMetadata(5, "five")));
                classicMember = classic.groupMetadata().memberId();
                consumerMember = kip848.groupMetadata().memberId();
                consumerEpoch = kip848.groupMetadata().generationId();
                // Stop the broker with both members still in their groups: that is the state to decode.
                broker.stop();
            }
        }

        final Decoded decoded = dumpOffsetsTopic(data);

        assertEquals(Map.of(
                CLASSIC_GROUP + " " + TOPIC + "-0", "7 seven", CLASSIC_GROUP + " " + TOPIC + "-1", "11 eleven",
                CONSUMER_GROUP + " " + TOPIC + "-2", "5 five"),
            offsets(decoded), "OffsetCommit records: every committed offset and its metadata, nothing else");

        final JsonNode classicGroup = decoded.at(2, "{\"group\":\"" + CLASSIC_GROUP + "\"}");
        assertEquals("consumer", classicGroup.get("protocolType").asText());
        assertEquals(classicMember, classicGroup.get("leader").asText());
        assertEquals(1, classicGroup.get("members").size());
        assertEquals(classicMember, classicGroup.get("members").get(0).get("memberId").asText());

        final List<JsonNode> subscriptions = decoded.ofType(5);
        assertEquals(1, subscriptions.size(), "one ConsumerGroupMemberMetadata record left: " + subscriptions);
        assertEquals(List.of(TOPIC), List.of(subscriptions.get(0).get("subscribedTopicNames").get(0).asText()));
        final JsonNode current = decoded.at(8, "{\"groupId\":\"" + CONSUMER_GROUP + "\",\"memberId\":\"" + consumerMember + "\"}");
        assertEquals(consumerEpoch, current.get("memberEpoch").asInt(), "the member's epoch, as the consumer knows it");
        int assigned = 0;
        for (final JsonNode topic : current.get("assignedPartitions"))
        {
            assigned += topic.get("partitions").size();
        }
        assertEquals(PARTITIONS, assigned);
        assertEquals(consumerEpoch, decoded.ofType(3).get(0).get("epoch").asInt(), "ConsumerGroupMetadata: the group epoch");
    }

    private static Map<String, String> offsets(final Decoded decoded)
    {
        final Map<String, String> offsets = new TreeMap<>();
        decoded.latest().forEach((key, value) ->
        {
            if (value != null && key.startsWith("1|"))
            {
                try
                {
                    final JsonNode k = JSON.readTree(key.substring(2));
                    offsets.put(k.get("group").asText() + " " + k.get("topic").asText() + "-" + k.get("partition").asInt(),
                        value.get("offset").asLong() + " " + value.get("metadata").asText());
                }
                catch (final Exception ex)
                {
                    throw new AssertionError(ex);
                }
            }
        });
        return offsets;
    }

    /** Runs DumpLogSegments on every segment of __consumer_offsets-0 and folds its output into the latest value per key. */
    private static Decoded dumpOffsetsTopic(final Path data) throws Exception
    {
        final List<String> files = new ArrayList<>();
        try (Stream<Path> segments = Files.list(data.resolve("__consumer_offsets-0")))
        {
            segments.filter(p -> p.toString().endsWith(".log")).sorted().forEach(p -> files.add(p.toString()));
        }
        assertTrue(!files.isEmpty(), "no segment files");
        final String output = runDumpLog(files);
        final Map<String, JsonNode> latest = new HashMap<>();
        int records = 0;
        for (final String line : output.split("\n"))
        {
            final int keyAt = line.indexOf(" key: ");
            final int payloadAt = line.indexOf(" payload: ");
            if (keyAt < 0 || payloadAt < 0)
            {
                continue;
            }
            records++;
            final JsonNode key = JSON.readTree(line.substring(keyAt + " key: ".length(), payloadAt));
            final String payload = line.substring(payloadAt + " payload: ".length()).trim();
            final String keyId = key.get("type").asText() + "|" + JSON.writeValueAsString(key.get("data"));
            latest.put(keyId, payload.equals("<DELETE>") || payload.equals("null") ? null : JSON.readTree(payload).get("data"));
        }
        assertTrue(records > 0, "DumpLogSegments decoded no record:\n" + output);
        return new Decoded(latest);
    }

    /** kafka-dump-log --offsets-decoder --files ..., in this JVM, its standard output captured. */
    private static String runDumpLog(final List<String> files) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("--offsets-decoder", "--files", String.join(",", files)));
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        Exit.setExitProcedure((status, message) ->
        {
            throw new AssertionError("kafka-dump-log exited with " + status + ": " + message + "\n" + captured);
        });
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8))
        {
            System.setOut(capture);
            DumpLogSegments.main(args.toArray(new String[0]));
        }
        finally
        {
            System.setOut(stdout);
            Exit.resetExitProcedure();
        }
        final String output = captured.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        return output;
    }
}
