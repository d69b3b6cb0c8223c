package io.runnel.io.api.control;

import java.util.HashMap;
import java.util.Map;

import io.runnel.io.DescribedConfigs;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.conductor.TopicResult;
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
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreateTopics, DeleteTopics and CreatePartitions. Requests are validated here, on the
 * connection's shard; the changes themselves are the conductor's (it does the file work), and the
 * response goes out when the conductor has answered for every topic in the request.
 */
final class TopicAdmin
{
    /** Upper bound on partitions per request, so a hostile request cannot create millions of files. */
    private static final int MAX_PARTITIONS_PER_TOPIC = 10_000;

    private final ApiShard local;
    private final BrokerServices services;

    TopicAdmin(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    void handle(final RequestContext context, final ApiMessage request)
    {
        switch (context.api())
        {
            case CREATE_TOPICS -> createTopics(context, (CreateTopicsRequestData)request);
            case DELETE_TOPICS -> deleteTopics(context, (DeleteTopicsRequestData)request);
            case CREATE_PARTITIONS -> createPartitions(context, (CreatePartitionsRequestData)request);
            default -> throw new IllegalArgumentException(context.api().toString());
        }
    }

    private void createTopics(final RequestContext context, final CreateTopicsRequestData request)
    {
        final CreateTopicsResponseData response = new CreateTopicsResponseData();
        final ConductorAnswers answers = new ConductorAnswers(context, response);
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
            else if (requested.replicationFactor() > services.cluster().maxReplicationFactor() || requested.replicationFactor() == 0
                || requested.replicationFactor() < -1)
            {
                fail(result, Errors.INVALID_REPLICATION_FACTOR, services.cluster().maxReplicationFactor() == 1
                    ? "replication factor must be 1: partitions do not replicate between brokers here (runnel.replication.enable)"
                    : "replication factor must be between 1 and " + services.cluster().maxReplicationFactor());
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
                describeCreated(result, partitions, requested.replicationFactor() == -1 ? 1 : requested.replicationFactor(), configs,
                    Uuid.ZERO_UUID);
            }
            else
            {
                final short replicationFactor = requested.replicationFactor() == -1 ? 1 : requested.replicationFactor();
                local.conductor().createTopic(requested.name(), partitions, replicationFactor, configs, answers.expect(outcome ->
                {
                    if (outcome.isDone())
                    {
                        describeCreated(result, partitions, replicationFactor, configs, outcome.topic().id());
                    }
                    else if (outcome.outcome() == TopicResult.Outcome.ALREADY_EXISTS)
                    {
                        fail(result, Errors.TOPIC_ALREADY_EXISTS, outcome.message());
                    }
                    else
                    {
                        fail(result, ConductorAnswers.errorOf(outcome), outcome.message());
                    }
                }));
            }
        }
        answers.allAsked();
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
        final short replicationFactor, final Map<String, String> overrides, final Uuid id)
    {
        result.setTopicId(id).setNumPartitions(partitions).setReplicationFactor(replicationFactor);
        for (final DescribedConfigs.Entry entry : services.brokerConfigs().described().topic(overrides))
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

    private void deleteTopics(final RequestContext context, final DeleteTopicsRequestData request)
    {
        final DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        final ConductorAnswers answers = new ConductorAnswers(context, response);
        final var snapshot = services.logManager().registry().snapshot();
        for (final String name : request.topicNames())
        {
            delete(response, answers, name, null, snapshot.topic(name));
        }
        for (final DeleteTopicsRequestData.DeleteTopicState state : request.topics())
        {
            final Topic topic = state.name() != null ? snapshot.topic(state.name()) : snapshot.topic(state.topicId());
            delete(response, answers, state.name(), state.topicId(), topic);
        }
        answers.allAsked();
    }

    private void delete(final DeleteTopicsResponseData response, final ConductorAnswers answers, final String name, final Uuid id, final Topic topic)
    {
        final DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
            .setName(topic != null ? topic.name() : name)
            .setTopicId(topic != null ? topic.id() : id == null ? Uuid.ZERO_UUID : id);
        response.responses().add(result);
        final boolean byId = name == null && id != null;
        final short unknown = byId ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code();
        if (topic == null)
        {
            result.setErrorCode(unknown);
            return;
        }
        local.conductor().deleteTopic(topic.name(), answers.expect(outcome ->
        {
            if (outcome.outcome() == TopicResult.Outcome.UNKNOWN_TOPIC)
            {
                result.setErrorCode(unknown);
            }
            else if (!outcome.isDone())
            {
                result.setErrorCode(ConductorAnswers.errorOf(outcome).code()).setErrorMessage(outcome.message());
            }
        }));
    }

    private void createPartitions(final RequestContext context, final CreatePartitionsRequestData request)
    {
        final CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        final ConductorAnswers answers = new ConductorAnswers(context, response);
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
                local.conductor().createPartitions(requested.name(), requested.count(), answers.expect(outcome ->
                {
                    if (!outcome.isDone())
                    {
                        result.setErrorCode(ConductorAnswers.errorOf(outcome).code()).setErrorMessage(outcome.message());
                    }
                }));
            }
        }
        answers.allAsked();
    }
}
