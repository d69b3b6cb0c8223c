package io.runnel.cluster.metadata;

import java.util.List;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * A reply of the metadata quorum to one command, decoded ({@link MetadataReplies}). A command that
 * failed as a whole gets a {@link CommandResult} with its error, whatever its kind.
 */
public sealed interface MetadataReply
{
    long correlationId();

    /**
     * The outcome of a command: {@code errorCode} is Kafka's; per-topic outcomes for commands with many topics.
     */
    record CommandResult(long correlationId, short errorCode, String message, List<TopicResult> topics) implements MetadataReply
    {
        public CommandResult
        {
            topics = List.copyOf(topics);
        }

        public Errors error()
        {
            return Errors.forCode(errorCode);
        }
    }

    /** One topic's outcome; {@code topicId} is zero when the topic was not found. */
    record TopicResult(String name, Uuid topicId, short errorCode, String message)
    {
        public Errors error()
        {
            return Errors.forCode(errorCode);
        }
    }

    /** The broker is registered (fenced until it heartbeats wanting to be unfenced). */
    record BrokerRegistered(long correlationId, long brokerEpoch, String clusterId) implements MetadataReply
    {
    }

    /**
     * @param isCaughtUp     the broker has applied an image at least as new as its own registration.
     * @param shouldShutDown controlled shutdown is done: its leaderships have moved (the broker has
     *                       already received those changes: they precede this reply on its session).
     */
    record BrokerHeartbeatReply(long correlationId, boolean isCaughtUp, boolean isFenced, boolean shouldShutDown) implements MetadataReply
    {
    }

    /** Producer ids {@code firstProducerId} to {@code firstProducerId + size - 1} are this broker's to hand out. */
    record ProducerIdBlock(long correlationId, long firstProducerId, int size) implements MetadataReply
    {
    }
}
