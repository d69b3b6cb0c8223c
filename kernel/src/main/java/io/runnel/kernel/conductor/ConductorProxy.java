package io.runnel.kernel.conductor;

import java.util.List;
import java.util.Map;

import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.topic.Leadership;
import org.apache.kafka.common.Uuid;

/**
 * How one thread asks the conductor for a control-plane change. The ask returns at once; the
 * answer comes back later to the asking shard's thread (see {@link TopicResultHandler}). When the
 * conductor's queue is full the answer is {@link TopicResult.Outcome#BUSY}, at once, on the
 * caller's thread: a client is better told to retry than a shard made to wait.
 */
public final class ConductorProxy
{
    private final Conductor conductor;
    private final int requesterShard;

    ConductorProxy(final Conductor conductor, final int requesterShard)
    {
        this.conductor = conductor;
        this.requesterShard = requesterShard;
    }

    public void createTopic(final String name, final int partitions, final Map<String, String> configs, final TopicResultHandler handler)
    {
        createTopic(name, partitions, (short)1, configs, handler);
    }

    /** As {@link #createTopic(String, int, Map, TopicResultHandler)}, with {@code replicationFactor} replicas of each partition (a cluster's). */
    public void createTopic(final String name, final int partitions, final short replicationFactor, final Map<String, String> configs,
        final TopicResultHandler handler)
    {
        final QuorumTopics quorum = conductor.quorumTopics();
        if (quorum != null)
        {
            quorum.createTopic(name, partitions, replicationFactor, configs, answer -> submit(new AnswerFromQuorum(name, false, answer, handler, requesterShard)));
            return;
        }
        submit(new CreateTopic(name, partitions, configs, handler, requesterShard));
    }

    public void createPartitions(final String name, final int newCount, final TopicResultHandler handler)
    {
        final QuorumTopics quorum = conductor.quorumTopics();
        if (quorum != null)
        {
            quorum.createPartitions(name, newCount, answer -> submit(new AnswerFromQuorum(name, false, answer, handler, requesterShard)));
            return;
        }
        submit(new CreatePartitions(name, newCount, handler, requesterShard));
    }

    public void deleteTopic(final String name, final TopicResultHandler handler)
    {
        final QuorumTopics quorum = conductor.quorumTopics();
        if (quorum != null)
        {
            quorum.deleteTopic(name, answer -> submit(new AnswerFromQuorum(name, true, answer, handler, requesterShard)));
            return;
        }
        submit(new DeleteTopic(name, handler, requesterShard));
    }

    /**
     * ElectLeaders for one partition (a cluster member's: the quorum decides); answered once this
     * broker applied the move. A single node's partitions have one replica, which leads: no election
     * is needed.
     */
    public void electLeader(final String name, final int partition, final boolean unclean, final TopicResultHandler handler)
    {
        final QuorumTopics quorum = conductor.quorumTopics();
        if (quorum == null)
        {
            handler.onResult(TopicResult.failed(TopicResult.Outcome.ELECTION_NOT_NEEDED, "a single node's replica leads already"));
            return;
        }
        quorum.electLeader(name, partition, unclean, answer -> submit(new AnswerFromQuorum(name, false, answer, handler, requesterShard)));
    }

    /**
     * AlterPartitionReassignments for one partition: moves it to {@code targetReplicas}, or with
     * {@code targetReplicas} null cancels its reassignment (a cluster member's: the quorum decides);
     * answered once this broker applied the change. A single node is a cluster of one broker: its
     * partitions may be "moved" to itself only, and none is ever being reassigned.
     */
    public void reassignPartition(final String name, final int partition, final List<Integer> targetReplicas,
        final boolean allowReplicationFactorChange, final TopicResultHandler handler)
    {
        final QuorumTopics quorum = conductor.quorumTopics();
        if (quorum == null)
        {
            final int self = conductor.registry().localNodeId();
            handler.onResult(targetReplicas == null
                ? TopicResult.failed(TopicResult.Outcome.NO_REASSIGNMENT_IN_PROGRESS, "no reassignment of " + name + "-" + partition
                    + " is in progress")
                : targetReplicas.equals(List.of(self)) ? TopicResult.done(null)
                : TopicResult.failed(TopicResult.Outcome.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment " + targetReplicas
                    + " names a broker other than " + self + ", the only one."));
            return;
        }
        quorum.reassignPartition(name, partition, targetReplicas, allowReplicationFactorChange,
            answer -> submit(new AnswerFromQuorum(name, false, answer, handler, requesterShard)));
    }

    /**
     * Changes a topic's config overrides (IncrementalAlterConfigs, AlterConfigs); answered once every
     * partition's shard applies them. With {@code validateOnly} the change is only checked.
     */
    public void alterTopicConfigs(final String name, final ConfigChange change, final boolean validateOnly, final TopicResultHandler handler)
    {
        final QuorumTopics quorum = conductor.quorumTopics();
        if (quorum != null)
        {
            submit(new ForwardTopicConfigs(name, change, validateOnly, quorum, handler, requesterShard));
            return;
        }
        submit(new AlterTopicConfigs(name, change, validateOnly, handler, requesterShard));
    }

    /** Changes the broker's dynamic keys; answered once every partition's shard has its new settings. */
    public void alterBrokerConfigs(final BrokerConfigUpdate update, final TopicResultHandler handler)
    {
        submit(new AlterBrokerConfigs(update, handler, requesterShard));
    }

    /**
     * A cluster member applies a topic as the metadata quorum committed it (new, grown, reconfigured
     * or with moved leaders); answered once the shards hold the logs of its partitions hosted here.
     */
    public void applyTopicMetadata(final String name, final Uuid id, final Map<String, String> configs, final List<Leadership> leaderships,
        final TopicResultHandler handler)
    {
        submit(new ApplyTopicMetadata(name, id, configs, leaderships, handler, requesterShard));
    }

    /** A cluster member removes a topic the metadata quorum deleted, as a single node's {@link #deleteTopic} does. */
    public void removeTopicMetadata(final String name, final TopicResultHandler handler)
    {
        submit(new DeleteTopic(name, handler, requesterShard));
    }

    private void submit(final TopicOperation operation)
    {
        if (!conductor.offer(operation))
        {
            operation.handler().onResult(TopicResult.failed(TopicResult.Outcome.BUSY,
                "the broker's control plane is busy; retry"));
        }
    }
}
