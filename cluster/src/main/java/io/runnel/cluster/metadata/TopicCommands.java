package io.runnel.cluster.metadata;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import io.runnel.cluster.metadata.MetadataCommand.AlterTopicConfigs;
import io.runnel.cluster.metadata.MetadataCommand.ConfigChange;
import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreatePartitions;
import io.runnel.cluster.metadata.MetadataCommand.CreateTopics;
import io.runnel.cluster.metadata.MetadataCommand.DeleteTopics;
import io.runnel.cluster.metadata.MetadataCommand.NewTopic;
import io.runnel.cluster.metadata.MetadataCommand.PartitionCount;
import io.runnel.cluster.metadata.MetadataCommand.TopicConfigChanges;
import io.runnel.cluster.metadata.MetadataCommand.TopicReference;
import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.cluster.metadata.MetadataReply.TopicResult;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Topic commands: create, delete, add partitions, alter configs. Each topic of a command succeeds
 * or fails on its own, as in Kafka, and gets its own result; validate-only commands check
 * everything and change nothing. Config values are the broker's to validate before it sends;
 * this stores them.
 */
final class TopicCommands
{
    /** Checks one topic; null when it is fine. */
    @FunctionalInterface
    private interface Check
    {
        TopicResult problem();
    }

    CommandResult createTopics(final MetadataImage image, final CreateTopics command, final MetadataChange change)
    {
        final List<Broker> usable = usableBrokers(image);
        final ReplicaPlacer placer = new ReplicaPlacer(usable);
        final Set<String> duplicates = duplicateNames(command.topics().stream().map(NewTopic::name).toList());
        final Set<String> created = new HashSet<>();
        final Map<String, String> createdByUnifiedName = new HashMap<>();
        final Set<Uuid> createdIds = new HashSet<>();
        int placedPartitions = image.partitionCount();
        int newPartitions = 0;
        final List<TopicResult> results = new ArrayList<>();
        for (final NewTopic topic : command.topics())
        {
            final int partitionsSoFar = newPartitions;
            final TopicResult problem = firstProblem(
                () -> duplicates.contains(topic.name()) ? result(topic.name(), Errors.INVALID_REQUEST, "Duplicate topic name.") : null,
                () -> invalidName(topic.name()),
                () -> image.topic(topic.name()) != null || created.contains(topic.name()) ?
                    result(topic.name(), Errors.TOPIC_ALREADY_EXISTS, "Topic '" + topic.name() + "' already exists.") : null,
                () -> collision(image, createdByUnifiedName, topic.name()),
                () -> invalidTopicId(image, createdIds, topic),
                () -> invalidPartitionCount(topic.name(), topic.partitions(), partitionsSoFar),
                () -> invalidReplicationFactor(topic.name(), topic.replicationFactor(), usable.size()),
                () -> invalidConfigs(topic.name(), topic.configs()));
            if (problem != null)
            {
                results.add(problem);
                continue;
            }
            results.add(new TopicResult(topic.name(), topic.topicId(), Errors.NONE.code(), ""));
            created.add(topic.name());
            createdByUnifiedName.put(unified(topic.name()), topic.name());
            createdIds.add(topic.topicId());
            newPartitions += topic.partitions();
            if (!command.validateOnly())
            {
                final TreeMap<String, String> configs = new TreeMap<>();
                topic.configs().forEach(entry -> configs.put(entry.key(), entry.value()));
                change.topic(topic.topicId(), topic.name(), configs);
                stagePartitions(change, topic.topicId(), 0,
                    placer.place(Math.floorMod(placedPartitions, usable.size()), topic.partitions(), topic.replicationFactor()));
                placedPartitions += topic.partitions();
            }
        }
        return new CommandResult(command.correlationId(), Errors.NONE.code(), "", results);
    }

    CommandResult deleteTopics(final MetadataImage image, final DeleteTopics command, final MetadataChange change)
    {
        final Set<Uuid> deleted = new HashSet<>();
        final List<TopicResult> results = new ArrayList<>();
        for (final TopicReference reference : command.topics())
        {
            final Topic topic = reference.byId() ? image.topic(reference.topicId()) : image.topic(reference.name());
            if (topic == null)
            {
                results.add(reference.byId() ?
                    new TopicResult(reference.name(), reference.topicId(), Errors.UNKNOWN_TOPIC_ID.code(), "No topic with id " + reference.topicId()) :
                    result(reference.name(), Errors.UNKNOWN_TOPIC_OR_PARTITION, "No topic named '" + limited(reference.name()) + "'"));
            }
            else if (!deleted.add(topic.id()))
            {
                results.add(new TopicResult(topic.name(), topic.id(), Errors.INVALID_REQUEST.code(), "Duplicate topic in the request."));
            }
            else
            {
                change.removeTopic(topic.id());
                results.add(new TopicResult(topic.name(), topic.id(), Errors.NONE.code(), ""));
            }
        }
        return new CommandResult(command.correlationId(), Errors.NONE.code(), "", results);
    }

    CommandResult createPartitions(final MetadataImage image, final CreatePartitions command, final MetadataChange change)
    {
        final List<Broker> usable = usableBrokers(image);
        final ReplicaPlacer placer = new ReplicaPlacer(usable);
        final Set<String> duplicates = duplicateNames(command.topics().stream().map(PartitionCount::name).toList());
        int placedPartitions = image.partitionCount();
        int newPartitions = 0;
        final List<TopicResult> results = new ArrayList<>();
        for (final PartitionCount request : command.topics())
        {
            final Topic topic = image.topic(request.name());
            final int partitionsSoFar = newPartitions;
            final TopicResult problem = firstProblem(
                () -> duplicates.contains(request.name()) ? result(request.name(), Errors.INVALID_REQUEST, "Duplicate topic name.") : null,
                () -> topic == null ?
                    result(request.name(), Errors.UNKNOWN_TOPIC_OR_PARTITION, "No topic named '" + limited(request.name()) + "'") : null,
                () -> invalidNewCount(topic, request.count(), partitionsSoFar),
                () -> invalidReplicationFactor(topic.name(), topic.partitions().get(0).replicas().size(), usable.size()));
            if (problem != null)
            {
                results.add(problem);
                continue;
            }
            final int added = request.count() - topic.partitions().size();
            newPartitions += added;
            results.add(new TopicResult(topic.name(), topic.id(), Errors.NONE.code(), ""));
            if (!command.validateOnly())
            {
                final int replicationFactor = topic.partitions().get(0).replicas().size();
                stagePartitions(change, topic.id(), topic.partitions().size(),
                    placer.place(Math.floorMod(placedPartitions, usable.size()), added, replicationFactor));
                placedPartitions += added;
            }
        }
        return new CommandResult(command.correlationId(), Errors.NONE.code(), "", results);
    }

    CommandResult alterConfigs(final MetadataImage image, final AlterTopicConfigs command, final MetadataChange change)
    {
        final Set<String> duplicates = duplicateNames(command.topics().stream().map(TopicConfigChanges::name).toList());
        final List<TopicResult> results = new ArrayList<>();
        for (final TopicConfigChanges request : command.topics())
        {
            final Topic topic = image.topic(request.name());
            final TreeMap<String, String> next = topic == null ? new TreeMap<>() : new TreeMap<>(topic.configs());
            final TopicResult problem = firstProblem(
                () -> duplicates.contains(request.name()) ? result(request.name(), Errors.INVALID_REQUEST, "Duplicate topic name.") : null,
                () -> topic == null ?
                    result(request.name(), Errors.UNKNOWN_TOPIC_OR_PARTITION, "No topic named '" + limited(request.name()) + "'") : null,
                () -> invalidChanges(request, next));
            if (problem != null)
            {
                results.add(problem);
                continue;
            }
            results.add(new TopicResult(topic.name(), topic.id(), Errors.NONE.code(), ""));
            if (!command.validateOnly())
            {
                for (final ConfigChange config : request.changes())
                {
                    final String current = topic.configs().get(config.key());
                    if (config.delete() ? current != null : !config.value().equals(current))
                    {
                        change.config(topic.id(), config.key(), config.value());
                    }
                }
            }
        }
        return new CommandResult(command.correlationId(), Errors.NONE.code(), "", results);
    }

    private static void stagePartitions(final MetadataChange change, final Uuid topicId, final int firstPartition, final List<List<Integer>> replicas)
    {
        for (int i = 0; i < replicas.size(); i++)
        {
            final List<Integer> assigned = replicas.get(i);
            change.partition(topicId, new Partition(firstPartition + i, assigned, assigned, assigned.get(0), 0, 0));
        }
    }

    private static TopicResult firstProblem(final Check... checks)
    {
        for (final Check check : checks)
        {
            final TopicResult problem = check.problem();
            if (problem != null)
            {
                return problem;
            }
        }
        return null;
    }

    private static TopicResult invalidName(final String name)
    {
        try
        {
            org.apache.kafka.common.internals.Topic.validate(name);
            return null;
        }
        catch (final InvalidTopicException ex)
        {
            return result(name, Errors.INVALID_TOPIC_EXCEPTION, ex.getMessage());
        }
    }

    /** Kafka refuses names that differ from another only in '.' against '_': their metrics would clash. */
    private static TopicResult collision(final MetadataImage image, final Map<String, String> createdByUnifiedName, final String name)
    {
        if (!org.apache.kafka.common.internals.Topic.hasCollisionChars(name))
        {
            return null;
        }
        final String unified = unified(name);
        final String existing = image.topicNameByUnifiedName(unified);
        final String other = existing != null ? existing : createdByUnifiedName.get(unified);
        return other == null ? null :
            result(name, Errors.INVALID_TOPIC_EXCEPTION, "Topic '" + name + "' collides with existing topic: " + other);
    }

    private static TopicResult invalidTopicId(final MetadataImage image, final Set<Uuid> createdIds, final NewTopic topic)
    {
        if (Uuid.RESERVED.contains(topic.topicId()))
        {
            return result(topic.name(), Errors.INVALID_REQUEST, "Topic id " + topic.topicId() + " is reserved.");
        }
        return image.topic(topic.topicId()) != null || createdIds.contains(topic.topicId()) ?
            result(topic.name(), Errors.INVALID_REQUEST, "Topic id " + topic.topicId() + " is in use; choose another.") : null;
    }

    private static TopicResult invalidPartitionCount(final String name, final int partitions, final int newPartitionsSoFar)
    {
        if (partitions < 1)
        {
            return result(name, Errors.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
        }
        return partitions > MetadataLimits.MAX_NEW_PARTITIONS_PER_COMMAND - newPartitionsSoFar ? tooManyPartitions(name) : null;
    }

    private static TopicResult invalidNewCount(final Topic topic, final int count, final int newPartitionsSoFar)
    {
        final int current = topic.partitions().size();
        if (count < current)
        {
            return result(topic.name(), Errors.INVALID_PARTITIONS,
                "Topic currently has " + current + " partitions, which is higher than the requested " + count + ".");
        }
        if (count == current)
        {
            return result(topic.name(), Errors.INVALID_PARTITIONS, "Topic already has " + current + " partitions.");
        }
        return count - current > MetadataLimits.MAX_NEW_PARTITIONS_PER_COMMAND - newPartitionsSoFar ? tooManyPartitions(topic.name()) : null;
    }

    private static TopicResult tooManyPartitions(final String name)
    {
        return result(name, Errors.INVALID_PARTITIONS, "One command creates at most " + MetadataLimits.MAX_NEW_PARTITIONS_PER_COMMAND +
            " partitions; send the rest in another.");
    }

    private static TopicResult invalidReplicationFactor(final String name, final int replicationFactor, final int usableBrokers)
    {
        if (replicationFactor < 1)
        {
            return result(name, Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
        }
        if (replicationFactor > MetadataLimits.MAX_REPLICATION_FACTOR)
        {
            return result(name, Errors.INVALID_REPLICATION_FACTOR, "Replication factor is at most " + MetadataLimits.MAX_REPLICATION_FACTOR + ".");
        }
        if (replicationFactor > usableBrokers)
        {
            return result(name, Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + replicationFactor +
                " time(s): The target replication factor of " + replicationFactor + " cannot be reached because only " +
                usableBrokers + " broker(s) are registered.");
        }
        return null;
    }

    private static TopicResult invalidConfigs(final String name, final List<ConfigEntry> configs)
    {
        final TreeMap<String, String> all = new TreeMap<>();
        for (final ConfigEntry config : configs)
        {
            final TopicResult problem = invalidConfig(name, config.key(), config.value());
            if (problem != null)
            {
                return problem;
            }
            if (all.put(config.key(), config.value()) != null)
            {
                return result(name, Errors.INVALID_REQUEST, "Config " + config.key() + " is given twice.");
            }
        }
        return tooLarge(name, all);
    }

    private static TopicResult invalidChanges(final TopicConfigChanges request, final TreeMap<String, String> next)
    {
        final Set<String> keys = new HashSet<>();
        for (final ConfigChange change : request.changes())
        {
            final TopicResult problem = invalidConfig(request.name(), change.key(), change.delete() ? "" : change.value());
            if (problem != null)
            {
                return problem;
            }
            if (!keys.add(change.key()))
            {
                return result(request.name(), Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + change.key());
            }
            if (change.delete())
            {
                next.remove(change.key());
            }
            else
            {
                next.put(change.key(), change.value());
            }
        }
        return tooLarge(request.name(), next);
    }

    private static TopicResult invalidConfig(final String name, final String key, final String value)
    {
        if (key.isEmpty() || key.length() > MetadataLimits.MAX_SHORT_STRING_LENGTH)
        {
            return result(name, Errors.INVALID_CONFIG, "A config key of " + key.length() + " chars.");
        }
        if (value.length() > MetadataLimits.MAX_CONFIG_VALUE_LENGTH)
        {
            return result(name, Errors.INVALID_CONFIG, "Config " + key + " has a value of " + value.length() + " chars, more than " +
                MetadataLimits.MAX_CONFIG_VALUE_LENGTH + ".");
        }
        return null;
    }

    private static TopicResult tooLarge(final String name, final SortedMap<String, String> configs)
    {
        long bytes = 0;
        for (final Map.Entry<String, String> entry : configs.entrySet())
        {
            bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes > MetadataLimits.MAX_TOPIC_CONFIG_BYTES ? result(name, Errors.INVALID_CONFIG,
            "The topic's configs would take " + bytes + " bytes, more than " + MetadataLimits.MAX_TOPIC_CONFIG_BYTES + ".") : null;
    }

    private static List<Broker> usableBrokers(final MetadataImage image)
    {
        final List<Broker> usable = new ArrayList<>();
        for (final Broker broker : image.brokers().values())
        {
            if (broker.active())
            {
                usable.add(broker);
            }
        }
        return usable;
    }

    private static Set<String> duplicateNames(final List<String> names)
    {
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicates = new HashSet<>();
        for (final String name : names)
        {
            if (!seen.add(name))
            {
                duplicates.add(name);
            }
        }
        return duplicates;
    }

    private static TopicResult result(final String name, final Errors error, final String message)
    {
        return new TopicResult(name, Uuid.ZERO_UUID, error.code(), limited(message));
    }

    private static String unified(final String name)
    {
        return org.apache.kafka.common.internals.Topic.unifyCollisionChars(name);
    }

    private static String limited(final String text)
    {
        return text.length() <= MetadataLimits.MAX_ERROR_MESSAGE_LENGTH ? text : text.substring(0, MetadataLimits.MAX_ERROR_MESSAGE_LENGTH) + "...";
    }
}
