package io.runnel.io.api;

/** A request waiting on its shard for data or a deadline (long-poll fetch). */
public interface ParkedOperation
{
    /** Checked every duty cycle: true once the operation should run again. */
    boolean isReady(long nowMs);

    void resume(long nowMs);
}
