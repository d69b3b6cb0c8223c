package io.runnel.cluster.metadata;

import java.util.ArrayList;
import java.util.List;

import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;

/**
 * What fencing or unfencing a broker does to partitions, staged as PartitionRecords. Leaders come
 * from the ISR, unless the topic allows an unclean election ({@link UncleanElection}) and no in-sync
 * replica can lead; a fenced broker leaves the ISR unless it is its last member, as in Kafka, so
 * that a partition whose only in-sync replica comes back gets it as leader again, with its data.
 * Partitions are visited in topic-name, partition order.
 */
final class LeaderElection
{
    private LeaderElection()
    {
    }

    /**
     * Broker {@code nodeId} stops being usable: every partition it leads gets the first usable ISR
     * member (in replica order) as leader ({@link MetadataImage#NO_LEADER} if there is none), leader epoch + 1, and
     * it leaves every ISR it is not the last member of.
     */
    static void onFenced(final MetadataImage image, final int nodeId, final MetadataChange change, final UncleanElection unclean)
    {
        for (final Topic topic : image.topics())
        {
            for (final Partition partition : topic.partitions())
            {
                final boolean leads = partition.leader() == nodeId;
                final boolean inIsr = partition.isr().contains(nodeId);
                if (!leads && !inIsr)
                {
                    continue;
                }
                final List<Integer> isr = new ArrayList<>(partition.isr());
                if (inIsr && isr.size() > 1)
                {
                    isr.remove(Integer.valueOf(nodeId));
                }
                if (!leads && isr.size() == partition.isr().size())
                {
                    continue;
                }
                int leader = leads ? nextLeader(image, partition.replicas(), isr, nodeId) : partition.leader();
                if (leads && leader == MetadataImage.NO_LEADER && unclean.allowedFor(topic))
                {
                    leader = firstUsable(image, partition.replicas(), nodeId);
                    if (leader != MetadataImage.NO_LEADER)
                    {
                        isr.clear();
                        isr.add(leader);
                    }
                }
                final int leaderEpoch = leads ? partition.leaderEpoch() + 1 : partition.leaderEpoch();
                change.partition(topic.id(), partition.withLeaderAndIsr(leader, leaderEpoch, isr));
            }
        }
    }

    /**
     * Broker {@code nodeId} is usable again: it leads every leaderless partition whose ISR names it,
     * and, where the topic allows an unclean election, every leaderless partition it is a replica of
     * (with an ISR of itself alone).
     */
    static void onUnfenced(final MetadataImage image, final int nodeId, final MetadataChange change, final UncleanElection unclean)
    {
        for (final Topic topic : image.topics())
        {
            for (final Partition partition : topic.partitions())
            {
                if (partition.leader() != MetadataImage.NO_LEADER || !partition.replicas().contains(nodeId))
                {
                    continue;
                }
                if (partition.isr().contains(nodeId))
                {
                    change.partition(topic.id(), partition.withLeaderAndIsr(nodeId, partition.leaderEpoch() + 1, partition.isr()));
                }
                else if (unclean.allowedFor(topic))
                {
                    change.partition(topic.id(), partition.withLeaderAndIsr(nodeId, partition.leaderEpoch() + 1, List.of(nodeId)));
                }
            }
        }
    }

    /** The first replica, in assignment order, on a usable broker other than {@code leaving}. */
    private static int firstUsable(final MetadataImage image, final List<Integer> replicas, final int leaving)
    {
        for (final int candidate : replicas)
        {
            final Broker broker = image.broker(candidate);
            if (candidate != leaving && broker != null && broker.active())
            {
                return candidate;
            }
        }
        return MetadataImage.NO_LEADER;
    }

    /**
     * Preferred-leader election (Kafka's ElectLeaders PREFERRED, and the automatic balance): each
     * partition {@code which} accepts whose first assigned replica is not its leader but is in its ISR
     * and usable gets that replica as leader, leader epoch + 1. The others are left as they are.
     *
     * @return the partitions moved, by topic id and index
     */
    static int electPreferred(final MetadataImage image, final java.util.function.Predicate<Partition> which, final MetadataChange change)
    {
        int moved = 0;
        for (final Topic topic : image.topics())
        {
            for (final Partition partition : topic.partitions())
            {
                if (partition.replicas().isEmpty() || !which.test(partition) || !canLeadPreferred(image, partition))
                {
                    continue;
                }
                change.partition(topic.id(), partition.withLeaderAndIsr(partition.replicas().get(0), partition.leaderEpoch() + 1,
                    partition.isr()));
                moved++;
            }
        }
        return moved;
    }

    /** Whether the partition's preferred replica can take its leadership now: not the leader yet, in sync, usable. */
    static boolean canLeadPreferred(final MetadataImage image, final Partition partition)
    {
        final int preferred = partition.replicas().get(0);
        final Broker broker = image.broker(preferred);
        return partition.leader() != preferred && partition.isr().contains(preferred) && broker != null && broker.active();
    }

    /**
     * ElectLeaders for one partition. PREFERRED: its first replica leads if it is in sync and usable
     * (ELECTION_NOT_NEEDED if it already leads, PREFERRED_LEADER_NOT_AVAILABLE if it cannot).
     * UNCLEAN: a partition with no leader gets the first usable replica in assignment order, in sync or
     * not, and an ISR of that replica alone; what it lacks of the last leader's log is lost (as in
     * Kafka, the operator's explicit choice). A partition with a leader needs no election.
     */
    static MetadataReply elect(final MetadataImage image, final MetadataCommand.ElectLeader command, final MetadataChange change)
    {
        final long correlationId = command.correlationId();
        final Topic topic = image.topic(command.topic());
        if (topic == null || command.partition() < 0 || command.partition() >= topic.partitions().size())
        {
            return BrokerLifecycle.error(correlationId, org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_OR_PARTITION,
                command.topic() + "-" + command.partition() + " does not exist");
        }
        final Partition partition = topic.partitions().get(command.partition());
        if (!command.unclean())
        {
            if (partition.leader() == partition.replicas().get(0))
            {
                return BrokerLifecycle.error(correlationId, org.apache.kafka.common.protocol.Errors.ELECTION_NOT_NEEDED,
                    "the preferred replica " + partition.leader() + " leads already");
            }
            if (!canLeadPreferred(image, partition))
            {
                return BrokerLifecycle.error(correlationId, org.apache.kafka.common.protocol.Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                    "the preferred replica " + partition.replicas().get(0) + " is not in sync or not usable");
            }
            change.partition(topic.id(), partition.withLeaderAndIsr(partition.replicas().get(0), partition.leaderEpoch() + 1,
                partition.isr()));
            return BrokerLifecycle.error(correlationId, org.apache.kafka.common.protocol.Errors.NONE, "");
        }
        if (partition.leader() != MetadataImage.NO_LEADER)
        {
            return BrokerLifecycle.error(correlationId, org.apache.kafka.common.protocol.Errors.ELECTION_NOT_NEEDED,
                "broker " + partition.leader() + " leads it");
        }
        for (final int candidate : partition.replicas())
        {
            final Broker broker = image.broker(candidate);
            if (broker != null && broker.active())
            {
                change.partition(topic.id(), partition.withLeaderAndIsr(candidate, partition.leaderEpoch() + 1, List.of(candidate)));
                return BrokerLifecycle.error(correlationId, org.apache.kafka.common.protocol.Errors.NONE, "");
            }
        }
        return BrokerLifecycle.error(correlationId, org.apache.kafka.common.protocol.Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE,
            "no replica of " + command.topic() + "-" + command.partition() + " is on a usable broker");
    }

    /** Kafka's choice: the first replica, in assignment order, that is in the ISR and usable. */
    private static int nextLeader(final MetadataImage image, final List<Integer> replicas, final List<Integer> isr, final int leaving)
    {
        for (final int candidate : replicas)
        {
            final Broker broker = image.broker(candidate);
            if (candidate != leaving && isr.contains(candidate) && broker != null && broker.active())
            {
                return candidate;
            }
        }
        return MetadataImage.NO_LEADER;
    }
}
