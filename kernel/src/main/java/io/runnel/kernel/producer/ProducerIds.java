package io.runnel.kernel.producer;

/**
 * Where InitProducerId gets new producer ids: never one handed out before, by this broker or any
 * other of its cluster. Thread-safe.
 */
public interface ProducerIds
{
    /** Kafka's answer while no id is at hand (a cluster member waiting for a block): the producer retries. */
    long NONE_AVAILABLE = -1;

    /** @return a new id, or {@link #NONE_AVAILABLE} if none can be given now */
    long nextProducerId();
}
