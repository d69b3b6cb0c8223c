package io.runnel.io.api.control;

import java.util.List;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.io.api.SupportedApis;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * The synchronous control-plane APIs: each request is read with kafka-clients' message classes,
 * answered from the topic registry and broker settings, and written back the same way.
 * Topic administration and configs live in {@link TopicAdmin} and {@link ConfigDescriber}.
 */
public final class AdminHandlers
{
    /** Kafka's sentinel for "authorized operations not requested". */
    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;
    /** DescribeCluster v1+: 1 = the request went to a broker (2 would be a controller). */
    private static final byte BROKER_ENDPOINT = 1;

    private final BrokerServices services;
    private final TopicAdmin topicAdmin;
    private final ConfigDescriber configs;

    public AdminHandlers(final BrokerServices services)
    {
        this.services = services;
        this.topicAdmin = new TopicAdmin(services);
        this.configs = new ConfigDescriber(services);
    }

    public void handle(final RequestContext context)
    {
        final ApiMessage request = ControlMessages.readRequest(context.api(), context.apiVersion(), context.body());
        final ApiMessage response = switch (context.api())
        {
            case API_VERSIONS -> apiVersions((ApiVersionsRequestData)request);
            case METADATA -> metadata((MetadataRequestData)request, context.apiVersion());
            case CREATE_TOPICS, DELETE_TOPICS, CREATE_PARTITIONS -> topicAdmin.handle(context.api(), request, context.apiVersion());
            case INIT_PRODUCER_ID -> initProducerId((InitProducerIdRequestData)request);
            case DESCRIBE_CONFIGS -> configs.describe(request);
            case DESCRIBE_CLUSTER -> describeCluster((DescribeClusterRequestData)request);
            default -> throw new IllegalStateException("no handler for " + context.api());
        };
        context.respond(response);
    }

    private ApiMessage apiVersions(final ApiVersionsRequestData request)
    {
        return new ApiVersionsResponseData()
            .setErrorCode(Errors.NONE.code())
            .setApiKeys(SupportedApis.advertised())
            .setThrottleTimeMs(0);
    }

    private ApiMessage metadata(final MetadataRequestData request, final short version)
    {
        final var config = services.config();
        final MetadataResponseData response = new MetadataResponseData()
            .setClusterId(config.clusterId())
            .setControllerId(config.nodeId())
            .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
            .setNodeId(config.nodeId()).setHost(config.advertisedHost()).setPort(config.advertisedPort()));
        final var snapshot = services.logManager().registry().snapshot();
        // v0: an empty list means all topics; v1+: null means all topics.
        final boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (allTopics)
        {
            for (final Topic topic : snapshot.topics())
            {
                response.topics().add(describe(topic));
            }
            return response;
        }
        for (final MetadataRequestData.MetadataRequestTopic requested : request.topics())
        {
            Topic topic = null;
            if (requested.name() != null)
            {
                final boolean autoCreate = version < 4 || request.allowAutoTopicCreation();
                if (!io.runnel.kernel.topic.TopicRegistry.isLegalName(requested.name()))
                {
                    response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                        .setName(requested.name()).setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()));
                    continue;
                }
                topic = services.topicOrAutoCreate(requested.name(), autoCreate);
            }
            else if (requested.topicId() != null)
            {
                topic = snapshot.topic(requested.topicId());
            }
            if (topic == null)
            {
                response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                    .setName(requested.name())
                    .setTopicId(requested.topicId() == null ? org.apache.kafka.common.Uuid.ZERO_UUID : requested.topicId())
                    .setErrorCode(requested.name() == null ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
                continue;
            }
            response.topics().add(describe(topic));
        }
        return response;
    }

    private MetadataResponseData.MetadataResponseTopic describe(final Topic topic)
    {
        final int node = services.config().nodeId();
        final MetadataResponseData.MetadataResponseTopic out = new MetadataResponseData.MetadataResponseTopic()
            .setName(topic.name())
            .setTopicId(topic.id())
            .setIsInternal(topic.isInternal())
            .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (int i = 0; i < topic.partitionCount(); i++)
        {
            out.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                .setPartitionIndex(i)
                .setLeaderId(node)
                .setLeaderEpoch(0)
                .setReplicaNodes(List.of(node))
                .setIsrNodes(List.of(node))
                .setOfflineReplicas(List.of()));
        }
        return out;
    }

    /**
     * Idempotent producers only: a new id at epoch 0, or (KIP-360) the same id with the next epoch
     * when the producer asks to bump; transactional ids are refused until transactions land.
     */
    private ApiMessage initProducerId(final InitProducerIdRequestData request)
    {
        final InitProducerIdResponseData response = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short)-1);
        if (request.transactionalId() != null)
        {
            return response.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        }
        if (request.producerId() >= 0 && request.producerEpoch() >= 0 && request.producerEpoch() < Short.MAX_VALUE - 1)
        {
            return response.setProducerId(request.producerId()).setProducerEpoch((short)(request.producerEpoch() + 1));
        }
        return response.setProducerId(services.producerIds().nextProducerId()).setProducerEpoch((short)0);
    }

    private ApiMessage describeCluster(final DescribeClusterRequestData request)
    {
        final var config = services.config();
        final DescribeClusterResponseData response = new DescribeClusterResponseData()
            .setClusterId(config.clusterId())
            .setControllerId(config.nodeId())
            .setEndpointType(BROKER_ENDPOINT)
            .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
            .setBrokerId(config.nodeId()).setHost(config.advertisedHost()).setPort(config.advertisedPort()));
        return response;
    }
}
