package io.runnel.broker.it.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartitionInfo;

import static org.junit.jupiter.api.Assertions.fail;

/** What the replication tests share: the cluster's settings, and a topic's leaders and ISRs as the AdminClient reports them. */
final class ReplicatedTopics
{
    /** Replication on, and short sessions and lag limits, so a fault shows within seconds. */
    static final Map<String, String> SETTINGS = Map.of(
        "runnel.replication.enable", "true",
        "replica.lag.time.max.ms", "3000",
        "broker.session.timeout.ms", "3000",
        "broker.heartbeat.interval.ms", "500");
    static final Duration WAIT = Duration.ofSeconds(90);

    private ReplicatedTopics()
    {
    }

    /** The leader's node id, or -1 while there is none or the cluster does not answer. */
    static int leaderOf(final Admin admin, final String topic, final int partition)
    {
        try
        {
            final TopicPartitionInfo info = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(topic).partitions().get(partition);
            return info.leader() == null || info.leader().isEmpty() ? -1 : info.leader().id();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    /** Each partition's ISR size, in partition order; empty while the cluster does not answer. */
    static List<Integer> isrSizes(final Admin admin, final String topic)
    {
        try
        {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().stream()
                .map(partition -> partition.isr().size()).toList();
        }
        catch (final Exception ex)
        {
            return List.of();
        }
    }

    static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }
}
