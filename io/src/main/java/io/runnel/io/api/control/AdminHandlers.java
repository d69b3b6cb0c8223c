package io.runnel.io.api.control;

import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.io.api.SupportedApis;
import io.runnel.io.api.TopicCreation;
import io.runnel.kernel.metadata.BrokerEndpoint;
import io.runnel.kernel.metadata.ClusterView;
import io.runnel.kernel.metadata.QuorumStatus;
import io.runnel.kernel.producer.ProducerIds;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.TopicRegistry;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * The synchronous control-plane APIs: each request is read with kafka-clients' message classes,
 * answered from the topic registry and broker settings, and written back the same way.
 * Topic administration and configs live in {@link TopicAdmin}, {@link ConfigDescriber} and {@link ConfigAlterer}.
 */
public final class AdminHandlers
{
    /** Kafka's sentinel for "authorized operations not requested". */
    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;
    /** DescribeCluster v1+: which endpoints are asked for, brokers' or controllers'. */
    private static final byte BROKER_ENDPOINT = 1;
    private static final byte CONTROLLER_ENDPOINT = 2;

    private final ApiShard local;
    private final BrokerServices services;
    private final TopicAdmin topicAdmin;
    private final ConfigDescriber configs;
    private final ConfigAlterer configAlterer;
    private final QuorumDescriber quorum;
    private final ElectLeadersHandler electLeaders;
    private final ReassignmentHandler reassignments;
    /** The listener's APIs (ApiVersions); on a controller listener DescribeCluster answers with controllers. */
    private final SupportedApis apis;

    public AdminHandlers(final ApiShard local, final BrokerServices services, final SupportedApis apis)
    {
        this.local = local;
        this.apis = apis;
        this.services = services;
        this.topicAdmin = new TopicAdmin(local, services);
        this.configs = new ConfigDescriber(services);
        this.configAlterer = new ConfigAlterer(local, services);
        this.quorum = new QuorumDescriber(services.cluster());
        this.electLeaders = new ElectLeadersHandler(local, services);
        this.reassignments = new ReassignmentHandler(local, services);
    }

    public void handle(final RequestContext context)
    {
        final ApiMessage request = ControlMessages.readRequest(context.api(), context.apiVersion(), context.body());
        switch (context.api())
        {
            case METADATA ->
            {
                metadataAfterAutoCreation(context, (MetadataRequestData)request);
                return;
            }
            case CREATE_TOPICS, DELETE_TOPICS, CREATE_PARTITIONS ->
            {
                topicAdmin.handle(context, request);
                return;
            }
            case INCREMENTAL_ALTER_CONFIGS, ALTER_CONFIGS ->
            {
                configAlterer.handle(context, request);
                return;
            }
            case ELECT_LEADERS ->
            {
                electLeaders.handle(context, (org.apache.kafka.common.message.ElectLeadersRequestData)request);
                return;
            }
            case ALTER_PARTITION_REASSIGNMENTS ->
            {
                reassignments.alter(context, (org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData)request);
                return;
            }
            case LIST_PARTITION_REASSIGNMENTS ->
            {
                reassignments.list(context, (org.apache.kafka.common.message.ListPartitionReassignmentsRequestData)request);
                return;
            }
            default ->
            {
            }
        }
        final ApiMessage response = switch (context.api())
        {
            case API_VERSIONS -> apiVersions((ApiVersionsRequestData)request);
            case INIT_PRODUCER_ID -> initProducerId((InitProducerIdRequestData)request);
            case DESCRIBE_CONFIGS -> configs.describe(request, context.apiVersion());
            case DESCRIBE_CLUSTER -> describeCluster((DescribeClusterRequestData)request);
            case DESCRIBE_QUORUM -> quorum.describe((DescribeQuorumRequestData)request, context.apiVersion());
            default -> throw new IllegalStateException("no handler for " + context.api());
        };
        context.respond(response);
    }

    private ApiMessage apiVersions(final ApiVersionsRequestData request)
    {
        return new ApiVersionsResponseData()
            .setErrorCode(Errors.NONE.code())
            .setApiKeys(apis.advertised())
            .setThrottleTimeMs(0);
    }

    /**
     * Metadata answers once the conductor has created the unknown topics the request may
     * auto-create (auto.create.topics.enable, and the request allows it from v4).
     */
    private void metadataAfterAutoCreation(final RequestContext context, final MetadataRequestData request)
    {
        final short version = context.apiVersion();
        final List<String> toCreate = new java.util.ArrayList<>();
        final boolean autoCreate = services.config().autoCreateTopics() && (version < 4 || request.allowAutoTopicCreation());
        if (autoCreate && request.topics() != null)
        {
            final var snapshot = services.logManager().registry().snapshot();
            for (final MetadataRequestData.MetadataRequestTopic requested : request.topics())
            {
                if (requested.name() != null && TopicRegistry.isLegalName(requested.name()) && snapshot.topic(requested.name()) == null)
                {
                    toCreate.add(requested.name());
                }
            }
        }
        TopicCreation.createThen(local, context, toCreate, services.config().numPartitions(), java.util.Map.of(),
            () -> context.respond(metadata(request, version)));
    }

    private ApiMessage metadata(final MetadataRequestData request, final short version)
    {
        final ClusterView cluster = services.cluster();
        final MetadataResponseData response = new MetadataResponseData()
            .setClusterId(cluster.clusterId())
            .setControllerId(cluster.controllerForClients())
            .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (final BrokerEndpoint broker : cluster.liveBrokers())
        {
            response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(broker.nodeId()).setHost(broker.host()).setPort(broker.port()).setRack(broker.rack()));
        }
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
                if (!TopicRegistry.isLegalName(requested.name()))
                {
                    response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                        .setName(requested.name()).setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()));
                    continue;
                }
                topic = snapshot.topic(requested.name());
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
        final ClusterView cluster = services.cluster();
        final MetadataResponseData.MetadataResponseTopic out = new MetadataResponseData.MetadataResponseTopic()
            .setName(topic.name())
            .setTopicId(topic.id())
            .setIsInternal(topic.isInternal())
            .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (int i = 0; i < topic.partitionCount(); i++)
        {
            final Partition partition = topic.partition(i);
            final Leadership leadership = partition.leadership();
            // A partition offline after a failed write here: this replica is offline, as Kafka reports a failed log dir.
            final boolean offlineHere = partition.state().isOffline();
            final List<Integer> offline = new ArrayList<>();
            for (final int replica : leadership.replicas())
            {
                if (cluster.liveBroker(replica) == null || (offlineHere && replica == cluster.localNodeId()))
                {
                    offline.add(replica);
                }
            }
            final boolean leaderLive = cluster.liveBroker(leadership.leader()) != null;
            final Errors error = !leaderLive ? Errors.LEADER_NOT_AVAILABLE
                : offlineHere && leadership.isLedBy(cluster.localNodeId()) ? Errors.KAFKA_STORAGE_ERROR : Errors.NONE;
            out.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                .setPartitionIndex(i)
                .setErrorCode(error.code())
                .setLeaderId(leaderLive ? leadership.leader() : Leadership.NO_LEADER)
                .setLeaderEpoch(leadership.leaderEpoch())
                .setReplicaNodes(leadership.replicas())
                .setIsrNodes(leadership.isr())
                .setOfflineReplicas(offline));
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
        final long producerId = services.producerIds().nextProducerId();
        if (producerId == ProducerIds.NONE_AVAILABLE)
        {
            // A cluster member waiting for its next block from the quorum; Kafka answers the same, and the producer retries.
            return response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        }
        return response.setProducerId(producerId).setProducerEpoch((short)0);
    }

    private ApiMessage describeCluster(final DescribeClusterRequestData request)
    {
        final ClusterView cluster = services.cluster();
        final byte served = apis == SupportedApis.CONTROLLER_LISTENER ? CONTROLLER_ENDPOINT : BROKER_ENDPOINT;
        final DescribeClusterResponseData response = new DescribeClusterResponseData()
            .setClusterId(cluster.clusterId())
            .setEndpointType(served)
            .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        if (request.endpointType() != served)
        {
            // As Kafka: a broker lists brokers, a controller controllers (the AdminClient's bootstrap.controllers asks for those).
            return response.setControllerId(-1).setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                .setErrorMessage(served == CONTROLLER_ENDPOINT ? "a controller listener lists controllers only (endpoint type 2)"
                    : "a broker listener lists brokers only (endpoint type 1)");
        }
        response.setControllerId(served == CONTROLLER_ENDPOINT ? cluster.controllerId() : cluster.controllerForClients());
        if (served == CONTROLLER_ENDPOINT)
        {
            for (final QuorumStatus.Endpoint voter : cluster.quorumStatus().endpoints())
            {
                response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(voter.nodeId()).setHost(voter.host()).setPort(voter.port()));
            }
            return response;
        }
        for (final BrokerEndpoint broker : cluster.liveBrokers())
        {
            response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                .setBrokerId(broker.nodeId()).setHost(broker.host()).setPort(broker.port()).setRack(broker.rack()));
        }
        return response;
    }
}
