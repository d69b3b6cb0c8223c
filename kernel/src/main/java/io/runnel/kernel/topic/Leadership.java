package io.runnel.kernel.topic;

import java.util.List;

/**
 * Who leads a partition and who holds its replicas, as the metadata says: the leader's node id
 * ({@link #NO_LEADER} while none is eligible), the leader epoch (it moves on every leader change, and
 * fences requests that name an older one), the replicas and the in-sync replicas, and while the
 * partition is reassigned (KIP-455) the replicas being added and removed (all of them among the
 * replicas). Immutable; a partition's is replaced whole when the metadata changes, so any thread
 * reads a consistent one.
 */
public record Leadership(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr, List<Integer> addingReplicas,
    List<Integer> removingReplicas)
{
    /** Kafka's leader id for a partition with no leader. */
    public static final int NO_LEADER = -1;

    public Leadership
    {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
    }

    /** A partition that is not being reassigned. */
    public Leadership(final int leader, final int leaderEpoch, final List<Integer> replicas, final List<Integer> isr)
    {
        this(leader, leaderEpoch, replicas, isr, List.of(), List.of());
    }

    /** True while replicas are being added or removed (AlterPartitionReassignments). */
    public boolean isReassigning()
    {
        return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
    }

    /** A single node's partition: led by it from its creation on, at epoch 0, for ever. */
    public static Leadership singleNode(final int nodeId)
    {
        return new Leadership(nodeId, 0, List.of(nodeId), List.of(nodeId));
    }

    public boolean isLedBy(final int nodeId)
    {
        return leader == nodeId;
    }

    public boolean hasReplicaOn(final int nodeId)
    {
        return replicas.contains(nodeId);
    }
}
