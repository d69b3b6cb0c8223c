package io.runnel.io.api.control;

import java.util.HashMap;
import java.util.Map;

import io.runnel.io.DescribedConfigs;
import io.runnel.io.api.BrokerServices;
import io.runnel.kernel.log.TopicConfigDef;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** CreateTopics, DeleteTopics and CreatePartitions against the single-node registry. */
final class TopicAdmin
{
    /** A single node can hold one replica of each partition. */
    private static final short MAX_REPLICATION_FACTOR = 1;
    /** Upper bound on partitions per request, so a hostile request cannot create millions of files. */
    private static final int MAX_PARTITIONS_PER_TOPIC = 10_000;

    private final BrokerServices services;

    TopicAdmin(final BrokerServices services)
    {
        this.services = services;
    }

    ApiMessage handle(final ApiKeys api, final ApiMessage request, final short version)
    {
        return switch (api)
        {
            case CREATE_TOPICS -> createTopics((CreateTopicsRequestData)request);
            case DELETE_TOPICS -> deleteTopics((DeleteTopicsRequestData)request);
            case CREATE_PARTITIONS -> createPartitions((CreatePartitionsRequestData)request);
            default -> throw new IllegalArgumentException(api.toString());
        };
    }

    private ApiMessage createTopics(final CreateTopicsRequestData request)
    {
        final CreateTopicsResponseData response = new CreateTopicsResponseData();
        for (final CreateTopicsRequestData.CreatableTopic requested : request.topics())
        {
            final CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult()
                .setName(requested.name()).setNumPartitions(-1).setReplicationFactor((short)-1);
            response.topics().add(result);
            final int partitions = !requested.assignments().isEmpty() ? requested.assignments().size() :
                requested.numPartitions() == -1 ? services.config().numPartitions() : requested.numPartitions();
            final Map<String, String> configs = new HashMap<>();
            String configError = null;
            for (final CreateTopicsRequestData.CreatableTopicConfig config : requested.configs())
            {
                final String error = TopicConfigDef.validate(config.name(), config.value());
                configError = configError == null ? error : configError;
                configs.put(config.name(), config.value());
            }
            if (!TopicRegistry.isLegalName(requested.name()))
            {
                fail(result, Errors.INVALID_TOPIC_EXCEPTION, "topic names are 1-249 characters of [a-zA-Z0-9._-]");
            }
            else if (partitions <= 0 || partitions > MAX_PARTITIONS_PER_TOPIC)
            {
                fail(result, Errors.INVALID_PARTITIONS, "partitions must be between 1 and " + MAX_PARTITIONS_PER_TOPIC);
            }
            else if (requested.replicationFactor() > MAX_REPLICATION_FACTOR || requested.replicationFactor() == 0 || requested.replicationFactor() < -1)
            {
                fail(result, Errors.INVALID_REPLICATION_FACTOR, "replication factor must be 1 on a single-node broker");
            }
            else if (!manualAssignmentFitsThisNode(requested))
            {
                fail(result, Errors.INVALID_REPLICA_ASSIGNMENT, "every replica must be on node " + services.config().nodeId());
            }
            else if (configError != null)
            {
                fail(result, Errors.INVALID_CONFIG, configError);
            }
            else if (services.logManager().registry().snapshot().topic(requested.name()) != null)
            {
                fail(result, Errors.TOPIC_ALREADY_EXISTS, "topic " + requested.name() + " already exists");
            }
            else if (request.validateOnly())
            {
                describeCreated(result, partitions, configs, Uuid.ZERO_UUID);
            }
            else
            {
                final Topic topic = services.logManager().createTopic(requested.name(), partitions, configs);
                if (topic == null)
                {
                    fail(result, Errors.TOPIC_ALREADY_EXISTS, "topic " + requested.name() + " already exists or is being deleted");
                }
                else
                {
                    describeCreated(result, partitions, configs, topic.id());
                }
            }
        }
        return response;
    }

    private boolean manualAssignmentFitsThisNode(final CreateTopicsRequestData.CreatableTopic requested)
    {
        if (requested.assignments().isEmpty())
        {
            return true;
        }
        if (requested.numPartitions() != -1 || requested.replicationFactor() != -1)
        {
            return false;
        }
        int expected = 0;
        for (final CreateTopicsRequestData.CreatableReplicaAssignment assignment : requested.assignments())
        {
            if (assignment.partitionIndex() != expected++ || !assignment.brokerIds().equals(java.util.List.of(services.config().nodeId())))
            {
                return false;
            }
        }
        return true;
    }

    private void describeCreated(final CreateTopicsResponseData.CreatableTopicResult result, final int partitions,
        final Map<String, String> overrides, final Uuid id)
    {
        result.setTopicId(id).setNumPartitions(partitions).setReplicationFactor(MAX_REPLICATION_FACTOR);
        for (final DescribedConfigs.Entry entry : services.config().describedConfigs().topic(overrides))
        {
            result.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs()
                .setName(entry.name())
                .setValue(entry.value())
                .setReadOnly(ConfigDescriber.readOnly(entry))
                .setConfigSource(entry.source().id())
                .setIsSensitive(entry.sensitive()));
        }
    }

    private static void fail(final CreateTopicsResponseData.CreatableTopicResult result, final Errors error, final String message)
    {
        result.setErrorCode(error.code()).setErrorMessage(message);
    }

    private ApiMessage deleteTopics(final DeleteTopicsRequestData request)
    {
        final DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        final var snapshot = services.logManager().registry().snapshot();
        for (final String name : request.topicNames())
        {
            response.responses().add(delete(name, null, snapshot.topic(name)));
        }
        for (final DeleteTopicsRequestData.DeleteTopicState state : request.topics())
        {
            final Topic topic = state.name() != null ? snapshot.topic(state.name()) : snapshot.topic(state.topicId());
            response.responses().add(delete(state.name(), state.topicId(), topic));
        }
        return response;
    }

    private DeleteTopicsResponseData.DeletableTopicResult delete(final String name, final Uuid id, final Topic topic)
    {
        final DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
            .setName(topic != null ? topic.name() : name)
            .setTopicId(topic != null ? topic.id() : id == null ? Uuid.ZERO_UUID : id);
        if (topic == null || services.logManager().deleteTopic(topic.name()) == null)
        {
            final boolean byId = name == null && id != null;
            return result.setErrorCode(byId ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        return result;
    }

    private ApiMessage createPartitions(final CreatePartitionsRequestData request)
    {
        final CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        for (final CreatePartitionsRequestData.CreatePartitionsTopic requested : request.topics())
        {
            final CreatePartitionsResponseData.CreatePartitionsTopicResult result =
                new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(requested.name());
            response.results().add(result);
            final Topic topic = services.logManager().registry().snapshot().topic(requested.name());
            if (topic == null)
            {
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("no topic " + requested.name());
            }
            else if (requested.count() <= topic.partitionCount())
            {
                result.setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage(
                    "topic has " + topic.partitionCount() + " partitions; the new count must be larger, was " + requested.count());
            }
            else if (requested.count() > MAX_PARTITIONS_PER_TOPIC)
            {
                result.setErrorCode(Errors.INVALID_PARTITIONS.code()).setErrorMessage("at most " + MAX_PARTITIONS_PER_TOPIC + " partitions");
            }
            else if (requested.assignments() != null && !requested.assignments().isEmpty() &&
                requested.assignments().stream().anyMatch(a -> !a.brokerIds().equals(java.util.List.of(services.config().nodeId()))))
            {
                result.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code()).setErrorMessage(
                    "every replica must be on node " + services.config().nodeId());
            }
            else if (!request.validateOnly())
            {
                services.logManager().createPartitions(requested.name(), requested.count());
            }
        }
        return response;
    }
}
