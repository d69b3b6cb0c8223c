package io.runnel.io;

/**
 * What the network layer needs to know about the broker it fronts.
 *
 * @param nodeId                    this broker's id (node.id)
 * @param advertisedHost            host clients are told to connect to
 * @param advertisedPort            port clients are told to connect to
 * @param clusterId                 the cluster id reported in Metadata and DescribeCluster
 * @param autoCreateTopics          auto.create.topics.enable
 * @param numPartitions             num.partitions, for auto-created topics and CreateTopics with -1
 * @param socketRequestMaxBytes     socket.request.max.bytes: larger frames close the connection
 * @param validateCompressedRecords decompress compressed batches on produce to check them
 * @param describedConfigs          broker and topic-default settings as at start-up (handlers read them as they are now from
 *                                  {@code BrokerServices.brokerConfigs()})
 * @param fetchSessionCacheSlots    max.incremental.fetch.session.cache.slots: fetch sessions, broker-wide, split over the shards
 */
public record IoConfig(
    int nodeId,
    String advertisedHost,
    int advertisedPort,
    String clusterId,
    boolean autoCreateTopics,
    int numPartitions,
    int socketRequestMaxBytes,
    boolean validateCompressedRecords,
    DescribedConfigs describedConfigs,
    int fetchSessionCacheSlots)
{
    /** Kafka's default for max.incremental.fetch.session.cache.slots. */
    public static final int DEFAULT_FETCH_SESSION_CACHE_SLOTS = 1000;

    public IoConfig(final int nodeId, final String advertisedHost, final int advertisedPort, final String clusterId,
        final boolean autoCreateTopics, final int numPartitions, final int socketRequestMaxBytes, final boolean validateCompressedRecords,
        final DescribedConfigs describedConfigs)
    {
        this(nodeId, advertisedHost, advertisedPort, clusterId, autoCreateTopics, numPartitions, socketRequestMaxBytes,
            validateCompressedRecords, describedConfigs, DEFAULT_FETCH_SESSION_CACHE_SLOTS);
    }

    public IoConfig withAdvertisedPort(final int port)
    {
        return new IoConfig(nodeId, advertisedHost, port, clusterId, autoCreateTopics, numPartitions,
            socketRequestMaxBytes, validateCompressedRecords, describedConfigs, fetchSessionCacheSlots);
    }
}
