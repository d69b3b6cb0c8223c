package io.runnel.cluster.metadata;

import java.util.List;

import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import org.apache.kafka.common.Uuid;

/**
 * A command to the metadata quorum, decoded: what a broker sends (encoded by
 * {@link MetadataCommands#encode}) and what the state machine acts on. Every command has a
 * correlation id that its reply carries back.
 */
public sealed interface MetadataCommand
{
    long correlationId();

    /** The same command under another correlation id (a sender numbers its commands as it sends them). */
    MetadataCommand withCorrelationId(long id);

    /** A broker process starts (or restarts) and joins; the reply is its epoch. */
    record RegisterBroker(long correlationId, int nodeId, Uuid incarnationId, String clusterId, String rack, List<Endpoint> listeners)
        implements MetadataCommand
    {
        @Override
        public RegisterBroker withCorrelationId(final long id)
        {
            return new RegisterBroker(id, nodeId, incarnationId, clusterId, rack, listeners);
        }

        public RegisterBroker
        {
            listeners = List.copyOf(listeners);
        }
    }

    /**
     * Keeps a broker's session alive and says what it wants.
     *
     * @param wantFence               true while the broker is not ready to lead (still loading).
     * @param wantShutdown            controlled shutdown: hand my leaderships to others, then fence me.
     * @param caughtUpMetadataVersion the version of the image the broker has applied.
     */
    record BrokerHeartbeat(long correlationId, int nodeId, long brokerEpoch, boolean wantFence, boolean wantShutdown, long caughtUpMetadataVersion)
        implements MetadataCommand
    {
        @Override
        public BrokerHeartbeat withCorrelationId(final long id)
        {
            return new BrokerHeartbeat(id, nodeId, brokerEpoch, wantFence, wantShutdown, caughtUpMetadataVersion);
        }
    }

    record CreateTopics(long correlationId, boolean validateOnly, List<NewTopic> topics) implements MetadataCommand
    {
        @Override
        public CreateTopics withCorrelationId(final long id)
        {
            return new CreateTopics(id, validateOnly, topics);
        }

        public CreateTopics
        {
            topics = List.copyOf(topics);
        }
    }

    /** A topic to create; the client chooses its id, so that every replica gives it the same one. */
    record NewTopic(String name, Uuid topicId, int partitions, short replicationFactor, List<ConfigEntry> configs)
    {
        public NewTopic
        {
            configs = List.copyOf(configs);
        }
    }

    record ConfigEntry(String key, String value)
    {
    }

    record DeleteTopics(long correlationId, List<TopicReference> topics) implements MetadataCommand
    {
        @Override
        public DeleteTopics withCorrelationId(final long id)
        {
            return new DeleteTopics(id, topics);
        }

        public DeleteTopics
        {
            topics = List.copyOf(topics);
        }
    }

    /** A topic named by id, or (when the id is {@link Uuid#ZERO_UUID}) by name. */
    record TopicReference(String name, Uuid topicId)
    {
        public boolean byId()
        {
            return !Uuid.ZERO_UUID.equals(topicId);
        }
    }

    record CreatePartitions(long correlationId, boolean validateOnly, List<PartitionCount> topics) implements MetadataCommand
    {
        @Override
        public CreatePartitions withCorrelationId(final long id)
        {
            return new CreatePartitions(id, validateOnly, topics);
        }

        public CreatePartitions
        {
            topics = List.copyOf(topics);
        }
    }

    /** The new total number of partitions of a topic. */
    record PartitionCount(String name, int count)
    {
    }

    record AlterTopicConfigs(long correlationId, boolean validateOnly, List<TopicConfigChanges> topics) implements MetadataCommand
    {
        @Override
        public AlterTopicConfigs withCorrelationId(final long id)
        {
            return new AlterTopicConfigs(id, validateOnly, topics);
        }

        public AlterTopicConfigs
        {
            topics = List.copyOf(topics);
        }
    }

    record TopicConfigChanges(String name, List<ConfigChange> changes)
    {
        public TopicConfigChanges
        {
            changes = List.copyOf(changes);
        }
    }

    /** Set {@code key} to {@code value}, or delete {@code key} when {@code value} is null. */
    record ConfigChange(String key, String value)
    {
        public boolean delete()
        {
            return value == null;
        }
    }

    record AllocateProducerIds(long correlationId, int nodeId, long brokerEpoch) implements MetadataCommand
    {
        @Override
        public AllocateProducerIds withCorrelationId(final long id)
        {
            return new AllocateProducerIds(id, nodeId, brokerEpoch);
        }
    }

    /** Send the whole image to this session now; every change after it is broadcast. */
    /**
     * A partition's leader changes its in-sync replicas: refused unless {@code nodeId} leads it at
     * {@code leaderEpoch} and its ISR is still {@code currentIsr}.
     */
    record AlterPartition(long correlationId, int nodeId, long brokerEpoch, Uuid topicId, int partition, int leaderEpoch,
        List<Integer> currentIsr, List<Integer> newIsr) implements MetadataCommand
    {
        public AlterPartition
        {
            currentIsr = List.copyOf(currentIsr);
            newIsr = List.copyOf(newIsr);
        }

        @Override
        public AlterPartition withCorrelationId(final long id)
        {
            return new AlterPartition(id, nodeId, brokerEpoch, topicId, partition, leaderEpoch, currentIsr, newIsr);
        }
    }

    /**
     * Kafka's ElectLeaders for one partition: PREFERRED gives it to its first replica if that one is
     * in sync and usable; UNCLEAN gives a partition without a leader to any usable replica, in sync
     * or not (what it lacks of the old leader's log is lost).
     */
    record ElectLeader(long correlationId, boolean unclean, String topic, int partition) implements MetadataCommand
    {
        @Override
        public ElectLeader withCorrelationId(final long id)
        {
            return new ElectLeader(id, unclean, topic, partition);
        }
    }

    /**
     * Kafka's AlterPartitionReassignments for one partition (KIP-455): move it to
     * {@code targetReplicas}, or, with {@code targetReplicas} null, cancel its reassignment.
     *
     * @param allowReplicationFactorChange false: a target of another size than the original replicas is refused (v1).
     */
    record AlterPartitionReassignment(long correlationId, String topic, int partition, List<Integer> targetReplicas,
        boolean allowReplicationFactorChange) implements MetadataCommand
    {
        public AlterPartitionReassignment
        {
            targetReplicas = targetReplicas == null ? null : List.copyOf(targetReplicas);
        }

        /** Cancels the partition's reassignment. */
        public boolean cancel()
        {
            return targetReplicas == null;
        }

        @Override
        public AlterPartitionReassignment withCorrelationId(final long id)
        {
            return new AlterPartitionReassignment(id, topic, partition, targetReplicas, allowReplicationFactorChange);
        }
    }

    record SubscribeImage(long correlationId) implements MetadataCommand
    {
        @Override
        public SubscribeImage withCorrelationId(final long id)
        {
            return new SubscribeImage(id);
        }
    }
}
