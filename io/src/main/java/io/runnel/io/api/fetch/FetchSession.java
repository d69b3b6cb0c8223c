package io.runnel.io.api.fetch;

import java.util.LinkedHashMap;
import java.util.List;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;

/**
 * One incremental fetch session (KIP-227): the partitions a client fetches, with what the client
 * last asked (offset, max bytes) and what it was last told (high watermark, log start offset), so
 * that a request names only what changed and a response only what is new. Kept in partition order;
 * a partition that returned records moves to the end, as in Kafka, so that a response cut short by
 * {@code max_bytes} starts with other partitions next time. Owned by one shard's
 * {@link FetchSessionCache}; shard thread only.
 */
final class FetchSession
{
    /** A partition's key in a session: the topic's id from v13, its name before. */
    record Key(Object topic, int partition)
    {
    }

    /** One partition of the session. */
    static final class CachedPartition
    {
        final String topicName;
        final Uuid topicId;
        final int partition;
        long fetchOffset;
        int maxBytes;
        /** What the client was last told; -1 after an error, so the partition is sent again when it clears. */
        long highWatermark = -1;
        long logStartOffset = -1;

        CachedPartition(final String topicName, final Uuid topicId, final int partition)
        {
            this.topicName = topicName;
            this.topicId = topicId;
            this.partition = partition;
        }
    }

    final int id;
    final boolean usesTopicIds;
    final long creationMs;
    long lastUsedMs;
    int epoch;
    /** The size this session has in its cache's eviction order; changed only by the cache. */
    int cachedSize = -1;
    final LinkedHashMap<Key, CachedPartition> partitions = new LinkedHashMap<>();

    FetchSession(final int id, final boolean usesTopicIds, final long nowMs, final int epoch)
    {
        this.id = id;
        this.usesTopicIds = usesTopicIds;
        this.creationMs = nowMs;
        this.lastUsedMs = nowMs;
        this.epoch = epoch;
    }

    int size()
    {
        return partitions.size();
    }

    /** Adds or updates the request's partitions, then drops the forgotten ones (Kafka's order). */
    void update(final FetchRequestData request)
    {
        for (final FetchRequestData.FetchTopic topic : request.topics())
        {
            for (final FetchRequestData.FetchPartition partition : topic.partitions())
            {
                final Key key = new Key(usesTopicIds ? topic.topicId() : topic.topic(), partition.partition());
                CachedPartition cached = partitions.get(key);
                if (cached == null)
                {
                    cached = new CachedPartition(topic.topic(), topic.topicId(), partition.partition());
                    partitions.put(key, cached);
                }
                cached.fetchOffset = partition.fetchOffset();
                cached.maxBytes = partition.partitionMaxBytes();
            }
        }
        for (final FetchRequestData.ForgottenTopic forgotten : request.forgottenTopicsData())
        {
            final Object topic = usesTopicIds ? forgotten.topicId() : forgotten.topic();
            final List<Integer> indexes = forgotten.partitions();
            for (int i = 0; i < indexes.size(); i++)
            {
                partitions.remove(new Key(topic, indexes.get(i)));
            }
        }
    }

    /** Moves a partition that returned records to the end of the session's order. */
    void moveToEnd(final CachedPartition cached)
    {
        final Key key = new Key(usesTopicIds ? cached.topicId : cached.topicName, cached.partition);
        partitions.remove(key);
        partitions.put(key, cached);
    }

    static int nextEpoch(final int epoch)
    {
        return epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    }
}
