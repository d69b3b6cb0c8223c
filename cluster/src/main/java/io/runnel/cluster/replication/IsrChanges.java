package io.runnel.cluster.replication;

import java.util.List;
import java.util.function.Consumer;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/** Where a leader asks for a partition's in-sync replicas to change: the metadata quorum (AlterPartition). */
@FunctionalInterface
public interface IsrChanges
{
    /**
     * Asks, as the leader at {@code leaderEpoch}, that the ISR move from {@code currentIsr} to
     * {@code newIsr}; {@code done} is told the outcome on some other thread. A committed change
     * arrives as the partition's next leadership.
     */
    void propose(Uuid topicId, int partition, int leaderEpoch, List<Integer> currentIsr, List<Integer> newIsr, Consumer<Errors> done);
}
