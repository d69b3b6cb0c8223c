package io.runnel.kernel.conductor;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;


/**
 * Where a cluster member's topic changes are decided: the metadata quorum. The conductor forwards
 * CreateTopics, CreatePartitions, DeleteTopics (from clients and from auto-creation) and topic config changes here instead of
 * making them itself, and answers the asking shard once the quorum committed the change and this
 * broker applied it (see {@code ConductorProxy}). A single node has none.
 *
 * <p>Implementations are thread-safe: any shard may ask. Each ask is answered exactly once, on any
 * thread, with {@link TopicResult.Outcome#TIMED_OUT} if the quorum does not answer in time.
 * A DONE answer carries no topic: the conductor fills in the topic as this broker applied it.
 */
public interface QuorumTopics
{
    void createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs, Consumer<TopicResult> done);

    void createPartitions(String name, int newCount, Consumer<TopicResult> done);

    void deleteTopic(String name, Consumer<TopicResult> done);

    /** ElectLeaders for one partition: its preferred replica, or with {@code unclean} any usable replica if it has no leader. */
    void electLeader(String name, int partition, boolean unclean, Consumer<TopicResult> done);

    /**
     * AlterPartitionReassignments for one partition: moves it to {@code targetReplicas}, or with
     * {@code targetReplicas} null cancels its reassignment.
     */
    void reassignPartition(String name, int partition, List<Integer> targetReplicas, boolean allowReplicationFactorChange,
        Consumer<TopicResult> done);

    /** Replaces the topic's config overrides {@code before} (as this broker has them) by {@code after}, validated by the caller. */
    void alterTopicConfigs(String name, Map<String, String> before, Map<String, String> after, Consumer<TopicResult> done);
}
