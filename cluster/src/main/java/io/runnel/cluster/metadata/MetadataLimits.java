package io.runnel.cluster.metadata;

/**
 * What the metadata state machine refuses, and why the numbers: every record it writes is one
 * message to the quorum's clients, and the quorum host caps messages at 128 KiB at the least, so
 * each limit keeps the largest record well below that (a BrokerRecord of {@link #MAX_LISTENERS}
 * listeners with the longest names is about 8 KiB, a TopicRecord at most
 * {@link #MAX_TOPIC_CONFIG_BYTES} plus its name). Commands beyond them get an error code, never an
 * oversize reply or record.
 */
public final class MetadataLimits
{
    /** Kafka's producer-id block size (ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
    public static final int PRODUCER_ID_BLOCK_SIZE = 1000;

    /** The smallest message cap a quorum host has: term length / 8 of a 1 MiB term. */
    public static final int MIN_MESSAGE_LENGTH = 128 * 1024;

    public static final int MAX_LISTENERS = 16;
    /** Listener names, hosts, racks, cluster ids, config keys. */
    public static final int MAX_SHORT_STRING_LENGTH = 255;
    /** The longest config value; Kafka's are short except replica-throttle lists. */
    public static final int MAX_CONFIG_VALUE_LENGTH = 16 * 1024;
    /** Keys plus values of one topic's overrides, in UTF-8 bytes. */
    public static final int MAX_TOPIC_CONFIG_BYTES = 48 * 1024;
    /** Kafka has no hard limit; a PartitionRecord holds this many replicas and ISR members in about 1 KiB. */
    public static final int MAX_REPLICATION_FACTOR = 128;
    /** New partitions in one command: bounds the records (one message each) a single command produces. */
    public static final int MAX_NEW_PARTITIONS_PER_COMMAND = 10_000;
    /** Per-topic messages in a reply are cut to this many chars. */
    public static final int MAX_ERROR_MESSAGE_LENGTH = 256;

    private MetadataLimits()
    {
    }
}
