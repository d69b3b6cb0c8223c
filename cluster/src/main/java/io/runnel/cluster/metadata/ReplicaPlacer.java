package io.runnel.cluster.metadata;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import io.runnel.cluster.metadata.MetadataImage.Broker;

/**
 * Chooses the replicas of new partitions, deterministically. The usable brokers are arranged
 * rack by rack in turn (racks by name, brokers by node id within a rack: the arrangement of Kafka's
 * rack-aware assignment); partition {@code i}'s first replica, its leader, is the arrangement's
 * broker {@code start + i}, so leaders go round the brokers evenly and the caller rotates
 * {@code start} from topic to topic. The other replicas follow the leader in the arrangement,
 * shifted by one more every time the partitions have gone once round the brokers (as Kafka's
 * placement does, so that one broker's followers are not always the same brokers), taking a
 * broker of a rack the partition does not use yet while there is one. A broker without a rack is
 * in the rack "".
 */
final class ReplicaPlacer
{
    private final List<Broker> arranged;

    /** @param usable the brokers to place on, in node id order; none fenced. */
    ReplicaPlacer(final List<Broker> usable)
    {
        this.arranged = arrangeByRack(usable);
    }

    int brokerCount()
    {
        return arranged.size();
    }

    /**
     * @return for each of {@code count} partitions, its {@code replicationFactor} replicas' node
     * ids, leader first.
     */
    List<List<Integer>> place(final int start, final int count, final int replicationFactor)
    {
        final int brokers = arranged.size();
        if (replicationFactor < 1 || replicationFactor > brokers)
        {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " with " + brokers + " brokers");
        }
        final List<List<Integer>> assignments = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int first = Math.floorMod(start + i, brokers);
            final int shift = brokers > 1 ? (i / brokers) % (brokers - 1) : 0;
            assignments.add(replicasOf(first, shift, replicationFactor));
        }
        return assignments;
    }

    private List<Integer> replicasOf(final int first, final int shift, final int replicationFactor)
    {
        final int brokers = arranged.size();
        final List<Integer> replicas = new ArrayList<>(replicationFactor);
        final Set<String> racksUsed = new HashSet<>();
        final boolean[] taken = new boolean[brokers];
        replicas.add(arranged.get(first).nodeId());
        racksUsed.add(arranged.get(first).rack());
        taken[first] = true;
        while (replicas.size() < replicationFactor)
        {
            int choice = -1;
            for (int k = 0; k < brokers - 1 && choice < 0; k++)
            {
                final int candidate = candidate(first, shift, k);
                if (!taken[candidate] && !racksUsed.contains(arranged.get(candidate).rack()))
                {
                    choice = candidate;
                }
            }
            for (int k = 0; k < brokers - 1 && choice < 0; k++)
            {
                final int candidate = candidate(first, shift, k);
                if (!taken[candidate])
                {
                    choice = candidate;
                }
            }
            replicas.add(arranged.get(choice).nodeId());
            racksUsed.add(arranged.get(choice).rack());
            taken[choice] = true;
        }
        return replicas;
    }

    /** The {@code k}th of the other brokers after {@code first}, in the arrangement's order turned by {@code shift}. */
    private int candidate(final int first, final int shift, final int k)
    {
        final int brokers = arranged.size();
        return (first + 1 + (shift + k) % (brokers - 1)) % brokers;
    }

    /** One broker of each rack in turn: rack a's first, rack b's first, ..., rack a's second, ... */
    private static List<Broker> arrangeByRack(final List<Broker> usable)
    {
        final TreeMap<String, List<Broker>> byRack = new TreeMap<>();
        for (final Broker broker : usable)
        {
            byRack.computeIfAbsent(broker.rack(), rack -> new ArrayList<>()).add(broker);
        }
        final List<Broker> arranged = new ArrayList<>(usable.size());
        for (int round = 0; arranged.size() < usable.size(); round++)
        {
            for (final List<Broker> rack : byRack.values())
            {
                if (round < rack.size())
                {
                    arranged.add(rack.get(round));
                }
            }
        }
        return arranged;
    }
}
