package io.runnel.broker.it.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.broker.testing.KafkaTool;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.tools.DeleteRecordsCommand;
import org.apache.kafka.tools.LogDirsCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka's own log tools against Runnel, run in this JVM as {@code bin/kafka-*.sh} would run them:
 * {@code kafka-delete-records --offset-json-file} trims two partitions (the earliest offsets follow;
 * a topic with cleanup.policy=compact refuses, as Kafka's does), and
 * {@code kafka-log-dirs --describe} reports the one log directory with each partition's size.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogToolsCliTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    void kafkaDeleteRecordsTrimsPartitionsAndKafkaLogDirsDescribesThem() throws Exception
    {
        try (TestBroker broker = TestBroker.start(root.resolve("data"), Map.of()); Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("trimmed", 2, (short)1).configs(Map.of("segment.bytes", "4096")),
                new NewTopic("kept", 1, (short)1).configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < 500; i++)
                {
                    producer.send(new ProducerRecord<>("trimmed", i % 2, null, ("value-" + i).getBytes(StandardCharsets.UTF_8)));
                    producer.send(new ProducerRecord<>("kept", 0, ("k" + i % 10).getBytes(StandardCharsets.UTF_8), new byte[10]));
                }
                producer.flush();
            }

            final Path offsets = root.resolve("offsets.json");
            Files.writeString(offsets, """
                {"version": 1, "partitions": [
                  {"topic": "trimmed", "partition": 0, "offset": 200},
                  {"topic": "trimmed", "partition": 1, "offset": -1},
                  {"topic": "kept", "partition": 0, "offset": 5}]}
                """);
            final KafkaTool.Run deleted = ok(KafkaTool.run("kafka-delete-records", DeleteRecordsCommand::main, "--bootstrap-server",
                broker.bootstrapServers(), "--offset-json-file", offsets.toString()));
            assertTrue(deleted.out().contains("partition: trimmed-0\tlow_watermark: 200"), deleted.out());
            assertTrue(deleted.out().contains("partition: trimmed-1\tlow_watermark: 250"), deleted.out());
            assertTrue(deleted.out().contains("partition: kept-0\terror: org.apache.kafka.common.errors.PolicyViolationException"),
                deleted.out());
            assertEquals(200, earliest(admin, new TopicPartition("trimmed", 0)));
            assertEquals(250, earliest(admin, new TopicPartition("trimmed", 1)));
            assertEquals(0, earliest(admin, new TopicPartition("kept", 0)));

            final KafkaTool.Run described = ok(KafkaTool.run("kafka-log-dirs", LogDirsCommand::main, "--bootstrap-server",
                broker.bootstrapServers(), "--describe", "--topic-list", "trimmed,kept"));
            final String json = described.out().lines().filter(line -> line.startsWith("{")).findFirst().orElseThrow(
                () -> new AssertionError("no JSON in kafka-log-dirs' output:\n" + described.out()));
            final JsonNode brokers = JSON.readTree(json).get("brokers");
            assertEquals(1, brokers.size());
            final JsonNode logDirs = brokers.get(0).get("logDirs");
            assertEquals(1, logDirs.size());
            assertEquals(root.resolve("data").toAbsolutePath().normalize().toString(), logDirs.get(0).get("logDir").asText());
            assertTrue(logDirs.get(0).get("error").isNull(), logDirs.toString());
            final JsonNode partitions = logDirs.get(0).get("partitions");
            assertEquals(3, partitions.size(), partitions.toString());
            for (final JsonNode partition : partitions)
            {
                assertTrue(partition.get("size").asLong() > 0, partition.toString());
                assertEquals(0, partition.get("offsetLag").asLong());
                assertTrue(!partition.get("isFuture").asBoolean());
            }
        }
    }

    private static KafkaTool.Run ok(final KafkaTool.Run run)
    {
        assertEquals(0, run.status(), "exit status; stderr:\n" + run.err());
        return run;
    }

    private static long earliest(final Admin admin, final TopicPartition partition) throws Exception
    {
        return admin.listOffsets(Map.of(partition, OffsetSpec.earliest())).partitionResult(partition).get(30, TimeUnit.SECONDS).offset();
    }
}
