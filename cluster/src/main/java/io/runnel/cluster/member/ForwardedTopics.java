package io.runnel.cluster.member;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.runnel.cluster.metadata.MetadataCommand;
import io.runnel.cluster.metadata.MetadataReply;
import io.runnel.kernel.conductor.QuorumTopics;
import io.runnel.kernel.conductor.TopicResult;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Topic changes asked of this broker (CreateTopics, CreatePartitions, configs, DeleteTopics, and
 * auto-creation), forwarded to the metadata quorum as commands; each is answered once, with the
 * quorum's outcome for that topic in the conductor's terms.
 */
final class ForwardedTopics implements QuorumTopics
{
    /** Sends a command from the member's thread; the reply (null: none in time) comes back on it. */
    @FunctionalInterface
    interface CommandSender
    {
        void send(MetadataCommand command, Consumer<MetadataReply> onReply);
    }

    private final CommandSender sender;

    ForwardedTopics(final CommandSender sender)
    {
        this.sender = sender;
    }

    @Override
    public void createTopic(final String name, final int partitions, final short replicationFactor, final Map<String, String> configs,
        final Consumer<TopicResult> done)
    {
        final List<MetadataCommand.ConfigEntry> entries = new ArrayList<>();
        configs.forEach((key, value) -> entries.add(new MetadataCommand.ConfigEntry(key, value)));
        final MetadataCommand command = new MetadataCommand.CreateTopics(0, false,
            List.of(new MetadataCommand.NewTopic(name, Uuid.randomUuid(), partitions, replicationFactor, entries)));
        sender.send(command, reply -> done.accept(resultOf(name, reply)));
    }

    @Override
    public void createPartitions(final String name, final int newCount, final Consumer<TopicResult> done)
    {
        final MetadataCommand command = new MetadataCommand.CreatePartitions(0, false, List.of(new MetadataCommand.PartitionCount(name, newCount)));
        sender.send(command, reply -> done.accept(resultOf(name, reply)));
    }

    @Override
    public void alterTopicConfigs(final String name, final Map<String, String> before, final Map<String, String> after,
        final Consumer<TopicResult> done)
    {
        final List<MetadataCommand.ConfigChange> changes = new ArrayList<>();
        after.forEach((key, value) ->
        {
            if (!value.equals(before.get(key)))
            {
                changes.add(new MetadataCommand.ConfigChange(key, value));
            }
        });
        before.keySet().stream().filter(key -> !after.containsKey(key)).forEach(key -> changes.add(new MetadataCommand.ConfigChange(key, null)));
        final MetadataCommand command = new MetadataCommand.AlterTopicConfigs(0, false, List.of(new MetadataCommand.TopicConfigChanges(name, changes)));
        sender.send(command, reply -> done.accept(resultOf(name, reply)));
    }

    @Override
    public void deleteTopic(final String name, final Consumer<TopicResult> done)
    {
        final MetadataCommand command = new MetadataCommand.DeleteTopics(0, List.of(new MetadataCommand.TopicReference(name, Uuid.ZERO_UUID)));
        sender.send(command, reply -> done.accept(resultOf(name, reply)));
    }

    @Override
    public void electLeader(final String name, final int partition, final boolean unclean, final Consumer<TopicResult> done)
    {
        sender.send(new MetadataCommand.ElectLeader(0, unclean, name, partition), reply -> done.accept(resultOf(name, reply)));
    }

    @Override
    public void reassignPartition(final String name, final int partition, final List<Integer> targetReplicas,
        final boolean allowReplicationFactorChange, final Consumer<TopicResult> done)
    {
        sender.send(new MetadataCommand.AlterPartitionReassignment(0, name, partition, targetReplicas, allowReplicationFactorChange),
            reply -> done.accept(resultOf(name, reply)));
    }

    /** The quorum's answer for one topic as the conductor's outcome (null: no answer in time). */
    static TopicResult resultOf(final String name, final MetadataReply reply)
    {
        if (reply == null)
        {
            return TopicResult.failed(TopicResult.Outcome.TIMED_OUT, "the metadata quorum did not answer in time");
        }
        if (!(reply instanceof MetadataReply.CommandResult result))
        {
            return TopicResult.failed(TopicResult.Outcome.FAILED, "unexpected answer from the quorum: " + reply);
        }
        Errors error = result.error();
        String message = result.message();
        for (final MetadataReply.TopicResult topic : result.topics())
        {
            if (topic.name().equals(name) || result.topics().size() == 1)
            {
                error = error == Errors.NONE ? topic.error() : error;
                message = topic.message();
            }
        }
        return switch (error)
        {
            case NONE -> TopicResult.done(null);
            case TOPIC_ALREADY_EXISTS -> TopicResult.failed(TopicResult.Outcome.ALREADY_EXISTS, message);
            case UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID -> TopicResult.failed(TopicResult.Outcome.UNKNOWN_TOPIC, message);
            case INVALID_PARTITIONS -> TopicResult.failed(TopicResult.Outcome.INVALID_PARTITIONS, message);
            case INVALID_REPLICATION_FACTOR -> TopicResult.failed(TopicResult.Outcome.INVALID_REPLICATION_FACTOR, message);
            case INVALID_CONFIG, INVALID_TOPIC_EXCEPTION, POLICY_VIOLATION -> TopicResult.failed(TopicResult.Outcome.INVALID_CONFIG, message);
            case INVALID_REQUEST -> TopicResult.failed(TopicResult.Outcome.INVALID_REQUEST, message);
            case ELECTION_NOT_NEEDED -> TopicResult.failed(TopicResult.Outcome.ELECTION_NOT_NEEDED, message);
            case PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE -> TopicResult.failed(TopicResult.Outcome.NOT_ELECTABLE, message);
            case INVALID_REPLICA_ASSIGNMENT -> TopicResult.failed(TopicResult.Outcome.INVALID_REPLICA_ASSIGNMENT, message);
            case NO_REASSIGNMENT_IN_PROGRESS -> TopicResult.failed(TopicResult.Outcome.NO_REASSIGNMENT_IN_PROGRESS, message);
            default -> TopicResult.failed(TopicResult.Outcome.FAILED, error + ": " + message);
        };
    }
}
