package io.runnel.kernel.shard;

/**
 * Work sent to a shard through a {@link ShardProxy}: executed on the receiving shard's thread.
 * Every command says what happens when it fails, so that a failure on another shard still
 * reaches whoever waits for the command's answer (for a request: as an error response) instead
 * of vanishing in a log line. That is why this is not a functional interface.
 */
public interface ShardCommand
{
    /** Runs on the receiving shard's thread. */
    void execute(Shard shard);

    /**
     * Runs on the same thread when {@link #execute} threw: records the failure where the answer
     * goes and sends the answer on, exactly as a successful execution would have.
     */
    void onFailure(Shard shard, Throwable cause);
}
