package io.runnel.broker.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Kafka's longest topic name, 249 characters, works end to end: created by CreateTopics and by
 * Metadata's auto-creation, produced to and fetched from, and still there after a restart. One
 * character more is INVALID_TOPIC_EXCEPTION.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TopicNameLimitTest
{
    private static final int KAFKA_MAX_TOPIC_NAME = 249;
    private static final int POLL_ATTEMPTS = 50;

    @TempDir
    Path dataDir;

    @Test
    void longestLegalNameIsCreatedProducedFetchedAndKeptOverARestart() throws Exception
    {
        final String byAdmin = name('a', KAFKA_MAX_TOPIC_NAME);
        final String byMetadata = name('m', KAFKA_MAX_TOPIC_NAME);
        try (TestBroker broker = TestBroker.start(dataDir, Map.of()))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic(byAdmin, 3, (short)1))).all().get(30, TimeUnit.SECONDS);
            }
            try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
            {
                final MetadataResponseData metadata = raw.request(ApiKeys.METADATA, (short)12, new MetadataRequestData()
                    .setAllowAutoTopicCreation(true).setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(byMetadata))));
                final Errors error = Errors.forCode(metadata.topics().find(byMetadata).errorCode());
                assertEquals(true, error == Errors.NONE || error == Errors.LEADER_NOT_AVAILABLE, "auto-created: " + error);
            }
            roundTrip(broker, byAdmin, 2);
            roundTrip(broker, byMetadata, 0);

            broker.restart();
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
            {
                assertEquals(List.of("value"), consume(consumer, new TopicPartition(byAdmin, 2), 1), "kept over a restart");
            }
        }
    }

    @Test
    void oneCharacterTooLongIsInvalidTopic() throws Exception
    {
        final String tooLong = name('x', KAFKA_MAX_TOPIC_NAME + 1);
        try (TestBroker broker = TestBroker.start(dataDir, Map.of()))
        {
            try (Admin admin = broker.admin())
            {
                final ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> admin.createTopics(List.of(new NewTopic(tooLong, 1, (short)1))).all().get(30, TimeUnit.SECONDS));
                assertInstanceOf(InvalidTopicException.class, failure.getCause());
            }
            try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
            {
                final CreateTopicsResponseData created = raw.request(ApiKeys.CREATE_TOPICS, (short)7, new CreateTopicsRequestData()
                    .setTimeoutMs(10_000).setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                        new CreateTopicsRequestData.CreatableTopic().setName(tooLong).setNumPartitions(1).setReplicationFactor((short)1)).iterator())));
                assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), created.topics().find(tooLong).errorCode());

                final MetadataResponseData metadata = raw.request(ApiKeys.METADATA, (short)12, new MetadataRequestData()
                    .setAllowAutoTopicCreation(true).setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(tooLong))));
                assertEquals(Errors.INVALID_TOPIC_EXCEPTION.code(), metadata.topics().find(tooLong).errorCode());
            }
        }
    }

    private static void roundTrip(final TestBroker broker, final String topic, final int partition) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            producer.send(new ProducerRecord<>(topic, partition, null, "value".getBytes())).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            assertEquals(List.of("value"), consume(consumer, new TopicPartition(topic, partition), 1), topic.length() + " characters");
        }
    }

    private static List<String> consume(final KafkaConsumer<byte[], byte[]> consumer, final TopicPartition tp, final int count)
    {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < POLL_ATTEMPTS && values.size() < count; i++)
        {
            for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
            {
                values.add(new String(record.value()));
            }
        }
        return values;
    }

    private static String name(final char c, final int length)
    {
        return String.valueOf(c).repeat(length);
    }
}
