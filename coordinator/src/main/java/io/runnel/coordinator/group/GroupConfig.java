package io.runnel.coordinator.group;

/**
 * Group coordinator settings, with Kafka's key names and defaults.
 *
 * @param offsetsTopicPartitions      offsets.topic.num.partitions: groups are spread over this many partitions
 * @param minSessionTimeoutMs         group.min.session.timeout.ms
 * @param maxSessionTimeoutMs         group.max.session.timeout.ms
 * @param initialRebalanceDelayMs     group.initial.rebalance.delay.ms: a new group waits this long for more members
 * @param offsetsRetentionMs          offsets.retention.minutes, in ms: offsets of an empty group expire after this
 * @param offsetsRetentionCheckMs     offsets.retention.check.interval.ms: how often expiry is checked
 * @param maxMetadataBytes            offset.metadata.max.bytes
 * @param maxGroupSize                group.max.size
 * @param consumerSessionTimeoutMs    group.consumer.session.timeout.ms (KIP-848 groups)
 * @param consumerHeartbeatIntervalMs group.consumer.heartbeat.interval.ms (KIP-848 groups)
 * @param offsetsTopicReplicationFactor offsets.topic.replication.factor: replicas of each offsets partition, where partitions
 *                                      replicate (a cluster with replication on; one replica otherwise)
 */
public record GroupConfig(
    int offsetsTopicPartitions,
    int minSessionTimeoutMs,
    int maxSessionTimeoutMs,
    int initialRebalanceDelayMs,
    long offsetsRetentionMs,
    long offsetsRetentionCheckMs,
    int maxMetadataBytes,
    int maxGroupSize,
    int consumerSessionTimeoutMs,
    int consumerHeartbeatIntervalMs,
    int offsetsTopicReplicationFactor)
{
    public static final String OFFSETS_TOPIC = "__consumer_offsets";
    /**
     * The offsets topic's configs, as Kafka creates it: compacted, so that only the newest record of
     * each group and offset stays (never deleted by retention), in 100 MiB segments
     * (offsets.topic.segment.bytes' default) so the cleaner has sealed segments to work on.
     */
    public static final java.util.Map<String, String> OFFSETS_TOPIC_CONFIGS = java.util.Map.of(
        "cleanup.policy", "compact", "segment.bytes", Integer.toString(100 * 1024 * 1024));
    /** Kafka caps group ids implicitly by request size; we cap them so a key always fits a record. */
    public static final int MAX_GROUP_ID_LENGTH = 255;

    public static GroupConfig defaults()
    {
        return new GroupConfig(50, 6_000, 1_800_000, 3_000, 7L * 24 * 60 * 60 * 1000, 600_000, 4096, Integer.MAX_VALUE, 45_000, 5_000, 3);
    }

    /** Kafka's mapping of a group to its offsets partition. */
    public int partitionFor(final String groupId)
    {
        return (groupId.hashCode() & 0x7fffffff) % offsetsTopicPartitions;
    }
}
