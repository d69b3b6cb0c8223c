package io.runnel.coordinator.group;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One {@code __consumer_offsets} partition this node leads, loaded: its groups' state machine and
 * timers (Kafka's coordinator shard per partition). It lives from the load that followed this
 * node becoming the partition's leader at {@code leaderEpoch} until the leadership moves, when it
 * is dropped whole: the next leader loads the same records.
 */
final class OffsetsPartition
{
    final int index;
    final int leaderEpoch;
    final GroupTimers timers;
    final GroupStateMachine machine;
    /** Applies an expired timer's result; set by the coordinator, which owns the log. */
    Consumer<CoordinatorResult<?>> applyTimerResult;

    OffsetsPartition(final int index, final int leaderEpoch, final GroupConfig config, final Supplier<TopicsImage> topics, final long nowMs)
    {
        this.index = index;
        this.leaderEpoch = leaderEpoch;
        this.timers = new GroupTimers(nowMs);
        this.machine = new GroupStateMachine(config, topics, timers, nowMs);
    }
}
