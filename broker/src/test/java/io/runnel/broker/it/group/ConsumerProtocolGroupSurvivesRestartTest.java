package io.runnel.broker.it.group;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static io.runnel.broker.it.group.GroupTesting.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * KIP-848 group state is durable: consumers on the consumer protocol ({@code group.protocol=consumer})
 * keep running while the broker restarts on the same address, and afterwards heartbeat on with the
 * member ids, member epochs and partitions they had: the group epoch does not move and no consumer
 * sees a revocation, a loss or a new assignment. Without persisted state the restarted coordinator
 * would not know them and every member would rejoin.
 */
class ConsumerProtocolGroupSurvivesRestartTest
{
    private static final String TOPIC = "kip848-restart";
    private static final String GROUP = "kip848-restart-group";
    private static final int PARTITIONS = 6;
    private static final int CONSUMERS = 2;
    private static final int RECORDS = 60;
    /** Heartbeats each consumer must complete with the restarted broker before the verdict. */
    private static final int HEARTBEATS_AFTER_RESTART = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void consumersKeepTheirMemberEpochsAndPartitionsAcrossABrokerRestartWithoutARebalance() throws Exception
    {
        final String listener = "PLAINTEXT://127.0.0.1:" + freePort();
        try (TestBroker broker = TestBroker.start(dir.resolve("data"), Map.of("listeners", listener, "runnel.shards", "2",
            "group.consumer.heartbeat.interval.ms", "200")))
        {
            try (Admin admin = broker.admin())
            {
                GroupTesting.createTopic(admin, TOPIC, PARTITIONS);
            }
            final List<ConsumerThread> consumers = new ArrayList<>();
            try
            {
                for (int i = 0; i < CONSUMERS; i++)
                {
                    consumers.add(ConsumerThread.start("kip848-" + i, broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                        ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer")), List.of(TOPIC), false));
                }
                final ConsumerGroupDescription before = awaitStable(broker, consumers);
                final List<List<String>> eventsBefore = events(consumers);
                final List<Long> heartbeatsBefore = heartbeats(consumers);

                broker.restart();

                awaitCondition(TIMEOUT, "every consumer heartbeats with the restarted broker", () ->
                {
                    final List<Long> now = heartbeats(consumers);
                    for (int i = 0; i < CONSUMERS; i++)
                    {
                        if (now.get(i) < heartbeatsBefore.get(i) + HEARTBEATS_AFTER_RESTART)
                        {
                            return false;
                        }
                    }
                    return true;
                }, () -> "heartbeats " + heartbeats(consumers) + " before " + heartbeatsBefore);
                produceAndAwaitDelivery(broker, consumers);

                assertEquals(eventsBefore, events(consumers), "no revocation, loss or new assignment on any consumer");
                final ConsumerGroupDescription after = describe(broker);
                assertEquals(GroupState.STABLE, after.groupState());
                assertEquals(before.groupEpoch(), after.groupEpoch(), "the group epoch did not move: no rebalance");
                assertEquals(members(before), members(after), "same member ids, member epochs and partitions");
                for (final ConsumerThread consumer : consumers)
                {
                    assertNull(consumer.failure(), consumer::toString);
                }
            }
            finally
            {
                consumers.forEach(ConsumerThread::close);
            }
        }
    }

    private ConsumerGroupDescription awaitStable(final TestBroker broker, final List<ConsumerThread> consumers)
    {
        awaitCondition(TIMEOUT, "both consumers own three partitions each and the group is stable", () ->
        {
            final Set<TopicPartition> all = new HashSet<>();
            for (final ConsumerThread consumer : consumers)
            {
                if (consumer.snapshot().assignment().size() != PARTITIONS / CONSUMERS)
                {
                    return false;
                }
                all.addAll(consumer.snapshot().assignment());
            }
            return all.size() == PARTITIONS && describe(broker).groupState() == GroupState.STABLE;
        }, () -> consumers.toString());
        return describe(broker);
    }

    private static ConsumerGroupDescription describe(final TestBroker broker)
    {
        try (Admin admin = broker.admin())
        {
            return get(admin.describeConsumerGroups(List.of(GROUP)).all()).get(GROUP);
        }
    }

    /** Member id to (member epoch, owned partitions). */
    private static Map<String, String> members(final ConsumerGroupDescription group)
    {
        final Map<String, String> members = new TreeMap<>();
        for (final MemberDescription member : group.members())
        {
            final List<TopicPartition> owned = new ArrayList<>(member.assignment().topicPartitions());
            owned.sort((a, b) -> a.toString().compareTo(b.toString()));
            members.put(member.consumerId(), member.memberEpoch() + " " + owned);
        }
        return members;
    }

    private static List<List<String>> events(final List<ConsumerThread> consumers)
    {
        final List<List<String>> events = new ArrayList<>();
        consumers.forEach(consumer -> events.add(consumer.events()));
        return events;
    }

    /** heartbeat-total of each consumer: heartbeats that got an answer. */
    private static List<Long> heartbeats(final List<ConsumerThread> consumers)
    {
        final List<Long> counts = new ArrayList<>();
        for (final ConsumerThread consumer : consumers)
        {
            counts.add(consumer.call(c ->
            {
                for (final Map.Entry<MetricName, ? extends Metric> metric : c.metrics().entrySet())
                {
                    if (metric.getKey().name().equals("heartbeat-total"))
                    {
                        return ((Number)metric.getValue().metricValue()).longValue();
                    }
                }
                return -1L;
            }));
        }
        return counts;
    }

    /** Records produced after the restart reach the consumers on the partitions they kept. */
    private static void produceAndAwaitDelivery(final TestBroker broker, final List<ConsumerThread> consumers)
    {
        final int[] before = new int[consumers.size()];
        for (int i = 0; i < before.length; i++)
        {
            before[i] = consumers.get(i).received().size();
        }
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            GroupTesting.produce(producer, TOPIC, PARTITIONS, RECORDS, "after-restart");
        }
        awaitCondition(TIMEOUT, "the consumers receive the records produced after the restart", () ->
        {
            int received = 0;
            for (int i = 0; i < before.length; i++)
            {
                received += consumers.get(i).received().size() - before[i];
            }
            return received >= PARTITIONS * RECORDS;
        }, () -> consumers.toString());
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
