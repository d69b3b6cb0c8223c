package io.runnel.io.api;

/** A request waiting on its shard for data or its deadline (long-poll fetch); see {@link ParkedOperations}. */
public interface ParkedOperation
{
    /** Checked every duty cycle while parked: true once the operation should run again before its deadline. */
    boolean isReady();

    /** Runs the operation again: because it became ready, or because its deadline came. */
    void resume(long nowMs);
}
