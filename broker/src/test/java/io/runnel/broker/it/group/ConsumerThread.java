package io.runnel.broker.it.group;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * One subscribed {@link KafkaConsumer} polling on its own thread, as an application runs it.
 * The test thread observes it (snapshots of generation and assignment taken after every poll,
 * the records it received, its rebalance callbacks) and runs work on it between polls with
 * {@link #call}. Records are "processed" as soon as they are received; with
 * {@code commitOnRevoke} the processed positions of revoked partitions are committed
 * synchronously in {@code onPartitionsRevoked}, the classic at-least-once pattern.
 */
final class ConsumerThread implements AutoCloseable
{
    /** The consumer's view after a poll. */
    record Snapshot(int generation, String memberId, Set<TopicPartition> assignment)
    {
    }

    /** A record as received, in arrival order. */
    record Received(TopicPartition partition, long offset, long timestamp)
    {
    }

    private static final Duration POLL = Duration.ofMillis(100);
    /** Hard bound on a consumer thread's life, whatever the test does. */
    private static final Duration MAX_LIFETIME = Duration.ofMinutes(2);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    final String name;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final boolean commitOnRevoke;
    private final Thread thread;
    private final LinkedBlockingQueue<FutureTask<?>> tasks = new LinkedBlockingQueue<>();
    private final List<Received> received = new ArrayList<>();
    private final Map<TopicPartition, Long> processed = new ConcurrentHashMap<>();
    private final AtomicInteger rebalanceCallbacks = new AtomicInteger();
    private final List<String> events = new ArrayList<>();
    private final List<Throwable> commitFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot = new Snapshot(-1, "", Set.of());
    private volatile boolean running = true;
    private volatile boolean crashing;
    private volatile CloseOptions.GroupMembershipOperation closeOperation = CloseOptions.GroupMembershipOperation.DEFAULT;
    private volatile Throwable failure;

    private ConsumerThread(final String name, final KafkaConsumer<byte[], byte[]> consumer, final Collection<String> topics,
        final boolean commitOnRevoke)
    {
        this.name = name;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.commitOnRevoke = commitOnRevoke;
        this.thread = new Thread(this::run, "consumer-" + name);
        this.thread.setDaemon(true);
    }

    static ConsumerThread start(final String name, final KafkaConsumer<byte[], byte[]> consumer, final Collection<String> topics,
        final boolean commitOnRevoke)
    {
        final ConsumerThread started = new ConsumerThread(name, consumer, topics, commitOnRevoke);
        started.thread.start();
        return started;
    }

    private void run()
    {
        final long hardDeadline = System.nanoTime() + MAX_LIFETIME.toNanos();
        try
        {
            consumer.subscribe(topics, new Listener());
            while (running && System.nanoTime() < hardDeadline)
            {
                runTasks();
                if (!running)
                {
                    break;
                }
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL))
                {
                    final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    synchronized (received)
                    {
                        received.add(new Received(tp, record.offset(), record.timestamp()));
                    }
                    processed.put(tp, record.offset() + 1);
                }
                final ConsumerGroupMetadata metadata = consumer.groupMetadata();
                snapshot = new Snapshot(metadata.generationId(), metadata.memberId(), Set.copyOf(consumer.assignment()));
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            runTasks();
            try
            {
                consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(closeOperation));
            }
            catch (final Throwable ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
            }
        }
    }

    private void runTasks()
    {
        FutureTask<?> task;
        while ((task = tasks.poll()) != null)
        {
            task.run();
        }
    }

    private final class Listener implements ConsumerRebalanceListener
    {
        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
            rebalanceCallbacks.incrementAndGet();
            event("revoked " + partitions);
            if (!commitOnRevoke || crashing || partitions.isEmpty())
            {
                return;
            }
            final Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (final TopicPartition tp : partitions)
            {
                final Long next = processed.get(tp);
                if (next != null)
                {
                    commits.put(tp, new OffsetAndMetadata(next));
                }
            }
            if (!commits.isEmpty())
            {
                try
                {
                    consumer.commitSync(commits);
                    event("committed " + commits);
                }
                catch (final RuntimeException ex)
                {
                    // Recorded for the test to assert on; not rethrown, so that one refused commit
                    // does not hide what the group does next (the records are simply redelivered).
                    event("commit on revocation failed: " + ex);
                    commitFailures.add(ex);
                }
            }
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
        {
            rebalanceCallbacks.incrementAndGet();
            event("assigned " + partitions + " in generation " + consumer.groupMetadata().generationId());
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions)
        {
            rebalanceCallbacks.incrementAndGet();
            event("lost " + partitions);
        }
    }

    private void event(final String what)
    {
        synchronized (events)
        {
            events.add(what);
        }
    }

    /** Runs {@code work} on the consumer's thread between two polls and returns its result. */
    <T> T call(final Function<KafkaConsumer<byte[], byte[]>, T> work)
    {
        final FutureTask<T> task = new FutureTask<>(() -> work.apply(consumer));
        tasks.add(task);
        return GroupTesting.get(task, CALL_TIMEOUT, () -> name + " did not run the call within " + CALL_TIMEOUT + "; alive " + thread.isAlive());
    }

    Snapshot snapshot()
    {
        return snapshot;
    }

    int rebalanceCallbacks()
    {
        return rebalanceCallbacks.get();
    }

    List<Received> received()
    {
        synchronized (received)
        {
            return new ArrayList<>(received);
        }
    }

    /** Offsets received per partition (duplicates collapse). */
    Map<TopicPartition, Set<Long>> receivedOffsets()
    {
        final Map<TopicPartition, Set<Long>> result = new HashMap<>();
        for (final Received r : received())
        {
            result.computeIfAbsent(r.partition(), tp -> new TreeSet<>()).add(r.offset());
        }
        return result;
    }

    List<String> events()
    {
        synchronized (events)
        {
            return new ArrayList<>(events);
        }
    }

    Throwable failure()
    {
        return failure;
    }

    /** Exceptions thrown by the synchronous commits in onPartitionsRevoked. */
    List<Throwable> commitFailures()
    {
        return List.copyOf(commitFailures);
    }

    boolean isAlive()
    {
        return thread.isAlive();
    }

    /**
     * A crash as far as the group can tell: the consumer goes away without LeaveGroup and
     * without committing anything ({@code close} with REMAIN_IN_GROUP, revocation commits off).
     */
    void crash()
    {
        crashing = true;
        stop(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
    }

    /** Stops polling and closes the consumer on its thread with {@code operation}; waits for it. */
    void stop(final CloseOptions.GroupMembershipOperation operation)
    {
        closeOperation = operation;
        // No wakeup(): a pending wakeup could fire inside a commit; the current poll returns within POLL.
        running = false;
        try
        {
            thread.join(CLOSE_TIMEOUT.toMillis() + 5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            throw new IllegalStateException(name + " did not stop");
        }
    }

    @Override
    public void close()
    {
        if (thread.isAlive())
        {
            stop(CloseOptions.GroupMembershipOperation.DEFAULT);
        }
    }

    @Override
    public String toString()
    {
        return name + snapshot + (failure == null ? "" : " failed: " + failure + (failure.getCause() == null ? "" : " caused by " + failure.getCause()))
            + (commitFailures.isEmpty() ? "" : " commit failures: " + commitFailures);
    }
}
