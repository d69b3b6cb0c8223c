package io.runnel.kernel.shard;

/** Work a layer above the kernel (the network reactor) adds to a shard's duty cycle. */
public interface ShardDuty
{
    /** @return how much work was done; 0 lets the idle strategy back off. */
    int doWork(long nowMs);

    /** Called on the shard's thread as it stops. */
    default void onClose()
    {
    }
}
