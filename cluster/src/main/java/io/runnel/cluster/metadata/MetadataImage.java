package io.runnel.cluster.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * An immutable view of the cluster's metadata at one {@link #version()}: the cluster id, the
 * registered brokers, the topics with their configs and partition assignments, and the next free
 * producer id. The quorum's state machine holds one; every broker keeps one, built by a
 * {@link MetadataImageBuilder} from the records the quorum sends. Two images with the same contents
 * are equal.
 *
 * <p>Iteration orders are fixed (brokers by node id, topics by name, configs by key) so that
 * everything written from an image is the same on every replica. The maps are persistent
 * (pcollections, as Kafka's own metadata image): the next image shares all but what a change
 * touched, so a change costs its own size, not the cluster's. Sorted maps even where only lookups
 * are needed: clients choose topic ids and names, and a hash map could be fed colliding ones.
 */
public final class MetadataImage
{
    /** The leader of a partition whose in-sync replicas are all fenced. */
    public static final int NO_LEADER = -1;

    /** Before anything happened: no cluster id, version 0. */
    public static final MetadataImage EMPTY =
        new MetadataImage("", 0, 0, TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), 0);

    private final String clusterId;
    private final long version;
    private final long nextProducerId;
    private final PSortedMap<Integer, Broker> brokers;
    private final PSortedMap<String, Topic> topicsByName;
    private final PSortedMap<Uuid, Topic> topicsById;
    private final PSortedMap<String, String> topicNamesByUnifiedName;
    private final int partitionCount;

    MetadataImage(
        final String clusterId,
        final long version,
        final long nextProducerId,
        final PSortedMap<Integer, Broker> brokers,
        final PSortedMap<String, Topic> topicsByName,
        final PSortedMap<Uuid, Topic> topicsById,
        final PSortedMap<String, String> topicNamesByUnifiedName,
        final int partitionCount)
    {
        this.clusterId = clusterId;
        this.version = version;
        this.nextProducerId = nextProducerId;
        this.brokers = brokers;
        this.topicsByName = topicsByName;
        this.topicsById = topicsById;
        this.topicNamesByUnifiedName = topicNamesByUnifiedName;
        this.partitionCount = partitionCount;
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

    /** The partitions of every topic together. */
    public int partitionCount()
    {
        return partitionCount;
    }

    /**
     * @return the name of the topic whose name is {@code unifiedName} once '.' is read as '_'
     * (Kafka's topic-name collision rule), or null.
     */
    public String topicNameByUnifiedName(final String unifiedName)
    {
        return topicNamesByUnifiedName.get(unifiedName);
    }

    PSortedMap<String, Topic> topicsByName()
    {
        return topicsByName;
    }

    PSortedMap<Uuid, Topic> topicsById()
    {
        return topicsById;
    }

    PSortedMap<String, String> topicNamesByUnifiedName()
    {
        return topicNamesByUnifiedName;
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
     * @param replicas         while it is reassigned (KIP-455), the target's replicas followed by the original ones not in it.
     * @param leader           a node id, or {@link #NO_LEADER}.
     * @param partitionEpoch   bumped at every change of this partition (leader, ISR, replicas).
     * @param addingReplicas   while it is reassigned: the target's replicas that are not original ones; else empty.
     * @param removingReplicas while it is reassigned: the original replicas that are not in the target; else empty.
     */
    public record Partition(int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch,
        List<Integer> addingReplicas, List<Integer> removingReplicas)
    {
        public Partition
        {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
            addingReplicas = List.copyOf(addingReplicas);
            removingReplicas = List.copyOf(removingReplicas);
        }

        /** A partition that is not being reassigned. */
        public Partition(final int partition, final List<Integer> replicas, final List<Integer> isr, final int leader, final int leaderEpoch,
            final int partitionEpoch)
        {
            this(partition, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
        }

        /** True while replicas are being added or removed (AlterPartitionReassignments). */
        public boolean isReassigning()
        {
            return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
        }

        /**
         * The same assignment and reassignment with another ISR, leader and leader epoch; the partition
         * epoch moves. Every change of leader or ISR goes through here, so none loses a reassignment.
         */
        public Partition withLeaderAndIsr(final int newLeader, final int newLeaderEpoch, final List<Integer> newIsr)
        {
            return new Partition(partition, replicas, newIsr, newLeader, newLeaderEpoch, partitionEpoch + 1, addingReplicas, removingReplicas);
        }
    }
}
