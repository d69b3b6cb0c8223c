package io.runnel.broker.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * OffsetForLeaderEpoch answered as Kafka's leader answers it: the current epoch ends at the log
 * end, an unknown epoch is undefined, a stale or future current epoch is fenced, an unknown
 * partition is named. The Java consumer validates a position it was given with a leader epoch
 * through it, and detects a position past the epoch's end as truncation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffsetForLeaderEpochTest
{
    private static final String TOPIC = "epochs";
    private static final int RECORDS = 5;
    private static final int CURRENT_EPOCH = 0;
    private static final int NO_EPOCH = -1;
    /** Behind epoch 0 and not -1 (which means "no epoch, do not check"). */
    private static final int STALE_EPOCH = -2;
    private static final short FIRST_VERSION = 2;
    private static final short LAST_VERSION = 4;
    private static final int CONSUMER_REPLICA_ID = -1;
    private static final int POLL_ATTEMPTS = 50;

    @TempDir
    Path dataDir;

    private TestBroker broker;

    @BeforeEach
    void start() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of());
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short)1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[] {(byte)i})).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @AfterEach
    void stop()
    {
        broker.close();
    }

    @Test
    void everyVersionAnswersKafkasEndOffsets() throws Exception
    {
        try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
        {
            for (short version = FIRST_VERSION; version <= LAST_VERSION; version++)
            {
                final String v = "v" + version;
                final OffsetForLeaderEpochResponseData response = raw.request(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version,
                    new OffsetForLeaderEpochRequestData().setReplicaId(version >= 3 ? CONSUMER_REPLICA_ID : -2).setTopics(
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection(List.of(
                            new OffsetForLeaderTopic().setTopic(TOPIC).setPartitions(List.of(
                                partition(0, CURRENT_EPOCH, CURRENT_EPOCH),
                                partition(1, CURRENT_EPOCH, CURRENT_EPOCH),
                                partition(0, NO_EPOCH, CURRENT_EPOCH),
                                partition(0, CURRENT_EPOCH, CURRENT_EPOCH + 1),
                                partition(0, CURRENT_EPOCH, NO_EPOCH),
                                partition(0, CURRENT_EPOCH + 1, CURRENT_EPOCH),
                                partition(7, CURRENT_EPOCH, CURRENT_EPOCH),
                                partition(0, STALE_EPOCH, CURRENT_EPOCH))),
                            new OffsetForLeaderTopic().setTopic("no-such-topic").setPartitions(List.of(
                                partition(0, CURRENT_EPOCH, CURRENT_EPOCH)))).iterator())));
                final List<EpochEndOffset> answers = response.topics().find(TOPIC).partitions();
                assertEnd(answers.get(0), Errors.NONE, CURRENT_EPOCH, RECORDS, v + ": the current epoch ends at the log end");
                assertEnd(answers.get(1), Errors.NONE, CURRENT_EPOCH, 0, v + ": an empty partition's epoch ends at 0");
                assertEnd(answers.get(2), Errors.NONE, CURRENT_EPOCH, RECORDS, v + ": no current epoch skips the fencing check");
                assertEnd(answers.get(3), Errors.NONE, NO_EPOCH, -1, v + ": an epoch newer than any is undefined");
                assertEnd(answers.get(4), Errors.NONE, NO_EPOCH, -1, v + ": epoch -1 is undefined");
                assertEnd(answers.get(5), Errors.UNKNOWN_LEADER_EPOCH, NO_EPOCH, -1, v + ": a current epoch ahead of the leader's");
                assertEnd(answers.get(6), Errors.UNKNOWN_TOPIC_OR_PARTITION, NO_EPOCH, -1, v + ": unknown partition");
                assertEnd(response.topics().find("no-such-topic").partitions().get(0), Errors.UNKNOWN_TOPIC_OR_PARTITION, NO_EPOCH, -1,
                    v + ": unknown topic");
                assertEquals(7, answers.get(6).partition(), v);
                assertEnd(answers.get(7), Errors.FENCED_LEADER_EPOCH, NO_EPOCH, -1, v + ": a current epoch behind the leader's");
            }
        }
    }

    @Test
    void consumerValidatesAPositionGivenWithItsLeaderEpoch()
    {
        final TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none")))
        {
            consumer.assign(List.of(tp));
            consumer.seek(tp, new OffsetAndMetadata(2, Optional.of(CURRENT_EPOCH), ""));
            final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < POLL_ATTEMPTS && records.size() < RECORDS - 2; i++)
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertEquals(List.of(2L, 3L, 4L), records.stream().map(ConsumerRecord::offset).toList());
        }
    }

    @Test
    void consumerDetectsAPositionPastItsEpochsEndAsTruncation()
    {
        final TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none")))
        {
            consumer.assign(List.of(tp));
            consumer.seek(tp, new OffsetAndMetadata(RECORDS + 10, Optional.of(CURRENT_EPOCH), ""));
            final LogTruncationException truncation = assertThrows(LogTruncationException.class, () ->
            {
                for (int i = 0; i < POLL_ATTEMPTS; i++)
                {
                    consumer.poll(Duration.ofMillis(200));
                }
            });
            final OffsetAndMetadata divergent = truncation.divergentOffsets().get(tp);
            assertEquals(RECORDS, divergent.offset());
            assertEquals(Optional.of(CURRENT_EPOCH), divergent.leaderEpoch());
        }
    }

    private static OffsetForLeaderPartition partition(final int index, final int currentLeaderEpoch, final int leaderEpoch)
    {
        return new OffsetForLeaderPartition().setPartition(index).setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch);
    }

    private static void assertEnd(final EpochEndOffset answer, final Errors error, final int epoch, final long endOffset, final String what)
    {
        assertEquals(error, Errors.forCode(answer.errorCode()), what);
        assertEquals(epoch, answer.leaderEpoch(), what);
        assertEquals(endOffset, answer.endOffset(), what);
    }
}
