package io.runnel.cluster.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;

/**
 * An immutable view of the cluster's metadata at one {@link #version()}: the cluster id, the
 * registered brokers, the topics with their configs and partition assignments, and the next free
 * producer id. The quorum's state machine holds one; every broker keeps one, built by a
 * {@link MetadataImageBuilder} from the records the quorum sends. Two images with the same contents
 * are equal.
 *
 * <p>Iteration orders are fixed (brokers by node id, topics by name, configs by key) so that
 * everything written from an image is the same on every replica.
 */
public final class MetadataImage
{
    /** The leader of a partition whose in-sync replicas are all fenced. */
    public static final int NO_LEADER = -1;

    /** Before anything happened: no cluster id, version 0. */
    public static final MetadataImage EMPTY = new MetadataImage("", 0, 0, new TreeMap<>(), new TreeMap<>(), Map.of());

    private final String clusterId;
    private final long version;
    private final long nextProducerId;
    private final SortedMap<Integer, Broker> brokers;
    private final SortedMap<String, Topic> topicsByName;
    private final Map<Uuid, Topic> topicsById;

    MetadataImage(
        final String clusterId,
        final long version,
        final long nextProducerId,
        final SortedMap<Integer, Broker> brokers,
        final SortedMap<String, Topic> topicsByName,
        final Map<Uuid, Topic> topicsById)
    {
        this.clusterId = clusterId;
        this.version = version;
        this.nextProducerId = nextProducerId;
        this.brokers = Collections.unmodifiableSortedMap(brokers);
        this.topicsByName = Collections.unmodifiableSortedMap(topicsByName);
        this.topicsById = Collections.unmodifiableMap(topicsById);
    }

    /** Empty until the first broker registered. */
    public String clusterId()
    {
        return clusterId;
    }

    /** Bumped once per committed change. */
    public long version()
    {
        return version;
    }

    /** The first id of the next producer-id block the quorum hands out. */
    public long nextProducerId()
    {
        return nextProducerId;
    }

    /** Every registered broker, by node id. */
    public SortedMap<Integer, Broker> brokers()
    {
        return brokers;
    }

    /** @return the broker, or null if no broker with this node id registered. */
    public Broker broker(final int nodeId)
    {
        return brokers.get(nodeId);
    }

    /** Every topic, in name order. */
    public Collection<Topic> topics()
    {
        return topicsByName.values();
    }

    /** @return the topic, or null. */
    public Topic topic(final String name)
    {
        return topicsByName.get(name);
    }

    /** @return the topic, or null. */
    public Topic topic(final Uuid id)
    {
        return topicsById.get(id);
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof MetadataImage image &&
            version == image.version &&
            nextProducerId == image.nextProducerId &&
            clusterId.equals(image.clusterId) &&
            brokers.equals(image.brokers) &&
            topicsByName.equals(image.topicsByName);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(clusterId, version, nextProducerId, brokers, topicsByName);
    }

    @Override
    public String toString()
    {
        return "MetadataImage{clusterId=" + clusterId + ", version=" + version + ", nextProducerId=" + nextProducerId +
            ", brokers=" + brokers.values() + ", topics=" + topicsByName.values() + "}";
    }

    /**
     * A registered broker.
     *
     * @param epoch          the metadata version of its registration: new at every registration.
     * @param rack           empty when not set.
     * @param fenced         a fenced broker leads nothing and is left out of placement.
     * @param sessionExpired no heartbeat for the session timeout: another incarnation may take its node id.
     */
    public record Broker(
        int nodeId,
        Uuid incarnationId,
        long epoch,
        String rack,
        List<Endpoint> endpoints,
        boolean fenced,
        boolean inControlledShutdown,
        boolean sessionExpired)
    {
        public Broker
        {
            endpoints = List.copyOf(endpoints);
        }

        /** Usable for placement and leadership. */
        public boolean active()
        {
            return !fenced && !inControlledShutdown;
        }

        Broker with(final boolean fenced, final boolean inControlledShutdown, final boolean sessionExpired)
        {
            return new Broker(nodeId, incarnationId, epoch, rack, endpoints, fenced, inControlledShutdown, sessionExpired);
        }
    }

    /** One listener of a broker; {@code securityProtocol} is Kafka's SecurityProtocol id. */
    public record Endpoint(String listenerName, String host, int port, short securityProtocol)
    {
    }

    /** A topic: its config overrides (by key) and its partitions (index = partition number). */
    public record Topic(String name, Uuid id, SortedMap<String, String> configs, List<Partition> partitions)
    {
        public Topic
        {
            configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
            partitions = List.copyOf(partitions);
        }

        public Partition partition(final int partition)
        {
            return partition >= 0 && partition < partitions.size() ? partitions.get(partition) : null;
        }
    }

    /**
     * One partition's assignment.
     *
     * @param leader         a node id, or {@link #NO_LEADER}.
     * @param partitionEpoch bumped at every change of this partition (leader, ISR).
     */
    public record Partition(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch)
    {
        public Partition
        {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }
    }
}
