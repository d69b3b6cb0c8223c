package io.runnel.coordinator.group;

import java.util.List;

import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;

/**
 * Where a coordinator's records go: the {@code __consumer_offsets} partitions its shard owns
 * (Kafka's {@code PartitionWriter}). Separate from the coordinator so its state machine can be
 * tested with an in-memory log.
 */
interface CoordinatorLog
{
    /** True if this coordinator's shard owns the offsets partition, so appends to it can succeed. */
    boolean owns(int partition);

    /** Appends the records, in order, as one batch to the offsets partition. */
    void append(int partition, List<CoordinatorRecord> records, long timestampMs);

    /** Runs {@code ack} once everything appended so far is durable. */
    void whenDurable(Runnable ack);
}
