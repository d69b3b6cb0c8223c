package io.runnel.kernel.shard;

/**
 * An acknowledgement parked until replication lets it go (acks=all): it is told once, on its
 * partition's shard, whether the high watermark passed its batch, the partition stopped being
 * led here at its epoch, or its time ran out.
 */
public interface ReplicationWaiter
{
    enum Outcome
    {
        /** The high watermark reached the end of the batch: every in-sync replica has it. */
        REPLICATED,
        /** The partition has another leader, or another epoch: the batch may be truncated away. */
        NOT_LEADER,
        /** The request's timeout passed first. */
        TIMED_OUT
    }

    void onReplicated(Outcome outcome);
}
