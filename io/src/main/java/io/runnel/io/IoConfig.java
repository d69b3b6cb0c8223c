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
 * @param describedConfigs          broker and topic-default settings as DescribeConfigs and CreateTopics report them
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
    DescribedConfigs describedConfigs)
{
    public IoConfig withAdvertisedPort(final int port)
    {
        return new IoConfig(nodeId, advertisedHost, port, clusterId, autoCreateTopics, numPartitions,
            socketRequestMaxBytes, validateCompressedRecords, describedConfigs);
    }
}
