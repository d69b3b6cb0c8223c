package io.runnel.broker.it.hostile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The observer side of the hostile tests, over one running broker: topics to attack, log end
 * offsets and partition contents to prove that nothing rejected reached a log, and a check that
 * well-behaved clients are still served.
 */
final class BrokerProbe implements AutoCloseable
{
    static final String HEALTH_TOPIC = "health";
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final TestBroker broker;
    private final Admin admin;
    /** Reads partitions back for verification; the health check uses fresh clients instead. */
    private final KafkaConsumer<byte[], byte[]> verifier;

    BrokerProbe(final TestBroker broker) throws Exception
    {
        this.broker = broker;
        this.admin = broker.admin();
        this.verifier = broker.consumer(Map.of());
        admin.createTopics(List.of(new NewTopic(HEALTH_TOPIC, 2, (short)1))).all().get(15, TimeUnit.SECONDS);
    }

    Admin admin()
    {
        return admin;
    }

    static int nextSequence()
    {
        return SEQUENCE.incrementAndGet();
    }

    RawKafkaClient raw() throws IOException
    {
        return RawKafkaClient.connect(broker.port());
    }

    ApiVersionsResponseData advertisedVersions() throws IOException
    {
        try (RawKafkaClient client = raw())
        {
            final ApiVersionsResponseData response = client.apiVersions((short)3);
            assertEquals(Errors.NONE.code(), response.errorCode());
            return response;
        }
    }

    String createTopic(final String prefix, final Map<String, String> configs) throws Exception
    {
        return createTopic(prefix, configs, 1);
    }

    String createTopic(final String prefix, final Map<String, String> configs, final int partitions) throws Exception
    {
        final String name = prefix + "-" + SEQUENCE.incrementAndGet();
        admin.createTopics(List.of(new NewTopic(name, partitions, (short)1).configs(configs))).all().get(15, TimeUnit.SECONDS);
        return name;
    }

    /** A one-partition topic holding a single valid record "seed" at offset 0. */
    String seededTopic(final String prefix) throws Exception
    {
        final String topic = createTopic(prefix, Map.of());
        produceOk(topic, "seed");
        return topic;
    }

    void produceOk(final String topic, final String value) throws IOException
    {
        try (RawKafkaClient client = raw())
        {
            final ProduceResponseData.PartitionProduceResponse response = client.produce(topic, 0, Batches.wrap(Batches.v2(value)));
            assertEquals(Errors.NONE.code(), response.errorCode(), "valid produce to " + topic);
        }
    }

    /**
     * Sends {@code bad} to partition 0 of {@code topic} and expects one of {@code allowed}; then
     * checks that the log end offset did not move, that the same connection can still produce a
     * valid batch at exactly that offset, and that the partition reads back without the bad bytes.
     */
    void assertRejectedWithoutTrace(final String topic, final byte[] bad, final Set<Errors> allowed) throws Exception
    {
        final TopicPartition tp = new TopicPartition(topic, 0);
        final long before = endOffset(tp);
        final List<String> valuesBefore = values(readPartition(tp, 0, before));
        final String after = "after-" + SEQUENCE.incrementAndGet();
        try (RawKafkaClient client = raw())
        {
            final ProduceResponseData.PartitionProduceResponse response = client.produce(topic, 0, Batches.wrap(bad));
            final Errors error = Errors.forCode(response.errorCode());
            assertTrue(allowed.contains(error), "expected one of " + allowed + " but got " + error);
            assertEquals(-1, response.baseOffset(), "a rejected batch has no offset");
            assertEquals(before, endOffset(tp), "the rejected batch must not reach the log");

            final ProduceResponseData.PartitionProduceResponse next = client.produce(topic, 0, Batches.wrap(Batches.v2(after)));
            assertEquals(Errors.NONE.code(), next.errorCode(), "the connection must stay usable after a partition error");
            assertEquals(before, next.baseOffset(), "the rejected batch must not have consumed offsets");
        }
        assertEquals(before + 1, endOffset(tp));
        final List<String> expected = new ArrayList<>(valuesBefore);
        expected.add(after);
        assertEquals(expected, values(readPartition(tp, 0, before + 1)));
    }

    long endOffset(final TopicPartition tp) throws Exception
    {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
    }

    /** Records [from, to) of a partition, read by the shared verifier, checked to be exactly those offsets in order. */
    List<ConsumerRecord<byte[], byte[]>> readPartition(final TopicPartition tp, final long from, final long to)
    {
        return readPartition(verifier, tp, from, to);
    }

    List<ConsumerRecord<byte[], byte[]>> readPartition(final KafkaConsumer<byte[], byte[]> consumer,
        final TopicPartition tp, final long from, final long to)
    {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        if (to <= from)
        {
            return records;
        }
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        final long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (consumer.position(tp) < to && System.nanoTime() < deadline)
        {
            for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)).records(tp))
            {
                if (record.offset() < to)
                {
                    records.add(record);
                }
            }
        }
        assertTrue(consumer.position(tp) >= to, "could not read " + tp + " up to " + to + ", at " + consumer.position(tp));
        for (int i = 0; i < records.size(); i++)
        {
            assertEquals(from + i, records.get(i).offset(), "gap or reordering in " + tp);
        }
        assertEquals(to - from, records.size());
        return records;
    }

    static List<String> values(final List<ConsumerRecord<byte[], byte[]>> records)
    {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    KafkaProducer<byte[], byte[]> healthProducer()
    {
        return broker.producer(Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000));
    }

    /**
     * The broker still serves well-behaved clients: two fresh raw connections (the acceptor deals
     * them to both shards) answer ApiVersions and take a valid batch, and a stock producer's
     * record reads back through a stock consumer.
     */
    void assertBrokerServesOthers() throws Exception
    {
        for (int partition = 0; partition < 2; partition++)
        {
            try (RawKafkaClient client = raw())
            {
                final ApiVersionsResponseData versions = client.apiVersions((short)3);
                assertEquals(Errors.NONE.code(), versions.errorCode());
                assertNotNull(versions.apiKeys().find(ApiKeys.PRODUCE.id));
                final ProduceResponseData.PartitionProduceResponse response =
                    client.produce(HEALTH_TOPIC, partition, Batches.wrap(Batches.v2("raw-health-" + SEQUENCE.incrementAndGet())));
                assertEquals(Errors.NONE.code(), response.errorCode(), "health produce to partition " + partition);
            }
        }
        final String value = "health-" + SEQUENCE.incrementAndGet();
        final RecordMetadata metadata;
        try (KafkaProducer<byte[], byte[]> producer = healthProducer())
        {
            metadata = producer.send(new ProducerRecord<>(HEALTH_TOPIC, null, value.getBytes(StandardCharsets.UTF_8)))
                .get(15, TimeUnit.SECONDS);
        }
        final TopicPartition tp = new TopicPartition(HEALTH_TOPIC, metadata.partition());
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            final List<ConsumerRecord<byte[], byte[]>> records = readPartition(consumer, tp, metadata.offset(), metadata.offset() + 1);
            assertEquals(value, new String(records.get(0).value(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close()
    {
        verifier.close();
        admin.close(Duration.ofSeconds(5));
    }
}
