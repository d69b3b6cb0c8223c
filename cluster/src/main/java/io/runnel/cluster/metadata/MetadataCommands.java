package io.runnel.cluster.metadata;

import java.util.ArrayList;
import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.AllocateProducerIds;
import io.runnel.cluster.metadata.MetadataCommand.AlterPartition;
import io.runnel.cluster.metadata.MetadataCommand.AlterTopicConfigs;
import io.runnel.cluster.metadata.MetadataCommand.BrokerHeartbeat;
import io.runnel.cluster.metadata.MetadataCommand.ConfigChange;
import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreatePartitions;
import io.runnel.cluster.metadata.MetadataCommand.CreateTopics;
import io.runnel.cluster.metadata.MetadataCommand.DeleteTopics;
import io.runnel.cluster.metadata.MetadataCommand.ElectLeader;
import io.runnel.cluster.metadata.MetadataCommand.NewTopic;
import io.runnel.cluster.metadata.MetadataCommand.PartitionCount;
import io.runnel.cluster.metadata.MetadataCommand.RegisterBroker;
import io.runnel.cluster.metadata.MetadataCommand.SubscribeImage;
import io.runnel.cluster.metadata.MetadataCommand.TopicConfigChanges;
import io.runnel.cluster.metadata.MetadataCommand.TopicReference;
import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import io.runnel.codecs.metadata.AllocateProducerIdsDecoder;
import io.runnel.codecs.metadata.AlterPartitionDecoder;
import io.runnel.codecs.metadata.AlterPartitionEncoder;
import io.runnel.codecs.metadata.AllocateProducerIdsEncoder;
import io.runnel.codecs.metadata.AlterTopicConfigsDecoder;
import io.runnel.codecs.metadata.AlterTopicConfigsEncoder;
import io.runnel.codecs.metadata.BooleanType;
import io.runnel.codecs.metadata.BrokerHeartbeatDecoder;
import io.runnel.codecs.metadata.BrokerHeartbeatEncoder;
import io.runnel.codecs.metadata.ConfigOperation;
import io.runnel.codecs.metadata.CreatePartitionsDecoder;
import io.runnel.codecs.metadata.CreatePartitionsEncoder;
import io.runnel.codecs.metadata.CreateTopicsDecoder;
import io.runnel.codecs.metadata.CreateTopicsEncoder;
import io.runnel.codecs.metadata.DeleteTopicsDecoder;
import io.runnel.codecs.metadata.DeleteTopicsEncoder;
import io.runnel.codecs.metadata.MessageHeaderDecoder;
import io.runnel.codecs.metadata.MessageHeaderEncoder;
import io.runnel.codecs.metadata.RegisterBrokerDecoder;
import io.runnel.codecs.metadata.RegisterBrokerEncoder;
import io.runnel.codecs.metadata.SubscribeImageDecoder;
import io.runnel.codecs.metadata.SubscribeImageEncoder;
import io.runnel.codecs.metadata.ElectLeaderDecoder;
import io.runnel.codecs.metadata.ElectLeaderEncoder;
import io.runnel.codecs.metadata.AlterPartitionReassignmentDecoder;
import io.runnel.codecs.metadata.AlterPartitionReassignmentEncoder;
import io.runnel.codecs.metadata.UuidDecoder;
import io.runnel.codecs.metadata.UuidEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Encodes {@link MetadataCommand}s into the SBE messages of {@code metadata.xml} (the broker's side)
 * and decodes them (the quorum's side). Decoding trusts nothing: it reads through a view of exactly
 * the message's bytes, so a count or length that points past the end fails as a
 * {@link MalformedCommandException} instead of reading a neighbour's bytes. Field values are checked
 * by the state machine, not here. One instance per thread: the flyweights are reused.
 */
public final class MetadataCommands
{
    private static final int CORRELATION_ID_LENGTH = Long.BYTES;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);

    private final RegisterBrokerEncoder registerEncoder = new RegisterBrokerEncoder();
    private final BrokerHeartbeatEncoder heartbeatEncoder = new BrokerHeartbeatEncoder();
    private final CreateTopicsEncoder createTopicsEncoder = new CreateTopicsEncoder();
    private final DeleteTopicsEncoder deleteTopicsEncoder = new DeleteTopicsEncoder();
    private final CreatePartitionsEncoder createPartitionsEncoder = new CreatePartitionsEncoder();
    private final AlterTopicConfigsEncoder alterConfigsEncoder = new AlterTopicConfigsEncoder();
    private final AllocateProducerIdsEncoder producerIdsEncoder = new AllocateProducerIdsEncoder();
    private final AlterPartitionEncoder alterPartitionEncoder = new AlterPartitionEncoder();
    private final AlterPartitionDecoder alterPartitionDecoder = new AlterPartitionDecoder();
    private final SubscribeImageEncoder subscribeEncoder = new SubscribeImageEncoder();
    private final ElectLeaderEncoder electLeaderEncoder = new ElectLeaderEncoder();
    private final ElectLeaderDecoder electLeaderDecoder = new ElectLeaderDecoder();
    private final AlterPartitionReassignmentEncoder reassignmentEncoder = new AlterPartitionReassignmentEncoder();
    private final AlterPartitionReassignmentDecoder reassignmentDecoder = new AlterPartitionReassignmentDecoder();

    private final RegisterBrokerDecoder registerDecoder = new RegisterBrokerDecoder();
    private final BrokerHeartbeatDecoder heartbeatDecoder = new BrokerHeartbeatDecoder();
    private final CreateTopicsDecoder createTopicsDecoder = new CreateTopicsDecoder();
    private final DeleteTopicsDecoder deleteTopicsDecoder = new DeleteTopicsDecoder();
    private final CreatePartitionsDecoder createPartitionsDecoder = new CreatePartitionsDecoder();
    private final AlterTopicConfigsDecoder alterConfigsDecoder = new AlterTopicConfigsDecoder();
    private final AllocateProducerIdsDecoder producerIdsDecoder = new AllocateProducerIdsDecoder();
    private final SubscribeImageDecoder subscribeDecoder = new SubscribeImageDecoder();

    /**
     * The correlation id of a message that looks like a metadata command: every command's first
     * field. {@link MalformedCommandException#NO_CORRELATION_ID} when the message is too short or
     * not of this schema.
     */
    public static long peekCorrelationId(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + CORRELATION_ID_LENGTH ||
            buffer.getShort(offset + MessageHeaderDecoder.schemaIdEncodingOffset(), MessageHeaderDecoder.BYTE_ORDER) !=
            MessageHeaderDecoder.SCHEMA_ID ||
            (buffer.getShort(offset, MessageHeaderDecoder.BYTE_ORDER) & 0xFFFF) < CORRELATION_ID_LENGTH)
        {
            return MalformedCommandException.NO_CORRELATION_ID;
        }
        return buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, MessageHeaderDecoder.BYTE_ORDER);
    }

    /**
     * Writes {@code command} at {@code offset}.
     *
     * @return the message's length, header included.
     * @throws IllegalStateException if a count or string is beyond what the encoding holds.
     */
    public int encode(final MetadataCommand command, final MutableDirectBuffer buffer, final int offset)
    {
        final int bodyLength;
        if (command instanceof RegisterBroker register)
        {
            bodyLength = encodeRegister(register, buffer, offset);
        }
        else if (command instanceof BrokerHeartbeat heartbeat)
        {
            bodyLength = heartbeatEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(heartbeat.correlationId())
                .nodeId(heartbeat.nodeId())
                .brokerEpoch(heartbeat.brokerEpoch())
                .wantFence(bool(heartbeat.wantFence()))
                .wantShutdown(bool(heartbeat.wantShutdown()))
                .caughtUpMetadataVersion(heartbeat.caughtUpMetadataVersion())
                .encodedLength();
        }
        else if (command instanceof CreateTopics create)
        {
            bodyLength = encodeCreateTopics(create, buffer, offset);
        }
        else if (command instanceof DeleteTopics delete)
        {
            deleteTopicsEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder).correlationId(delete.correlationId());
            final DeleteTopicsEncoder.TopicsEncoder topics = deleteTopicsEncoder.topicsCount(delete.topics().size());
            for (final TopicReference topic : delete.topics())
            {
                topics.next();
                uuid(topics.topicId(), topic.topicId());
                topics.name(topic.byId() ? "" : topic.name());
            }
            bodyLength = deleteTopicsEncoder.encodedLength();
        }
        else if (command instanceof CreatePartitions create)
        {
            createPartitionsEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(create.correlationId())
                .validateOnly(bool(create.validateOnly()));
            final CreatePartitionsEncoder.TopicsEncoder topics = createPartitionsEncoder.topicsCount(create.topics().size());
            for (final PartitionCount topic : create.topics())
            {
                topics.next().totalPartitions(topic.count()).name(topic.name());
            }
            bodyLength = createPartitionsEncoder.encodedLength();
        }
        else if (command instanceof AlterTopicConfigs alter)
        {
            bodyLength = encodeAlterConfigs(alter, buffer, offset);
        }
        else if (command instanceof AllocateProducerIds allocate)
        {
            bodyLength = producerIdsEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(allocate.correlationId())
                .nodeId(allocate.nodeId())
                .brokerEpoch(allocate.brokerEpoch())
                .encodedLength();
        }
        else if (command instanceof AlterPartition alter)
        {
            alterPartitionEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(alter.correlationId())
                .nodeId(alter.nodeId())
                .brokerEpoch(alter.brokerEpoch())
                .partition(alter.partition())
                .leaderEpoch(alter.leaderEpoch());
            uuid(alterPartitionEncoder.topicId(), alter.topicId());
            final AlterPartitionEncoder.CurrentIsrEncoder current = alterPartitionEncoder.currentIsrCount(alter.currentIsr().size());
            for (final int nodeId : alter.currentIsr())
            {
                current.next().nodeId(nodeId);
            }
            final AlterPartitionEncoder.NewIsrEncoder next = alterPartitionEncoder.newIsrCount(alter.newIsr().size());
            for (final int nodeId : alter.newIsr())
            {
                next.next().nodeId(nodeId);
            }
            bodyLength = alterPartitionEncoder.encodedLength();
        }
        else if (command instanceof ElectLeader elect)
        {
            bodyLength = electLeaderEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(elect.correlationId())
                .unclean(bool(elect.unclean()))
                .partition(elect.partition())
                .topic(elect.topic())
                .encodedLength();
        }
        else if (command instanceof MetadataCommand.AlterPartitionReassignment reassign)
        {
            reassignmentEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(reassign.correlationId())
                .partition(reassign.partition())
                .cancel(bool(reassign.cancel()))
                .allowReplicationFactorChange(bool(reassign.allowReplicationFactorChange()));
            final List<Integer> target = reassign.cancel() ? List.of() : reassign.targetReplicas();
            final AlterPartitionReassignmentEncoder.TargetReplicasEncoder replicas = reassignmentEncoder.targetReplicasCount(target.size());
            for (final int nodeId : target)
            {
                replicas.next().nodeId(nodeId);
            }
            bodyLength = reassignmentEncoder.topic(reassign.topic()).encodedLength();
        }
        else
        {
            bodyLength = subscribeEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
                .correlationId(((SubscribeImage)command).correlationId())
                .encodedLength();
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
    }

    /**
     * Reads the command of {@code length} bytes at {@code offset}.
     *
     * @throws MalformedCommandException if it is not a whole, known command.
     */
    public MetadataCommand decode(final DirectBuffer buffer, final int offset, final int length) throws MalformedCommandException
    {
        final long correlationId = peekCorrelationId(buffer, offset, length);
        if (correlationId == MalformedCommandException.NO_CORRELATION_ID)
        {
            throw new MalformedCommandException(correlationId, Errors.INVALID_REQUEST,
                "not a metadata command (" + length + " bytes, too short or another schema)");
        }
        view.wrap(buffer, offset, length);
        headerDecoder.wrap(view, 0);
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int bodyOffset = MessageHeaderDecoder.ENCODED_LENGTH;
        try
        {
            switch (templateId)
            {
                case RegisterBrokerDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, RegisterBrokerDecoder.BLOCK_LENGTH);
                    return decodeRegister(registerDecoder.wrap(view, bodyOffset, blockLength, version));
                case BrokerHeartbeatDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, BrokerHeartbeatDecoder.BLOCK_LENGTH);
                    heartbeatDecoder.wrap(view, bodyOffset, blockLength, version);
                    return new BrokerHeartbeat(correlationId, heartbeatDecoder.nodeId(), heartbeatDecoder.brokerEpoch(),
                        bool(correlationId, heartbeatDecoder.wantFence()), bool(correlationId, heartbeatDecoder.wantShutdown()),
                        heartbeatDecoder.caughtUpMetadataVersion());
                case CreateTopicsDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, CreateTopicsDecoder.BLOCK_LENGTH);
                    return decodeCreateTopics(createTopicsDecoder.wrap(view, bodyOffset, blockLength, version));
                case DeleteTopicsDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, DeleteTopicsDecoder.BLOCK_LENGTH);
                    return decodeDeleteTopics(deleteTopicsDecoder.wrap(view, bodyOffset, blockLength, version));
                case CreatePartitionsDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, CreatePartitionsDecoder.BLOCK_LENGTH);
                    return decodeCreatePartitions(createPartitionsDecoder.wrap(view, bodyOffset, blockLength, version));
                case AlterTopicConfigsDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, AlterTopicConfigsDecoder.BLOCK_LENGTH);
                    return decodeAlterConfigs(alterConfigsDecoder.wrap(view, bodyOffset, blockLength, version));
                case AllocateProducerIdsDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, AllocateProducerIdsDecoder.BLOCK_LENGTH);
                    producerIdsDecoder.wrap(view, bodyOffset, blockLength, version);
                    return new AllocateProducerIds(correlationId, producerIdsDecoder.nodeId(), producerIdsDecoder.brokerEpoch());
                case AlterPartitionDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, AlterPartitionDecoder.BLOCK_LENGTH);
                    return decodeAlterPartition(alterPartitionDecoder.wrap(view, bodyOffset, blockLength, version));
                case ElectLeaderDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, ElectLeaderDecoder.BLOCK_LENGTH);
                    electLeaderDecoder.wrap(view, bodyOffset, blockLength, version);
                    return new ElectLeader(correlationId, bool(correlationId, electLeaderDecoder.unclean()), electLeaderDecoder.topic(),
                        electLeaderDecoder.partition());
                case AlterPartitionReassignmentDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, AlterPartitionReassignmentDecoder.BLOCK_LENGTH);
                    return decodeReassignment(correlationId, reassignmentDecoder.wrap(view, bodyOffset, blockLength, version));
                case SubscribeImageDecoder.TEMPLATE_ID:
                    checkBlockLength(correlationId, blockLength, SubscribeImageDecoder.BLOCK_LENGTH);
                    subscribeDecoder.wrap(view, bodyOffset, blockLength, version);
                    return new SubscribeImage(correlationId);
                default:
                    throw new MalformedCommandException(correlationId, Errors.INVALID_REQUEST, "unknown command template id " + templateId);
            }
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw new MalformedCommandException(correlationId, Errors.INVALID_REQUEST,
                "truncated command (template id " + templateId + ", " + length + " bytes)");
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            throw new MalformedCommandException(correlationId, Errors.INVALID_REQUEST,
                "malformed command (template id " + templateId + "): " + ex.getMessage());
        }
    }

    private static MetadataCommand.AlterPartitionReassignment decodeReassignment(final long correlationId,
        final AlterPartitionReassignmentDecoder decoder) throws MalformedCommandException
    {
        final int partition = decoder.partition();
        final boolean cancel = bool(correlationId, decoder.cancel());
        final boolean allowReplicationFactorChange = bool(correlationId, decoder.allowReplicationFactorChange());
        final List<Integer> target = new java.util.ArrayList<>();
        for (final AlterPartitionReassignmentDecoder.TargetReplicasDecoder replica : decoder.targetReplicas())
        {
            target.add(replica.nodeId());
        }
        return new MetadataCommand.AlterPartitionReassignment(correlationId, decoder.topic(), partition, cancel ? null : target,
            allowReplicationFactorChange);
    }

    private static AlterPartition decodeAlterPartition(final AlterPartitionDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final int nodeId = decoder.nodeId();
        final long brokerEpoch = decoder.brokerEpoch();
        final Uuid topicId = new Uuid(decoder.topicId().mostSignificantBits(), decoder.topicId().leastSignificantBits());
        final int partition = decoder.partition();
        final int leaderEpoch = decoder.leaderEpoch();
        final java.util.List<Integer> current = new java.util.ArrayList<>();
        for (final AlterPartitionDecoder.CurrentIsrDecoder member : decoder.currentIsr())
        {
            current.add(member.nodeId());
        }
        final java.util.List<Integer> next = new java.util.ArrayList<>();
        for (final AlterPartitionDecoder.NewIsrDecoder member : decoder.newIsr())
        {
            next.add(member.nodeId());
        }
        return new AlterPartition(correlationId, nodeId, brokerEpoch, topicId, partition, leaderEpoch, current, next);
    }

    private int encodeRegister(final RegisterBroker register, final MutableDirectBuffer buffer, final int offset)
    {
        registerEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(register.correlationId())
            .nodeId(register.nodeId());
        uuid(registerEncoder.incarnationId(), register.incarnationId());
        final RegisterBrokerEncoder.ListenersEncoder listeners = registerEncoder.listenersCount(register.listeners().size());
        for (final Endpoint endpoint : register.listeners())
        {
            listeners.next()
                .port(endpoint.port())
                .securityProtocol(endpoint.securityProtocol())
                .name(endpoint.listenerName())
                .host(endpoint.host());
        }
        registerEncoder.clusterId(register.clusterId()).rack(register.rack());
        return registerEncoder.encodedLength();
    }

    private RegisterBroker decodeRegister(final RegisterBrokerDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final int nodeId = decoder.nodeId();
        final Uuid incarnationId = uuid(decoder.incarnationId());
        final List<Endpoint> listeners = new ArrayList<>();
        for (final RegisterBrokerDecoder.ListenersDecoder listener : decoder.listeners())
        {
            final int port = listener.port();
            final short protocol = listener.securityProtocol();
            listeners.add(new Endpoint(listener.name(), listener.host(), port, protocol));
        }
        final String clusterId = decoder.clusterId();
        return new RegisterBroker(correlationId, nodeId, incarnationId, clusterId, decoder.rack(), listeners);
    }

    private int encodeCreateTopics(final CreateTopics create, final MutableDirectBuffer buffer, final int offset)
    {
        createTopicsEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(create.correlationId())
            .validateOnly(bool(create.validateOnly()));
        final CreateTopicsEncoder.TopicsEncoder topics = createTopicsEncoder.topicsCount(create.topics().size());
        for (final NewTopic topic : create.topics())
        {
            topics.next();
            uuid(topics.topicId(), topic.topicId());
            topics.partitions(topic.partitions()).replicationFactor(topic.replicationFactor());
            final CreateTopicsEncoder.TopicsEncoder.ConfigsEncoder configs = topics.configsCount(topic.configs().size());
            for (final ConfigEntry config : topic.configs())
            {
                configs.next().key(config.key()).value(config.value());
            }
            topics.name(topic.name());
        }
        return createTopicsEncoder.encodedLength();
    }

    private CreateTopics decodeCreateTopics(final CreateTopicsDecoder decoder) throws MalformedCommandException
    {
        final long correlationId = decoder.correlationId();
        final boolean validateOnly = bool(correlationId, decoder.validateOnly());
        final List<NewTopic> topics = new ArrayList<>();
        for (final CreateTopicsDecoder.TopicsDecoder topic : decoder.topics())
        {
            final Uuid topicId = uuid(topic.topicId());
            final int partitions = topic.partitions();
            final short replicationFactor = topic.replicationFactor();
            final List<ConfigEntry> configs = new ArrayList<>();
            for (final CreateTopicsDecoder.TopicsDecoder.ConfigsDecoder config : topic.configs())
            {
                final String key = config.key();
                configs.add(new ConfigEntry(key, config.value()));
            }
            topics.add(new NewTopic(topic.name(), topicId, partitions, replicationFactor, configs));
        }
        return new CreateTopics(correlationId, validateOnly, topics);
    }

    private DeleteTopics decodeDeleteTopics(final DeleteTopicsDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final List<TopicReference> topics = new ArrayList<>();
        for (final DeleteTopicsDecoder.TopicsDecoder topic : decoder.topics())
        {
            final Uuid topicId = uuid(topic.topicId());
            topics.add(new TopicReference(topic.name(), topicId));
        }
        return new DeleteTopics(correlationId, topics);
    }

    private CreatePartitions decodeCreatePartitions(final CreatePartitionsDecoder decoder) throws MalformedCommandException
    {
        final long correlationId = decoder.correlationId();
        final boolean validateOnly = bool(correlationId, decoder.validateOnly());
        final List<PartitionCount> topics = new ArrayList<>();
        for (final CreatePartitionsDecoder.TopicsDecoder topic : decoder.topics())
        {
            final int count = topic.totalPartitions();
            topics.add(new PartitionCount(topic.name(), count));
        }
        return new CreatePartitions(correlationId, validateOnly, topics);
    }

    private int encodeAlterConfigs(final AlterTopicConfigs alter, final MutableDirectBuffer buffer, final int offset)
    {
        alterConfigsEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(alter.correlationId())
            .validateOnly(bool(alter.validateOnly()));
        final AlterTopicConfigsEncoder.TopicsEncoder topics = alterConfigsEncoder.topicsCount(alter.topics().size());
        for (final TopicConfigChanges topic : alter.topics())
        {
            topics.next();
            final AlterTopicConfigsEncoder.TopicsEncoder.ConfigsEncoder configs = topics.configsCount(topic.changes().size());
            for (final ConfigChange change : topic.changes())
            {
                configs.next()
                    .operation(change.delete() ? ConfigOperation.DELETE : ConfigOperation.SET)
                    .key(change.key())
                    .value(change.delete() ? "" : change.value());
            }
            topics.name(topic.name());
        }
        return alterConfigsEncoder.encodedLength();
    }

    private AlterTopicConfigs decodeAlterConfigs(final AlterTopicConfigsDecoder decoder) throws MalformedCommandException
    {
        final long correlationId = decoder.correlationId();
        final boolean validateOnly = bool(correlationId, decoder.validateOnly());
        final List<TopicConfigChanges> topics = new ArrayList<>();
        for (final AlterTopicConfigsDecoder.TopicsDecoder topic : decoder.topics())
        {
            final List<ConfigChange> changes = new ArrayList<>();
            for (final AlterTopicConfigsDecoder.TopicsDecoder.ConfigsDecoder config : topic.configs())
            {
                final ConfigOperation operation = config.operation();
                if (operation != ConfigOperation.SET && operation != ConfigOperation.DELETE)
                {
                    throw new MalformedCommandException(correlationId, Errors.INVALID_REQUEST, "unknown config operation");
                }
                final String key = config.key();
                final String value = config.value();
                changes.add(new ConfigChange(key, operation == ConfigOperation.DELETE ? null : value));
            }
            topics.add(new TopicConfigChanges(topic.name(), changes));
        }
        return new AlterTopicConfigs(correlationId, validateOnly, topics);
    }

    private static void checkBlockLength(final long correlationId, final int actual, final int expected) throws MalformedCommandException
    {
        // Fields of a later schema version may follow ours; fewer bytes than ours would misplace every group.
        if (actual < expected)
        {
            throw new MalformedCommandException(correlationId, Errors.INVALID_REQUEST,
                "block length " + actual + " is shorter than the command's " + expected);
        }
    }

    static BooleanType bool(final boolean value)
    {
        return value ? BooleanType.TRUE : BooleanType.FALSE;
    }

    private static boolean bool(final long correlationId, final BooleanType value) throws MalformedCommandException
    {
        if (value == BooleanType.TRUE)
        {
            return true;
        }
        if (value == BooleanType.FALSE)
        {
            return false;
        }
        throw new MalformedCommandException(correlationId, Errors.INVALID_REQUEST, "a boolean field is neither 0 nor 1");
    }

    static void uuid(final UuidEncoder encoder, final Uuid uuid)
    {
        encoder.mostSignificantBits(uuid.getMostSignificantBits()).leastSignificantBits(uuid.getLeastSignificantBits());
    }

    static Uuid uuid(final UuidDecoder decoder)
    {
        return new Uuid(decoder.mostSignificantBits(), decoder.leastSignificantBits());
    }
}
