package io.runnel.broker.it.fetch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
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
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java consumer uses fetch sessions by default: it reads many partitions spread over several
 * shards correctly with sessions on, and with none (slots = 0, every fetch full), including while
 * some partitions are paused (forgotten from the session) and resumed (added back).
 */
class ConsumerFetchSessionsTest
{
    private static final int SHARDS = 3;
    private static final int PARTITIONS = 30;
    private static final int ROUNDS = 3;
    private static final int PER_PARTITION_PER_ROUND = 5;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "max.incremental.fetch.session.cache.slots={0}")
    @ValueSource(ints = {1000, 0})
    void consumerReadsEveryPartitionInOrderWithAndWithoutSessions(final int slots) throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", Integer.toString(SHARDS),
            "max.incremental.fetch.session.cache.slots", Integer.toString(slots)));
            Admin admin = broker.admin();
            KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("linger.ms", 5));
            KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("fetch.max.wait.ms", 50)))
        {
            admin.createTopics(List.of(new NewTopic("many", PARTITIONS, (short)1))).all().get(30, TimeUnit.SECONDS);
            assertSessionsOffered(broker, slots > 0);
            final List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                all.add(new TopicPartition("many", p));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            final long[] next = new long[PARTITIONS];
            final List<TopicPartition> paused = all.subList(0, PARTITIONS / 3);
            for (int round = 0; round < ROUNDS; round++)
            {
                if (round == 1)
                {
                    consumer.pause(paused);
                }
                if (round == 2)
                {
                    consumer.resume(paused);
                }
                produceRound(producer, round);
                final long expected = round == 1 ? (long)(round + 1) * PER_PARTITION_PER_ROUND * (PARTITIONS - paused.size())
                    + (long)PER_PARTITION_PER_ROUND * paused.size() : (long)(round + 1) * PER_PARTITION_PER_ROUND * PARTITIONS;
                consumeUntil(consumer, next, expected);
            }
            for (int p = 0; p < PARTITIONS; p++)
            {
                assertEquals(ROUNDS * PER_PARTITION_PER_ROUND, next[p], "partition " + p);
            }
        }
    }

    private static void produceRound(final KafkaProducer<byte[], byte[]> producer, final int round) throws Exception
    {
        final List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < PER_PARTITION_PER_ROUND; i++)
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                final long offset = (long)round * PER_PARTITION_PER_ROUND + i;
                sent.add(producer.send(new ProducerRecord<>("many", p, null, (p + ":" + offset).getBytes())));
            }
        }
        for (final Future<?> future : sent)
        {
            future.get(30, TimeUnit.SECONDS);
        }
    }

    /** Polls until {@code total} records have arrived overall, each the next of its partition. */
    private static void consumeUntil(final KafkaConsumer<byte[], byte[]> consumer, final long[] next, final long total)
    {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        long received = 0;
        for (final long n : next)
        {
            received += n;
        }
        while (received < total && System.nanoTime() < deadline)
        {
            for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
            {
                assertEquals(next[record.partition()], record.offset(), "partition " + record.partition() + " in order, no gap");
                assertEquals(record.partition() + ":" + record.offset(), new String(record.value()));
                next[record.partition()]++;
                received++;
            }
        }
        assertEquals(total, received, "records received by the deadline");
    }

    /** A full fetch at epoch 0 is given a session only when there are slots. */
    private static void assertSessionsOffered(final TestBroker broker, final boolean offered) throws Exception
    {
        try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
        {
            final FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(0).setTopics(new ArrayList<>(List.of(new FetchRequestData.FetchTopic().setTopic("many")
                    .setTopicId(Uuid.ZERO_UUID).setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition()
                        .setPartition(0).setPartitionMaxBytes(1 << 20)))))));
            final FetchResponseData response = client.request(ApiKeys.FETCH, (short)12, request);
            if (offered)
            {
                assertNotEquals(0, response.sessionId());
            }
            else
            {
                assertEquals(0, response.sessionId());
                assertTrue(response.responses().get(0).partitions().size() == 1, "answered in full without a session");
            }
        }
    }
}
