package io.runnel.broker.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Acceptance 1: a default kafka-clients producer (idempotence on) sends a million keyed records
 * with headers; a consumer using assign() reads every one back byte-identical, in send order per
 * partition, each on the partition Kafka's default partitioner picks for its key.
 */
class MillionRecordRoundTripTest
{
    private static final String TOPIC = "million";
    private static final int PARTITIONS = 6;
    private static final int RECORDS = 1_000_000;
    private static final int DISTINCT_KEYS = 10_000;

    @TempDir
    Path dataDir;

    @Test
    void millionKeyedRecordsWithHeadersComeBackIdenticalAndInOrderPerPartition() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)1))).all().get();
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, null, key(i), value(i), headers(i)));
                }
                producer.flush();
            }

            final Map<Integer, Integer> lastIndexPerPartition = new HashMap<>();
            final boolean[] seen = new boolean[RECORDS];
            int received = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("max.poll.records", 5000)))
            {
                final List<TopicPartition> partitions = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++)
                {
                    partitions.add(new TopicPartition(TOPIC, p));
                }
                consumer.assign(partitions);
                final long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (received < RECORDS && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500)))
                    {
                        final int index = ByteBuffer.wrap(record.value()).getInt();
                        assertTrue(index >= 0 && index < RECORDS, "value carries a valid index");
                        assertTrue(!seen[index], "record " + index + " delivered once");
                        seen[index] = true;
                        assertArrayEquals(key(index), record.key());
                        assertArrayEquals(value(index), record.value());
                        assertHeaders(index, record.headers().toArray());
                        assertEquals(BuiltInPartitioner.partitionForKey(key(index), PARTITIONS), record.partition(),
                            "default partitioner's partition for key of record " + index);
                        final Integer previous = lastIndexPerPartition.put(record.partition(), index);
                        assertTrue(previous == null || previous < index, "send order kept within partition " + record.partition());
                        received++;
                    }
                }
                assertEquals(RECORDS, received);
                long total = 0;
                for (final long end : consumer.endOffsets(partitions).values())
                {
                    total += end;
                }
                assertEquals(RECORDS, total, "no record was written twice");
            }
        }
    }

    private static byte[] key(final int index)
    {
        return ("key-" + (index % DISTINCT_KEYS)).getBytes(StandardCharsets.UTF_8);
    }

    /** 4-byte index followed by filler that depends on it, so any corruption shows. */
    private static byte[] value(final int index)
    {
        final byte[] value = new byte[4 + 40 + index % 17];
        ByteBuffer.wrap(value).putInt(index);
        for (int i = 4; i < value.length; i++)
        {
            value[i] = (byte)(index * 31 + i);
        }
        return value;
    }

    private static List<Header> headers(final int index)
    {
        return List.of(
            new RecordHeader("index", Integer.toString(index).getBytes(StandardCharsets.UTF_8)),
            new RecordHeader("kind", (index % 2 == 0 ? "even" : "odd").getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertHeaders(final int index, final Header[] actual)
    {
        final List<Header> expected = headers(index);
        assertEquals(expected.size(), actual.length);
        for (int i = 0; i < actual.length; i++)
        {
            assertEquals(expected.get(i).key(), actual[i].key());
            assertTrue(Arrays.equals(expected.get(i).value(), actual[i].value()));
        }
    }
}
