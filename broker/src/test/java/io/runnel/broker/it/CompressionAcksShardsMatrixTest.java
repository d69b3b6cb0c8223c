package io.runnel.broker.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Acceptance 2: the produce/consume round trip for every compression type and every acks level,
 * on brokers with 1 shard, 2 shards and the default (one per processor).
 */
class CompressionAcksShardsMatrixTest
{
    private static final String[] COMPRESSION = {"none", "gzip", "snappy", "lz4", "zstd"};
    private static final String[] ACKS = {"0", "1", "all"};
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3_000;

    @TempDir
    Path dataDir;

    static Stream<Arguments> shardSettings()
    {
        return Stream.of(Arguments.of("1"), Arguments.of("2"), Arguments.of("default"));
    }

    @ParameterizedTest(name = "runnel.shards={0}")
    @MethodSource("shardSettings")
    void everyCompressionAndAcksLevelRoundTrips(final String shards) throws Exception
    {
        final Map<String, String> overrides = shards.equals("default") ? Map.of() : Map.of("runnel.shards", shards);
        try (TestBroker broker = TestBroker.start(dataDir, overrides); Admin admin = broker.admin())
        {
            for (final String compression : COMPRESSION)
            {
                for (final String acks : ACKS)
                {
                    final String topic = "matrix-" + compression + "-acks-" + acks;
                    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short)1))).all().get();
                    produce(broker, topic, compression, acks);
                    assertRoundTrip(broker, topic, compression + "/acks=" + acks);
                }
            }
        }
    }

    private static void produce(final TestBroker broker, final String topic, final String compression, final String acks)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // Idempotence requires acks=all; the other levels run without it.
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"));
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(config))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, key(i), value(i)));
            }
            producer.flush();
        }
    }

    private static void assertRoundTrip(final TestBroker broker, final String topic, final String label)
    {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            partitions.add(new TopicPartition(topic, p));
        }
        final int[] nextIndex = new int[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++)
        {
            nextIndex[p] = p;
        }
        int received = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            consumer.assign(partitions);
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received < RECORDS && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    final int expected = nextIndex[record.partition()];
                    assertEquals(new String(key(expected), StandardCharsets.UTF_8), new String(record.key(), StandardCharsets.UTF_8), label);
                    assertEquals(new String(value(expected), StandardCharsets.UTF_8), new String(record.value(), StandardCharsets.UTF_8), label);
                    nextIndex[record.partition()] += PARTITIONS;
                    received++;
                }
            }
        }
        assertEquals(RECORDS, received, label + ": every record read back");
    }

    private static byte[] key(final int i)
    {
        return ("k" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Repetitive enough that every codec really compresses it. */
    private static byte[] value(final int i)
    {
        return ("value-" + i + "-" + "abcdefghij".repeat(1 + i % 20)).getBytes(StandardCharsets.UTF_8);
    }
}
