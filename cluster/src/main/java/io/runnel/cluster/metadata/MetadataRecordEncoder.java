package io.runnel.cluster.metadata;

import java.util.Map;
import java.util.SortedMap;

import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;
import io.runnel.codecs.metadata.BrokerRecordEncoder;
import io.runnel.codecs.metadata.ClusterIdRecordEncoder;
import io.runnel.codecs.metadata.ConfigOperation;
import io.runnel.codecs.metadata.ConfigRecordEncoder;
import io.runnel.codecs.metadata.DeltaEndEncoder;
import io.runnel.codecs.metadata.ImageBeginEncoder;
import io.runnel.codecs.metadata.ImageEndEncoder;
import io.runnel.codecs.metadata.MessageHeaderEncoder;
import io.runnel.codecs.metadata.PartitionRecordEncoder;
import io.runnel.codecs.metadata.ProducerIdsRecordEncoder;
import io.runnel.codecs.metadata.RemoveTopicRecordEncoder;
import io.runnel.codecs.metadata.TopicRecordEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.apache.kafka.common.Uuid;

/**
 * Writes metadata records: the deltas the quorum broadcasts and the contents of an image or a
 * snapshot, which {@link MetadataImageBuilder} reads back. Each method writes one message at
 * {@code offset} and returns its length, header included. One instance per thread.
 */
public final class MetadataRecordEncoder
{
    /** Where {@link #writeImage} hands each message. */
    @FunctionalInterface
    public interface MessageSink
    {
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final ImageBeginEncoder imageBegin = new ImageBeginEncoder();
    private final ImageEndEncoder imageEnd = new ImageEndEncoder();
    private final DeltaEndEncoder deltaEnd = new DeltaEndEncoder();
    private final ClusterIdRecordEncoder clusterId = new ClusterIdRecordEncoder();
    private final BrokerRecordEncoder broker = new BrokerRecordEncoder();
    private final TopicRecordEncoder topic = new TopicRecordEncoder();
    private final PartitionRecordEncoder partition = new PartitionRecordEncoder();
    private final RemoveTopicRecordEncoder removeTopic = new RemoveTopicRecordEncoder();
    private final ConfigRecordEncoder config = new ConfigRecordEncoder();
    private final ProducerIdsRecordEncoder producerIds = new ProducerIdsRecordEncoder();

    /**
     * Every record of {@code image}, between an ImageBegin and an ImageEnd, each encoded into
     * {@code scratch} at 0 and handed to {@code sink}: cluster id, producer ids, brokers by node id,
     * then each topic (by name) followed by its partitions.
     *
     * @param correlationId the SubscribeImage's, or 0 for a snapshot.
     */
    public void writeImage(final MetadataImage image, final long correlationId, final MutableDirectBuffer scratch, final MessageSink sink)
    {
        final long version = image.version();
        sink.onMessage(scratch, 0, imageBegin(scratch, 0, version, correlationId));
        if (!image.clusterId().isEmpty())
        {
            sink.onMessage(scratch, 0, clusterId(scratch, 0, version, image.clusterId()));
        }
        if (image.nextProducerId() != 0)
        {
            sink.onMessage(scratch, 0, producerIds(scratch, 0, version, -1, -1, image.nextProducerId()));
        }
        for (final Broker registered : image.brokers().values())
        {
            sink.onMessage(scratch, 0, broker(scratch, 0, version, registered));
        }
        for (final Topic existing : image.topics())
        {
            sink.onMessage(scratch, 0, topic(scratch, 0, version, existing.id(), existing.name(), existing.configs()));
            for (final Partition assigned : existing.partitions())
            {
                sink.onMessage(scratch, 0, partition(scratch, 0, version, existing.id(), assigned));
            }
        }
        sink.onMessage(scratch, 0, imageEnd(scratch, 0, version, correlationId));
    }

    public int imageBegin(final MutableDirectBuffer buffer, final int offset, final long version, final long correlationId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH +
            imageBegin.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version).correlationId(correlationId).encodedLength();
    }

    public int imageEnd(final MutableDirectBuffer buffer, final int offset, final long version, final long correlationId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH +
            imageEnd.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version).correlationId(correlationId).encodedLength();
    }

    public int deltaEnd(final MutableDirectBuffer buffer, final int offset, final long version)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH +
            deltaEnd.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version).encodedLength();
    }

    public int clusterId(final MutableDirectBuffer buffer, final int offset, final long version, final String id)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH +
            clusterId.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version).clusterId(id).encodedLength();
    }

    public int broker(final MutableDirectBuffer buffer, final int offset, final long version, final Broker registered)
    {
        broker.wrapAndApplyHeader(buffer, offset, header)
            .metadataVersion(version)
            .nodeId(registered.nodeId())
            .brokerEpoch(registered.epoch());
        MetadataCommands.uuid(broker.incarnationId(), registered.incarnationId());
        broker.fenced(MetadataCommands.bool(registered.fenced()))
            .inControlledShutdown(MetadataCommands.bool(registered.inControlledShutdown()))
            .sessionExpired(MetadataCommands.bool(registered.sessionExpired()));
        final BrokerRecordEncoder.EndpointsEncoder endpoints = broker.endpointsCount(registered.endpoints().size());
        for (final Endpoint endpoint : registered.endpoints())
        {
            endpoints.next()
                .port(endpoint.port())
                .securityProtocol(endpoint.securityProtocol())
                .name(endpoint.listenerName())
                .host(endpoint.host());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + broker.rack(registered.rack()).encodedLength();
    }

    public int topic(
        final MutableDirectBuffer buffer, final int offset, final long version, final Uuid id, final String name,
        final SortedMap<String, String> configs)
    {
        topic.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version);
        MetadataCommands.uuid(topic.topicId(), id);
        final TopicRecordEncoder.ConfigsEncoder entries = topic.configsCount(configs.size());
        for (final Map.Entry<String, String> entry : configs.entrySet())
        {
            entries.next().key(entry.getKey()).value(entry.getValue());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + topic.name(name).encodedLength();
    }

    public int partition(final MutableDirectBuffer buffer, final int offset, final long version, final Uuid topicId, final Partition assigned)
    {
        partition.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version);
        MetadataCommands.uuid(partition.topicId(), topicId);
        partition.partition(assigned.partition())
            .leader(assigned.leader())
            .leaderEpoch(assigned.leaderEpoch())
            .partitionEpoch(assigned.partitionEpoch());
        final PartitionRecordEncoder.ReplicasEncoder replicas = partition.replicasCount(assigned.replicas().size());
        for (final int nodeId : assigned.replicas())
        {
            replicas.next().nodeId(nodeId);
        }
        final PartitionRecordEncoder.IsrEncoder isr = partition.isrCount(assigned.isr().size());
        for (final int nodeId : assigned.isr())
        {
            isr.next().nodeId(nodeId);
        }
        final PartitionRecordEncoder.AddingReplicasEncoder adding = partition.addingReplicasCount(assigned.addingReplicas().size());
        for (final int nodeId : assigned.addingReplicas())
        {
            adding.next().nodeId(nodeId);
        }
        final PartitionRecordEncoder.RemovingReplicasEncoder removing = partition.removingReplicasCount(assigned.removingReplicas().size());
        for (final int nodeId : assigned.removingReplicas())
        {
            removing.next().nodeId(nodeId);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + partition.encodedLength();
    }

    public int removeTopic(final MutableDirectBuffer buffer, final int offset, final long version, final Uuid topicId)
    {
        removeTopic.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version);
        MetadataCommands.uuid(removeTopic.topicId(), topicId);
        return MessageHeaderEncoder.ENCODED_LENGTH + removeTopic.encodedLength();
    }

    /** {@code value} null deletes the override. */
    public int config(final MutableDirectBuffer buffer, final int offset, final long version, final Uuid topicId, final String key, final String value)
    {
        config.wrapAndApplyHeader(buffer, offset, header).metadataVersion(version);
        MetadataCommands.uuid(config.topicId(), topicId);
        config.operation(value == null ? ConfigOperation.DELETE : ConfigOperation.SET).key(key).value(value == null ? "" : value);
        return MessageHeaderEncoder.ENCODED_LENGTH + config.encodedLength();
    }

    /** {@code nodeId} and {@code brokerEpoch} say who got the block; -1 in an image. */
    public int producerIds(
        final MutableDirectBuffer buffer, final int offset, final long version, final int nodeId, final long brokerEpoch, final long nextProducerId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + producerIds.wrapAndApplyHeader(buffer, offset, header)
            .metadataVersion(version)
            .nodeId(nodeId)
            .brokerEpoch(brokerEpoch)
            .nextProducerId(nextProducerId)
            .encodedLength();
    }
}
