package io.runnel.kernel.conductor;

/**
 * Receives the conductor's answer, on the thread that asked: a shard's thread when a shard
 * asked through its {@link ConductorProxy}, the conductor's own thread for an external caller.
 */
public interface TopicResultHandler
{
    void onResult(TopicResult result);

    /** The answer arrived but {@link #onResult} threw: answer the requester with an error instead. */
    void onFailure(Throwable cause);
}
