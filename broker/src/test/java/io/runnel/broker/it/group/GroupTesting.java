package io.runnel.broker.it.group;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import static org.junit.jupiter.api.Assertions.fail;

/** Small shared helpers of the group integration tests: deadlines, topics, producing with receipts. */
final class GroupTesting
{
    static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final long CHECK_INTERVAL_MS = 20;

    private GroupTesting()
    {
    }

    /**
     * Waits until {@code condition} holds, checking every few milliseconds, and fails with
     * {@code state} (evaluated at the deadline) if it does not hold within {@code timeout}.
     * @return how long it took.
     */
    static Duration awaitCondition(final Duration timeout, final String what, final BooleanSupplier condition, final Supplier<String> state)
    {
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        while (true)
        {
            if (condition.getAsBoolean())
            {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (System.nanoTime() >= deadline)
            {
                fail("not within " + timeout + ": " + what + "; state: " + state.get());
            }
            pause(CHECK_INTERVAL_MS);
        }
    }

    static Duration awaitCondition(final Duration timeout, final String what, final BooleanSupplier condition)
    {
        return awaitCondition(timeout, what, condition, () -> "(no detail)");
    }

    /**
     * Checks that {@code invariant} keeps holding for the whole of {@code window} (used to show
     * that something does NOT happen, e.g. no rebalance; the window must exceed the time the
     * thing would take to become visible).
     */
    static void assertHoldsFor(final Duration window, final String what, final BooleanSupplier invariant, final Supplier<String> state)
    {
        final long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (!invariant.getAsBoolean())
            {
                fail("stopped holding within " + window + ": " + what + "; state: " + state.get());
            }
            pause(CHECK_INTERVAL_MS);
        }
    }

    /** The pause between two checks of a deadline-bounded wait; never a synchronisation in itself. */
    static void pause(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    static <T> T get(final Future<T> future)
    {
        return get(future, ADMIN_TIMEOUT, () -> "no answer within " + ADMIN_TIMEOUT);
    }

    /** The future's value within {@code timeout}; its runtime failure is rethrown as is, a timeout fails with {@code timeoutMessage}, made when it happens. */
    static <T> T get(final Future<T> future, final Duration timeout, final Supplier<String> timeoutMessage)
    {
        try
        {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof RuntimeException runtime)
            {
                throw runtime;
            }
            throw new IllegalStateException(ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(timeoutMessage.get(), ex);
        }
    }

    static void createTopic(final Admin admin, final String topic, final int partitions)
    {
        get(admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all());
    }

    static List<TopicPartition> partitions(final String topic, final int count)
    {
        final List<TopicPartition> result = new ArrayList<>();
        for (int p = 0; p < count; p++)
        {
            result.add(new TopicPartition(topic, p));
        }
        return result;
    }

    /**
     * Produces {@code perPartition} records to every partition (explicit partition, value
     * "{@code tag}-p-i") and waits for every acknowledgement.
     * @return the acknowledged offsets per partition.
     */
    static Map<TopicPartition, Set<Long>> produce(final KafkaProducer<byte[], byte[]> producer, final String topic, final int partitions,
        final int perPartition, final String tag)
    {
        final List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < perPartition; i++)
        {
            for (int p = 0; p < partitions; p++)
            {
                sent.add(producer.send(new ProducerRecord<>(topic, p, null, (tag + "-" + p + "-" + i).getBytes())));
            }
        }
        final Map<TopicPartition, Set<Long>> acked = new HashMap<>();
        for (final Future<RecordMetadata> future : sent)
        {
            final RecordMetadata metadata = get(future);
            acked.computeIfAbsent(new TopicPartition(metadata.topic(), metadata.partition()), tp -> new TreeSet<>()).add(metadata.offset());
        }
        return acked;
    }

    static void addAll(final Map<TopicPartition, Set<Long>> into, final Map<TopicPartition, Set<Long>> more)
    {
        more.forEach((tp, offsets) -> into.computeIfAbsent(tp, k -> new TreeSet<>()).addAll(offsets));
    }

    /** (partition → offsets) of {@code expected} that are missing from {@code actual}. */
    static Map<TopicPartition, Set<Long>> missing(final Map<TopicPartition, Set<Long>> expected, final Map<TopicPartition, Set<Long>> actual)
    {
        final Map<TopicPartition, Set<Long>> result = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        expected.forEach((tp, offsets) ->
        {
            final Set<Long> gone = new TreeSet<>(offsets);
            gone.removeAll(actual.getOrDefault(tp, Set.of()));
            if (!gone.isEmpty())
            {
                result.put(tp, gone);
            }
        });
        return result;
    }

    static ConsumerGroupDescription describe(final Admin admin, final String group)
    {
        return get(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group));
    }

    static KafkaProducer<byte[], byte[]> producer(final String bootstrapServers)
    {
        return TestClients.producer(bootstrapServers, Map.of());
    }

    /** A consumer as TestBroker makes them: earliest, no auto-commit, plus {@code extra}. */
    static KafkaConsumer<byte[], byte[]> consumer(final String bootstrapServers, final Map<String, Object> extra)
    {
        return TestClients.consumer(bootstrapServers, extra);
    }

    static Admin admin(final String bootstrapServers)
    {
        return TestClients.admin(bootstrapServers);
    }
}
