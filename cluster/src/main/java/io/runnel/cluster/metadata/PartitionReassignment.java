package io.runnel.cluster.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.AlterPartitionReassignment;
import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * Partition reassignment as Kafka's controller does it (KIP-455). A partition moved to a target
 * gets the replicas target ∪ original (the target's first, so its first replica is the preferred
 * leader), with the replicas being added and removed recorded beside them; the new replicas fetch
 * from the leader, and once the leader's AlterPartition has every target replica in the ISR the
 * move completes: replicas = target, ISR = ISR ∩ target, and a leader outside the target hands over
 * to the first target replica in the ISR on a usable broker (leader epoch + 1). A cancel puts the
 * original replicas back (ISR ∩ original), as does a new target before it is applied over them.
 */
final class PartitionReassignment
{
    private PartitionReassignment()
    {
    }

    /** AlterPartitionReassignments for one partition: a move to a target, or a cancel; the reply carries Kafka's error. */
    static MetadataReply alter(final MetadataImage image, final AlterPartitionReassignment command, final MetadataChange change)
    {
        final long correlationId = command.correlationId();
        final Topic topic = image.topic(command.topic());
        if (topic == null || command.partition() < 0 || command.partition() >= topic.partitions().size())
        {
            return BrokerLifecycle.error(correlationId, Errors.UNKNOWN_TOPIC_OR_PARTITION, command.topic() + "-" + command.partition()
                + " does not exist");
        }
        final Partition partition = topic.partitions().get(command.partition());
        if (command.cancel() && !partition.isReassigning())
        {
            return BrokerLifecycle.error(correlationId, Errors.NO_REASSIGNMENT_IN_PROGRESS, "no reassignment of " + command.topic() + "-"
                + command.partition() + " is in progress");
        }
        final Partition original = partition.isReassigning() ? reverted(partition) : partition;
        final Partition next;
        if (command.cancel())
        {
            next = settled(image, partition, original.replicas(), original.isr(), List.of(), List.of());
        }
        else
        {
            final String invalid = invalidTarget(image, command.targetReplicas());
            if (invalid != null)
            {
                return BrokerLifecycle.error(correlationId, Errors.INVALID_REPLICA_ASSIGNMENT, invalid);
            }
            final List<Integer> target = command.targetReplicas();
            if (!command.allowReplicationFactorChange() && target.size() != original.replicas().size())
            {
                return BrokerLifecycle.error(correlationId, Errors.INVALID_REPLICATION_FACTOR, "The replication factor is changed from "
                    + original.replicas().size() + " to " + target.size());
            }
            final List<Integer> replicas = new ArrayList<>(target);
            final List<Integer> removing = new ArrayList<>();
            for (final int replica : original.replicas())
            {
                if (!target.contains(replica))
                {
                    replicas.add(replica);
                    removing.add(replica);
                }
            }
            final List<Integer> adding = new ArrayList<>();
            for (final int replica : target)
            {
                if (!original.replicas().contains(replica))
                {
                    adding.add(replica);
                }
            }
            next = settled(image, partition, replicas, original.isr(), adding, removing);
        }
        if (!next.equals(partition))
        {
            change.partition(topic.id(), next);
        }
        return BrokerLifecycle.error(correlationId, Errors.NONE, "");
    }

    /**
     * The partition after its leader changed the ISR to {@code isr}: its reassignment completes if
     * every target replica is in sync now.
     */
    static Partition afterIsrChange(final MetadataImage image, final Partition partition, final List<Integer> isr)
    {
        return settled(image, partition, partition.replicas(), isr, partition.addingReplicas(), partition.removingReplicas());
    }

    /**
     * The partition as it was before its reassignment (Kafka's PartitionReassignmentRevert): the
     * replicas and ISR without the ones being added. An ISR of added replicas only (every original
     * one fell out of sync) becomes the original replicas, as in Kafka.
     */
    private static Partition reverted(final Partition partition)
    {
        final List<Integer> replicas = new ArrayList<>(partition.replicas());
        replicas.removeAll(partition.addingReplicas());
        final List<Integer> isr = new ArrayList<>(partition.isr());
        isr.removeAll(partition.addingReplicas());
        return new Partition(partition.partition(), replicas, isr.isEmpty() ? replicas : isr, partition.leader(),
            partition.leaderEpoch(), partition.partitionEpoch());
    }

    /**
     * {@code before} with these replicas, ISR and reassignment, completed if every target replica is
     * in sync, and led by a replica it keeps: {@code before} itself when nothing changes.
     */
    private static Partition settled(final MetadataImage image, final Partition before, final List<Integer> replicas,
        final List<Integer> isr, final List<Integer> adding, final List<Integer> removing)
    {
        List<Integer> nextReplicas = replicas;
        List<Integer> nextIsr = isr;
        List<Integer> nextAdding = adding;
        List<Integer> nextRemoving = removing;
        if (!adding.isEmpty() || !removing.isEmpty())
        {
            final List<Integer> target = new ArrayList<>(replicas);
            target.removeAll(removing);
            final List<Integer> targetIsr = new ArrayList<>(isr);
            targetIsr.removeAll(removing);
            if (!targetIsr.isEmpty() && targetIsr.containsAll(target))
            {
                nextReplicas = target;
                nextIsr = targetIsr;
                nextAdding = List.of();
                nextRemoving = List.of();
            }
        }
        int leader = before.leader();
        int leaderEpoch = before.leaderEpoch();
        if (leader != MetadataImage.NO_LEADER && !(nextReplicas.contains(leader) && nextIsr.contains(leader)))
        {
            leader = firstUsableInSync(image, nextReplicas, nextIsr);
            leaderEpoch++;
        }
        if (leader == before.leader() && leaderEpoch == before.leaderEpoch() && nextReplicas.equals(before.replicas())
            && nextIsr.equals(before.isr()) && nextAdding.equals(before.addingReplicas()) && nextRemoving.equals(before.removingReplicas()))
        {
            return before;
        }
        return new Partition(before.partition(), nextReplicas, nextIsr, leader, leaderEpoch, before.partitionEpoch() + 1, nextAdding,
            nextRemoving);
    }

    /** Kafka's choice: the first replica, in assignment order, that is in sync and on a usable broker. */
    private static int firstUsableInSync(final MetadataImage image, final List<Integer> replicas, final List<Integer> isr)
    {
        for (final int candidate : replicas)
        {
            final Broker broker = image.broker(candidate);
            if (isr.contains(candidate) && broker != null && broker.active())
            {
                return candidate;
            }
        }
        return MetadataImage.NO_LEADER;
    }

    /** Kafka's checks of a manual assignment (INVALID_REPLICA_ASSIGNMENT), with its messages; null if it is valid. */
    private static String invalidTarget(final MetadataImage image, final List<Integer> target)
    {
        if (target.isEmpty())
        {
            return "The manual partition assignment includes an empty replica list.";
        }
        if (target.size() > MetadataLimits.MAX_REPLICATION_FACTOR)
        {
            return "The manual partition assignment names " + target.size() + " replicas; at most "
                + MetadataLimits.MAX_REPLICATION_FACTOR + " are taken.";
        }
        if (new HashSet<>(target).size() != target.size())
        {
            return "The manual partition assignment includes the partition more than once.";
        }
        for (final int replica : target)
        {
            if (image.broker(replica) == null)
            {
                return "The manual partition assignment includes broker " + replica + ", but no such broker is registered.";
            }
        }
        return null;
    }
}
