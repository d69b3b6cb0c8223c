package io.runnel.cluster.metadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;
import io.runnel.codecs.metadata.BooleanType;
import io.runnel.codecs.metadata.BrokerRecordDecoder;
import io.runnel.codecs.metadata.ClusterIdRecordDecoder;
import io.runnel.codecs.metadata.ConfigOperation;
import io.runnel.codecs.metadata.ConfigRecordDecoder;
import io.runnel.codecs.metadata.DeltaEndDecoder;
import io.runnel.codecs.metadata.ImageBeginDecoder;
import io.runnel.codecs.metadata.ImageEndDecoder;
import io.runnel.codecs.metadata.MessageHeaderDecoder;
import io.runnel.codecs.metadata.PartitionRecordDecoder;
import io.runnel.codecs.metadata.ProducerIdsRecordDecoder;
import io.runnel.codecs.metadata.RemoveTopicRecordDecoder;
import io.runnel.codecs.metadata.TopicRecordDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * Applies metadata records, as the quorum sends them, to produce the next {@link MetadataImage}.
 * An ImageBegin ... ImageEnd sequence replaces everything; the records of a change, closed by a
 * DeltaEnd, update it. {@link #image()} is the image as of the last ImageEnd or DeltaEnd, so a
 * topic never shows half its partitions, and {@link #apply} says when it moved.
 *
 * <p>A builder made with {@link #MetadataImageBuilder()} waits for a whole image and ignores the
 * deltas before it (a broker gets broadcasts between connecting and its subscription's reply);
 * deltas no newer than the image are ignored too. Messages that are not records (replies) are
 * ignored. One thread at a time.
 *
 * <p>The topics a change touches are drafted apart and merged into the last image's persistent
 * maps when the change completes: a change costs what it touched, whatever the cluster's size.
 */
public final class MetadataImageBuilder
{
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final ImageBeginDecoder imageBegin = new ImageBeginDecoder();
    private final ImageEndDecoder imageEnd = new ImageEndDecoder();
    private final DeltaEndDecoder deltaEnd = new DeltaEndDecoder();
    private final ClusterIdRecordDecoder clusterIdRecord = new ClusterIdRecordDecoder();
    private final BrokerRecordDecoder brokerRecord = new BrokerRecordDecoder();
    private final TopicRecordDecoder topicRecord = new TopicRecordDecoder();
    private final PartitionRecordDecoder partitionRecord = new PartitionRecordDecoder();
    private final RemoveTopicRecordDecoder removeTopicRecord = new RemoveTopicRecordDecoder();
    private final ConfigRecordDecoder configRecord = new ConfigRecordDecoder();
    private final ProducerIdsRecordDecoder producerIdsRecord = new ProducerIdsRecordDecoder();

    /** The topics the change in progress touched; the others are as in {@link #base}. */
    private final Map<Uuid, TopicDraft> touched = new HashMap<>();
    private PSortedMap<Integer, Broker> brokers = TreePMap.empty();
    private String clusterId = "";
    private long version;
    private long nextProducerId;
    private boolean hasImage;
    private boolean inImage;
    /** What the change in progress builds on: the last image, or nothing while a whole image comes. */
    private MetadataImage base = MetadataImage.EMPTY;
    private MetadataImage built = MetadataImage.EMPTY;

    /** A builder that waits for a whole image (ImageBegin ... ImageEnd) before it applies deltas. */
    public MetadataImageBuilder()
    {
    }

    /** A builder that starts from {@code image} and applies deltas to it at once. */
    public MetadataImageBuilder(final MetadataImage image)
    {
        clusterId = image.clusterId();
        version = image.version();
        nextProducerId = image.nextProducerId();
        brokers = TreePMap.fromSortedMap(image.brokers());
        hasImage = true;
        base = image;
        built = image;
    }

    /** True once a whole image has been applied (or given): deltas apply from then on. */
    public boolean hasImage()
    {
        return hasImage;
    }

    /** True between an ImageBegin and its ImageEnd: a whole image is arriving. */
    public boolean receivingImage()
    {
        return inImage;
    }

    /**
     * Applies one message.
     *
     * @return true when an ImageEnd or a DeltaEnd was applied: {@link #image()} is a new one.
     * @throws IllegalArgumentException if the record is malformed or does not fit the state (a
     *                                  partition of an unknown topic): the quorum never sends one.
     * @throws IllegalStateException    if a change came whose version is not the next one: changes
     *                                  were lost, and only a new subscription (a whole image) repairs that.
     */
    public boolean apply(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new IllegalArgumentException("a metadata record of " + length + " bytes");
        }
        view.wrap(buffer, offset, length);
        header.wrap(view, 0);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return false;
        }
        try
        {
            return apply(header.templateId(), MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        }
        catch (final IndexOutOfBoundsException ex)
        {
            throw new IllegalArgumentException("truncated metadata record (template id " + header.templateId() + ")", ex);
        }
    }

    /** The image as of the last complete image or change applied (or given). */
    public MetadataImage image()
    {
        return built;
    }

    /** Merges the touched topics into the last image's maps: removals and renames first, so a name freed by the change can be taken in it. */
    private void publish()
    {
        PSortedMap<String, Topic> byName = base.topicsByName();
        PSortedMap<Uuid, Topic> byId = base.topicsById();
        PSortedMap<String, String> byUnifiedName = base.topicNamesByUnifiedName();
        int partitionCount = base.partitionCount();
        for (final TopicDraft draft : touched.values())
        {
            final Topic old = byId.get(draft.id);
            if (old != null)
            {
                byName = byName.minus(old.name());
                byId = byId.minus(old.id());
                byUnifiedName = byUnifiedName.minus(unified(old.name()));
                partitionCount -= old.partitions().size();
            }
        }
        for (final TopicDraft draft : touched.values())
        {
            if (draft.removed)
            {
                continue;
            }
            final Topic clash = byName.get(draft.name);
            if (clash != null)
            {
                throw new IllegalArgumentException("topic " + draft.name + " exists with another id: " + clash.id() + ", not " + draft.id);
            }
            final Topic topic = new Topic(draft.name, draft.id, draft.configs, draft.partitions);
            byName = byName.plus(topic.name(), topic);
            byId = byId.plus(topic.id(), topic);
            byUnifiedName = byUnifiedName.plus(unified(topic.name()), topic.name());
            partitionCount += topic.partitions().size();
        }
        touched.clear();
        built = new MetadataImage(clusterId, version, nextProducerId, brokers, byName, byId, byUnifiedName, partitionCount);
        base = built;
    }

    private static String unified(final String topicName)
    {
        return org.apache.kafka.common.internals.Topic.unifyCollisionChars(topicName);
    }

    /** The draft of a topic this change touches: made from the last image's topic the first time; null if there is none. */
    private TopicDraft draft(final Uuid id)
    {
        final TopicDraft draft = touched.get(id);
        if (draft != null)
        {
            return draft.removed ? null : draft;
        }
        final Topic topic = base.topic(id);
        if (topic == null)
        {
            return null;
        }
        final TopicDraft fromImage = new TopicDraft(id, topic.name(), topic.configs());
        fromImage.partitions.addAll(topic.partitions());
        touched.put(id, fromImage);
        return fromImage;
    }

    private boolean apply(final int templateId, final int bodyOffset, final int blockLength, final int actingVersion)
    {
        switch (templateId)
        {
            case ImageBeginDecoder.TEMPLATE_ID:
                imageBegin.wrap(view, bodyOffset, blockLength, actingVersion);
                reset();
                inImage = true;
                return false;
            case ImageEndDecoder.TEMPLATE_ID:
                imageEnd.wrap(view, bodyOffset, blockLength, actingVersion);
                if (!inImage)
                {
                    return false;
                }
                inImage = false;
                hasImage = true;
                version = imageEnd.metadataVersion();
                publish();
                return true;
            case DeltaEndDecoder.TEMPLATE_ID:
                deltaEnd.wrap(view, bodyOffset, blockLength, actingVersion);
                if (inImage || !accepts(deltaEnd.metadataVersion()))
                {
                    return false;
                }
                version = deltaEnd.metadataVersion();
                publish();
                return true;
            case ClusterIdRecordDecoder.TEMPLATE_ID:
                clusterIdRecord.wrap(view, bodyOffset, blockLength, actingVersion);
                if (accepts(clusterIdRecord.metadataVersion()))
                {
                    clusterId = clusterIdRecord.clusterId();
                }
                return false;
            case BrokerRecordDecoder.TEMPLATE_ID:
                brokerRecord.wrap(view, bodyOffset, blockLength, actingVersion);
                if (accepts(brokerRecord.metadataVersion()))
                {
                    final Broker broker = decodeBroker();
                    brokers = brokers.plus(broker.nodeId(), broker);
                }
                return false;
            case TopicRecordDecoder.TEMPLATE_ID:
                topicRecord.wrap(view, bodyOffset, blockLength, actingVersion);
                if (accepts(topicRecord.metadataVersion()))
                {
                    applyTopic();
                }
                return false;
            case PartitionRecordDecoder.TEMPLATE_ID:
                partitionRecord.wrap(view, bodyOffset, blockLength, actingVersion);
                if (accepts(partitionRecord.metadataVersion()))
                {
                    applyPartition();
                }
                return false;
            case RemoveTopicRecordDecoder.TEMPLATE_ID:
                removeTopicRecord.wrap(view, bodyOffset, blockLength, actingVersion);
                if (accepts(removeTopicRecord.metadataVersion()))
                {
                    final TopicDraft removed = draft(MetadataCommands.uuid(removeTopicRecord.topicId()));
                    if (removed != null)
                    {
                        removed.removed = true;
                    }
                }
                return false;
            case ConfigRecordDecoder.TEMPLATE_ID:
                configRecord.wrap(view, bodyOffset, blockLength, actingVersion);
                if (accepts(configRecord.metadataVersion()))
                {
                    applyConfig();
                }
                return false;
            case ProducerIdsRecordDecoder.TEMPLATE_ID:
                producerIdsRecord.wrap(view, bodyOffset, blockLength, actingVersion);
                if (accepts(producerIdsRecord.metadataVersion()))
                {
                    nextProducerId = producerIdsRecord.nextProducerId();
                }
                return false;
            default:
                return false;
        }
    }

    /** Records inside an image always; outside, only deltas newer than the image we have, and with none missed. */
    private boolean accepts(final long recordVersion)
    {
        if (inImage)
        {
            return true;
        }
        if (!hasImage || recordVersion <= version)
        {
            return false;
        }
        if (recordVersion != version + 1)
        {
            throw new IllegalStateException("missed metadata changes: the image is at version " + version + ", a change of version " +
                recordVersion + " came; subscribe again for a whole image");
        }
        return true;
    }

    private void reset()
    {
        brokers = TreePMap.empty();
        touched.clear();
        base = MetadataImage.EMPTY;
        clusterId = "";
        version = 0;
        nextProducerId = 0;
    }

    private Broker decodeBroker()
    {
        final int nodeId = brokerRecord.nodeId();
        final long epoch = brokerRecord.brokerEpoch();
        final Uuid incarnationId = MetadataCommands.uuid(brokerRecord.incarnationId());
        final boolean fenced = brokerRecord.fenced() == BooleanType.TRUE;
        final boolean inControlledShutdown = brokerRecord.inControlledShutdown() == BooleanType.TRUE;
        final boolean sessionExpired = brokerRecord.sessionExpired() == BooleanType.TRUE;
        final List<Endpoint> endpoints = new ArrayList<>();
        for (final BrokerRecordDecoder.EndpointsDecoder endpoint : brokerRecord.endpoints())
        {
            final int port = endpoint.port();
            final short protocol = endpoint.securityProtocol();
            final String name = endpoint.name();
            endpoints.add(new Endpoint(name, endpoint.host(), port, protocol));
        }
        return new Broker(nodeId, incarnationId, epoch, brokerRecord.rack(), endpoints, fenced, inControlledShutdown, sessionExpired);
    }

    private void applyTopic()
    {
        final Uuid id = MetadataCommands.uuid(topicRecord.topicId());
        final TreeMap<String, String> configs = new TreeMap<>();
        for (final TopicRecordDecoder.ConfigsDecoder entry : topicRecord.configs())
        {
            final String key = entry.key();
            configs.put(key, entry.value());
        }
        final String name = topicRecord.name();
        final TopicDraft existing = draft(id);
        final TopicDraft draft = new TopicDraft(id, name, configs);
        if (existing != null)
        {
            draft.partitions.addAll(existing.partitions);
        }
        touched.put(id, draft);
    }

    private void applyPartition()
    {
        final Uuid topicId = MetadataCommands.uuid(partitionRecord.topicId());
        final int index = partitionRecord.partition();
        final int leader = partitionRecord.leader();
        final int leaderEpoch = partitionRecord.leaderEpoch();
        final int partitionEpoch = partitionRecord.partitionEpoch();
        final List<Integer> replicas = new ArrayList<>();
        for (final PartitionRecordDecoder.ReplicasDecoder replica : partitionRecord.replicas())
        {
            replicas.add(replica.nodeId());
        }
        final List<Integer> isr = new ArrayList<>();
        for (final PartitionRecordDecoder.IsrDecoder member : partitionRecord.isr())
        {
            isr.add(member.nodeId());
        }
        // Empty in a record of schema version 0, written before reassignments existed.
        final List<Integer> adding = new ArrayList<>();
        for (final PartitionRecordDecoder.AddingReplicasDecoder replica : partitionRecord.addingReplicas())
        {
            adding.add(replica.nodeId());
        }
        final List<Integer> removing = new ArrayList<>();
        for (final PartitionRecordDecoder.RemovingReplicasDecoder replica : partitionRecord.removingReplicas())
        {
            removing.add(replica.nodeId());
        }
        final TopicDraft draft = draft(topicId);
        if (draft == null)
        {
            throw new IllegalArgumentException("partition " + index + " of unknown topic id " + topicId);
        }
        final Partition partition = new Partition(index, replicas, isr, leader, leaderEpoch, partitionEpoch, adding, removing);
        if (index >= 0 && index < draft.partitions.size())
        {
            draft.partitions.set(index, partition);
        }
        else if (index == draft.partitions.size())
        {
            draft.partitions.add(partition);
        }
        else
        {
            throw new IllegalArgumentException("partition " + index + " of topic " + draft.name + " which has " + draft.partitions.size());
        }
    }

    private void applyConfig()
    {
        final Uuid topicId = MetadataCommands.uuid(configRecord.topicId());
        final ConfigOperation operation = configRecord.operation();
        final String key = configRecord.key();
        final String value = configRecord.value();
        final TopicDraft draft = draft(topicId);
        if (draft == null)
        {
            throw new IllegalArgumentException("config " + key + " of unknown topic id " + topicId);
        }
        if (operation == ConfigOperation.DELETE)
        {
            draft.configs.remove(key);
        }
        else
        {
            draft.configs.put(key, value);
        }
    }

    /** A topic as the records of one change build it; merged as an immutable {@link Topic} when the change completes. */
    private static final class TopicDraft
    {
        private final Uuid id;
        private final String name;
        private final TreeMap<String, String> configs;
        private final List<Partition> partitions = new ArrayList<>();
        private boolean removed;

        TopicDraft(final Uuid id, final String name, final SortedMap<String, String> configs)
        {
            this.id = id;
            this.name = name;
            this.configs = new TreeMap<>(configs);
        }
    }
}
