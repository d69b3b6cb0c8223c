package io.runnel.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.agrona.CloseHelper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control plane under load: admin connections on every shard create, grow and delete topics in
 * parallel while a producer and a consumer stream numbered records through another topic. Every
 * admin call is answered without error, no churned topic survives, and the stream loses, repeats
 * and reorders nothing. Every wait is bounded; a stall fails with the broker's thread stacks.
 *
 * <p>The admin connections are raw ones, opened one after another before any other client: the
 * broker deals connections to shards round-robin, so {@value #ADMIN_CONNECTIONS} consecutive
 * connections are exactly two on every shard. Kafka's Admin client would leave that to chance (it
 * opens a bootstrap connection and then another to the node, so admins opened in turn could even
 * send every request through alternate shards).
 */
class TopicChurnUnderLoadTest
{
    private static final int SHARDS = 4;
    /** Two admin connections on every shard. */
    private static final int ADMIN_CONNECTIONS = SHARDS * 2;
    private static final int CHURN_TOPICS = 200;
    private static final int TOPICS_PER_CONNECTION = CHURN_TOPICS / ADMIN_CONNECTIONS;
    private static final int MAX_CREATED_PARTITIONS = 8;
    /** The versions the Kafka 4.x Admin client sends. */
    private static final short CREATE_TOPICS_VERSION = 7;
    private static final short CREATE_PARTITIONS_VERSION = 3;
    private static final short DELETE_TOPICS_VERSION = 6;
    /** Each connection deletes a topic this many topics after creating it, so creates and deletes overlap. */
    private static final int DELETE_LAG = 2;
    private static final String LOAD_TOPIC = "load";
    private static final int LOAD_PARTITIONS = 6;
    private static final int RECORDS = 20_000;
    /** The producer sends its records in this many chunks, each after a share of the churn is done. */
    private static final int CHUNKS = 100;
    /** Bounds on hangs, not on speed: each is far beyond what a healthy broker needs. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int STACK_FRAMES = 14;

    @TempDir
    Path dataDir;

    private final AtomicInteger churnCallsDone = new AtomicInteger();
    private final AtomicBoolean churnOver = new AtomicBoolean();
    private final int churnCalls = CHURN_TOPICS * 2 + grownTopics();

    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void topicsChurnedFromEveryShardLeaveNoTopicAndEveryStreamedRecordArrivesOnceInOrder() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", Integer.toString(SHARDS),
            "auto.create.topics.enable", "false"));
        final ExecutorService pool = Executors.newFixedThreadPool(ADMIN_CONNECTIONS + 2, runnable ->
        {
            final Thread thread = new Thread(runnable, "churn-test-worker");
            thread.setDaemon(true);
            return thread;
        });
        final List<RawKafkaClient> connections = new ArrayList<>();
        Admin admin = null;
        Throwable failure = null;
        try
        {
            for (int i = 0; i < ADMIN_CONNECTIONS; i++)
            {
                connections.add(RawKafkaClient.connect(broker.port(), CALL_TIMEOUT));
            }
            admin = broker.admin();
            awaitCall("create " + LOAD_TOPIC, admin.createTopics(
                List.of(new NewTopic(LOAD_TOPIC, LOAD_PARTITIONS, (short)1))).all());

            final long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
            final Future<Map<Integer, List<Long>>> consumed = pool.submit(() -> consume(broker, deadline));
            final Future<Map<Integer, List<Long>>> acknowledged = pool.submit(() -> produce(broker, deadline));
            final List<Future<Void>> churners = new ArrayList<>();
            for (int i = 0; i < ADMIN_CONNECTIONS; i++)
            {
                final int connection = i;
                churners.add(pool.submit(() -> churn(connections.get(connection), connection)));
            }

            for (int i = 0; i < ADMIN_CONNECTIONS; i++)
            {
                awaitTask("admin connection " + i + "'s churn", churners.get(i), deadline);
            }
            churnOver.set(true);
            final Set<String> left = awaitCall("list topics", admin.listTopics().names());
            assertEquals(Set.of(LOAD_TOPIC), new TreeSet<>(left), "topics left after every churned topic was deleted");

            final Map<Integer, List<Long>> sent = awaitTask("the producer", acknowledged, deadline);
            assertEquals(RECORDS, sent.values().stream().mapToInt(List::size).sum(), "records acknowledged");
            sent.forEach((partition, numbers) -> assertEquals(numbers.stream().sorted().toList(), numbers,
                "partition " + partition + " stores its records in the order they were sent"));
            assertEquals(sent, awaitTask("the consumer", consumed, deadline),
                "per partition, the record numbers read back (in order) against those acknowledged (in offset order)");
        }
        catch (final Throwable ex)
        {
            failure = ex;
            throw ex;
        }
        finally
        {
            churnOver.set(true);
            pool.shutdownNow();
            CloseHelper.quietCloseAll(connections);
            if (admin != null)
            {
                admin.close(CLOSE_TIMEOUT);
            }
            closeBroker(broker, failure);
        }
    }

    private static int grownTopics()
    {
        int grown = 0;
        for (int connection = 0; connection < ADMIN_CONNECTIONS; connection++)
        {
            for (int t = 0; t < TOPICS_PER_CONNECTION; t++)
            {
                grown += isGrown(connection, t) ? 1 : 0;
            }
        }
        return grown;
    }

    private static String churnTopic(final int connection, final int t)
    {
        return "churn-" + connection + "-" + t;
    }

    private static int createdPartitions(final int connection, final int t)
    {
        return 1 + (connection + t) % MAX_CREATED_PARTITIONS;
    }

    /** Half the topics grow, by one to three partitions. */
    private static boolean isGrown(final int connection, final int t)
    {
        return (connection + t) % 2 == 0;
    }

    /** Creates this connection's topics, grows some, and deletes each {@link #DELETE_LAG} topics later. */
    private Void churn(final RawKafkaClient connection, final int index)
    {
        for (int t = 0; t < TOPICS_PER_CONNECTION + DELETE_LAG; t++)
        {
            if (t < TOPICS_PER_CONNECTION)
            {
                final String topic = churnTopic(index, t);
                final int partitions = createdPartitions(index, t);
                final CreateTopicsRequestData.CreatableTopicCollection create = new CreateTopicsRequestData.CreatableTopicCollection();
                create.add(new CreateTopicsRequestData.CreatableTopic().setName(topic).setNumPartitions(partitions)
                    .setReplicationFactor((short)1));
                final CreateTopicsResponseData created = churnCall("create " + topic + " with " + partitions + " partitions",
                    connection, ApiKeys.CREATE_TOPICS, CREATE_TOPICS_VERSION,
                    new CreateTopicsRequestData().setTopics(create).setTimeoutMs((int)CALL_TIMEOUT.toMillis()));
                assertNoError("create " + topic, created.topics().find(topic).errorCode(), created);
                if (isGrown(index, t))
                {
                    final int grown = partitions + 1 + t % 3;
                    final CreatePartitionsRequestData.CreatePartitionsTopicCollection grow =
                        new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
                    grow.add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(topic).setCount(grown));
                    final CreatePartitionsResponseData grew = churnCall("grow " + topic + " to " + grown + " partitions",
                        connection, ApiKeys.CREATE_PARTITIONS, CREATE_PARTITIONS_VERSION,
                        new CreatePartitionsRequestData().setTopics(grow).setTimeoutMs((int)CALL_TIMEOUT.toMillis()));
                    assertNoError("grow " + topic, grew.results().get(0).errorCode(), grew);
                }
            }
            if (t >= DELETE_LAG)
            {
                final String topic = churnTopic(index, t - DELETE_LAG);
                final DeleteTopicsResponseData deleted = churnCall("delete " + topic, connection, ApiKeys.DELETE_TOPICS,
                    DELETE_TOPICS_VERSION, new DeleteTopicsRequestData()
                        .setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(topic)))
                        .setTimeoutMs((int)CALL_TIMEOUT.toMillis()));
                assertNoError("delete " + topic, deleted.responses().iterator().next().errorCode(), deleted);
            }
        }
        return null;
    }

    private <T extends ApiMessage> T churnCall(final String what, final RawKafkaClient connection, final ApiKeys api,
        final short version, final ApiMessage request)
    {
        try
        {
            final T response = connection.request(api, version, request);
            churnCallsDone.incrementAndGet();
            return response;
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError(what + ": no answer within " + CALL_TIMEOUT + "; broker threads:\n" + runnelThreads(), ex);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(what + " failed: " + ex, ex);
        }
    }

    private static void assertNoError(final String what, final short errorCode, final ApiMessage response)
    {
        assertEquals(Errors.NONE, Errors.forCode(errorCode), what + ": " + response);
    }

    /**
     * Sends numbered records keyed by their number, a chunk at a time, each chunk once its share of
     * the churn is done (or the churn is over), so that the stream runs through all of it.
     *
     * @return per partition, the numbers acknowledged, in offset order
     */
    private Map<Integer, List<Long>> produce(final TestBroker broker, final long deadline)
    {
        final Map<Integer, TreeMap<Long, Long>> acked = new HashMap<>();
        final ConcurrentLinkedQueue<Exception> errors = new ConcurrentLinkedQueue<>();
        final int perChunk = RECORDS / CHUNKS;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)CALL_TIMEOUT.toMillis(),
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)CALL_TIMEOUT.toMillis() / 2)))
        {
            for (int chunk = 0; chunk < CHUNKS; chunk++)
            {
                awaitChurnShare(chunk, deadline);
                for (long n = (long)chunk * perChunk; n < (long)(chunk + 1) * perChunk; n++)
                {
                    final long number = n;
                    final byte[] bytes = Long.toString(number).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(LOAD_TOPIC, bytes, bytes), (metadata, error) ->
                    {
                        if (error != null)
                        {
                            errors.add(error);
                            return;
                        }
                        synchronized (acked)
                        {
                            acked.computeIfAbsent(metadata.partition(), p -> new TreeMap<>()).put(metadata.offset(), number);
                        }
                    });
                }
                producer.flush();
                if (!errors.isEmpty())
                {
                    final AssertionError failed = new AssertionError(errors.size() + " sends failed in chunk " + chunk +
                        ", first: " + errors.peek());
                    errors.forEach(failed::addSuppressed);
                    throw failed;
                }
            }
        }
        final Map<Integer, List<Long>> inOffsetOrder = new HashMap<>();
        synchronized (acked)
        {
            acked.forEach((partition, numbers) -> inOffsetOrder.put(partition, new ArrayList<>(numbers.values())));
        }
        return inOffsetOrder;
    }

    private void awaitChurnShare(final int chunk, final long deadline)
    {
        final long share = (long)churnCalls * chunk / CHUNKS;
        while (churnCallsDone.get() < share && !churnOver.get() && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Reads every partition of the load topic from the start until {@link #RECORDS} records have arrived. */
    private static Map<Integer, List<Long>> consume(final TestBroker broker, final long deadline)
    {
        final Map<Integer, List<Long>> numbers = new HashMap<>();
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < LOAD_PARTITIONS; p++)
            {
                partitions.add(new TopicPartition(LOAD_TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (read < RECORDS && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL))
                {
                    numbers.computeIfAbsent(record.partition(), p -> new ArrayList<>())
                        .add(Long.parseLong(new String(record.value(), StandardCharsets.UTF_8)));
                    read++;
                }
            }
        }
        if (read < RECORDS)
        {
            throw new AssertionError("the consumer read " + read + " of " + RECORDS + " records before its deadline; threads:\n" +
                runnelThreads());
        }
        return numbers;
    }

    private static <T> T awaitCall(final String what, final KafkaFuture<T> call)
    {
        try
        {
            return call.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new AssertionError(what + ": no answer within " + CALL_TIMEOUT + "; broker threads:\n" + runnelThreads(), ex);
        }
        catch (final ExecutionException ex)
        {
            throw new AssertionError(what + " failed: " + ex.getCause(), ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + ": interrupted", ex);
        }
    }

    private static <T> T awaitTask(final String what, final Future<T> task, final long deadline) throws Exception
    {
        try
        {
            return task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new AssertionError(what + " did not finish within " + PHASE_TIMEOUT + "; broker threads:\n" + runnelThreads(), ex);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof Error error)
            {
                throw error;
            }
            throw new AssertionError(what + " failed: " + ex.getCause(), ex.getCause());
        }
    }

    /** Closes the broker on another thread, so that shards that never stop fail the test instead of hanging it. */
    private static void closeBroker(final TestBroker broker, final Throwable failure) throws InterruptedException
    {
        final Thread closer = new Thread(broker::close, "churn-test-broker-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(CLOSE_TIMEOUT.toMillis());
        if (closer.isAlive())
        {
            final AssertionError stuck = new AssertionError("the broker did not shut down within " + CLOSE_TIMEOUT +
                "; threads:\n" + runnelThreads());
            if (failure == null)
            {
                throw stuck;
            }
            failure.addSuppressed(stuck);
        }
    }

    /** The broker's threads and where they are, for a failure message. */
    private static String runnelThreads()
    {
        final StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) ->
        {
            if (thread.getName().startsWith("runnel-"))
            {
                dump.append("  ").append(thread.getName()).append(' ').append(thread.getState()).append('\n');
                for (int i = 0; i < Math.min(STACK_FRAMES, stack.length); i++)
                {
                    dump.append("      at ").append(stack[i]).append('\n');
                }
            }
        });
        return dump.toString();
    }
}
