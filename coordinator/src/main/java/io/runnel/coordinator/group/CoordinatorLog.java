package io.runnel.coordinator.group;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;

/**
 * Where a coordinator's records go: the {@code __consumer_offsets} partitions its shard owns
 * (Kafka's {@code PartitionWriter} and loader). Separate from the coordinator so its state machine
 * can be tested with an in-memory log.
 */
interface CoordinatorLog
{
    /** {@link #leaderEpochIfLed}'s answer for a partition this coordinator must not serve. */
    int NOT_LED = -1;

    /**
     * The leader epoch of the offsets partition if this shard owns it and this node leads it (so
     * this coordinator serves its groups); {@link #NOT_LED} otherwise: another broker's, or a follower here.
     */
    int leaderEpochIfLed(int partition);

    /** Hands every keyed record of the partition, oldest first, to {@code sink}: key, and value (null for a tombstone). */
    void forEachRecord(int partition, BiConsumer<ByteBuffer, ByteBuffer> sink);

    /**
     * Appends the records, in order, as one batch to the offsets partition.
     *
     * @return the offset after the batch: what {@link #whenCommitted} waits for.
     * @throws java.io.UncheckedIOException if the partition is offline (disk full, I/O error): nothing was appended.
     */
    long append(int partition, List<CoordinatorRecord> records, long timestampMs);

    /**
     * Tells {@code done}, once, whether the partition up to {@code endOffset} is committed: durable
     * here and, when the partition has several replicas, in every in-sync replica while this node
     * still leads at {@code leaderEpoch} (Kafka's acks=all for offset commits). False when it cannot
     * be (an fsync failed, the leadership moved, or the wait timed out).
     */
    void whenCommitted(int partition, int leaderEpoch, long endOffset, Consumer<Boolean> done);
}
