package io.runnel.kernel.log;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;

/**
 * Settings of one partition log, resolved from broker defaults and topic overrides. The keys, their
 * defaults and their limits are declared once, in {@link TopicConfigDef}; a topic whose configs
 * change at run time gets a new LogConfig, applied by its owning shard.
 *
 * @param segmentBytes           roll the active segment when the next batch would exceed this size (segment.bytes)
 * @param segmentMs              roll the active segment once it is this old and not empty (segment.ms)
 * @param indexIntervalBytes     bytes of log between two offset-index entries (index.interval.bytes)
 * @param maxIndexBytes          size each index file is preallocated to; a full index rolls the segment (segment.index.bytes)
 * @param maxMessageBytes        largest batch accepted (max.message.bytes)
 * @param retentionMs            delete a segment whose newest record is older than this; -1: never (retention.ms)
 * @param retentionBytes         delete the oldest segments while the log is larger than this; -1: no limit (retention.bytes)
 * @param fileDeleteDelayMs      how long a deleted segment's files stay (renamed .deleted) for reads in flight (file.delete.delay.ms)
 * @param cleanupPolicy          delete, compact or both (cleanup.policy)
 * @param deleteRetentionMs      how long a compacted topic keeps its tombstones (delete.retention.ms)
 * @param minCompactionLagMs     a record stays uncompacted at least this long (min.compaction.lag.ms)
 * @param maxCompactionLagMs     a record stays uncompacted at most this long (max.compaction.lag.ms)
 * @param minCleanableDirtyRatio share of the log that must be uncompacted before it is compacted (min.cleanable.dirty.ratio)
 * @param timestampType          CreateTime keeps the producer's timestamps, LogAppendTime stamps batches on append (message.timestamp.type)
 * @param timestampBeforeMaxMs   CreateTime: how far in the past a record's timestamp may be (message.timestamp.before.max.ms)
 * @param timestampAfterMaxMs    CreateTime: how far in the future a record's timestamp may be (message.timestamp.after.max.ms)
 * @param compressionType        the codec batches are stored with; "producer" keeps the producer's (compression.type)
 * @param gzipLevel              the level batches re-encoded in gzip are compressed at (compression.gzip.level)
 * @param lz4Level               the level batches re-encoded in lz4 are compressed at (compression.lz4.level)
 * @param zstdLevel              the level batches re-encoded in zstd are compressed at (compression.zstd.level)
 * @param flushPolicy            when appended bytes are forced to disk (a broker setting, runnel.flush.policy)
 * @param preallocate            allocate the active segment's disk space ahead of its appends (preallocate)
 * @param minInsyncReplicas      in-sync replicas an acks=all write needs, else NOT_ENOUGH_REPLICAS (min.insync.replicas)
 * @param leaderThrottledReplicas   replicas a leader here serves at the throttled rate while out of sync (leader.replication.throttled.replicas)
 * @param followerThrottledReplicas replicas that fetch here at the throttled rate while out of sync (follower.replication.throttled.replicas)
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    int indexIntervalBytes,
    int maxIndexBytes,
    int maxMessageBytes,
    long retentionMs,
    long retentionBytes,
    long fileDeleteDelayMs,
    CleanupPolicy cleanupPolicy,
    long deleteRetentionMs,
    long minCompactionLagMs,
    long maxCompactionLagMs,
    double minCleanableDirtyRatio,
    TimestampType timestampType,
    long timestampBeforeMaxMs,
    long timestampAfterMaxMs,
    String compressionType,
    int gzipLevel,
    int lz4Level,
    int zstdLevel,
    FlushPolicy flushPolicy,
    boolean preallocate,
    int minInsyncReplicas,
    ThrottledReplicas leaderThrottledReplicas,
    ThrottledReplicas followerThrottledReplicas)
{
    /** Which of retention's two ways a topic uses: delete old segments, compact to the newest record per key, or both. */
    public record CleanupPolicy(boolean delete, boolean compact)
    {
        public static final CleanupPolicy DELETE = new CleanupPolicy(true, false);
        public static final CleanupPolicy COMPACT = new CleanupPolicy(false, true);

        /** From cleanup.policy's value, a list of "delete" and "compact" (an empty list: neither). */
        public static CleanupPolicy of(final List<?> values)
        {
            return new CleanupPolicy(values.contains("delete"), values.contains("compact"));
        }
    }

    /** The declared defaults hold every topic key, so each of the seed's topic fields is replaced. */
    private static final LogConfig DEFAULTS = new LogConfig(TopicConfigDef.MIN_SEGMENT_BYTES, 1, 0, TopicConfigDef.MIN_INDEX_BYTES, 0,
        -1, -1, 0, CleanupPolicy.DELETE, 0, 0, 1, 0.5, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE, "producer",
        -1, 0, 0, FlushPolicy.PAGE_CACHE, false, 1, ThrottledReplicas.NONE, ThrottledReplicas.NONE).withTopicConfigs(TopicConfigDef.defaults());

    /** The declared defaults of every topic key, with page-cache flushing. */
    public static LogConfig defaults()
    {
        return DEFAULTS;
    }

    public LogConfig
    {
        if (segmentBytes < TopicConfigDef.MIN_SEGMENT_BYTES)
        {
            throw new IllegalArgumentException("segment.bytes must be at least " + TopicConfigDef.MIN_SEGMENT_BYTES + ", was " + segmentBytes);
        }
        if (maxIndexBytes < TopicConfigDef.MIN_INDEX_BYTES)
        {
            throw new IllegalArgumentException("segment.index.bytes must be at least " + TopicConfigDef.MIN_INDEX_BYTES + ", was " + maxIndexBytes);
        }
    }

    /**
     * These settings with a topic's configs applied on top: the broker's defaults overridden by the
     * keys the topic sets. Keys a log does not use are ignored here.
     *
     * @param topicConfigs topic keys and values as CreateTopics accepted them (validated against {@link TopicConfigDef})
     * @throws IllegalArgumentException if a value the log uses is not valid
     */
    public LogConfig withTopicOverrides(final Map<String, String> topicConfigs)
    {
        try
        {
            return withTopicConfigs(TopicConfigDef.parseKnown(topicConfigs));
        }
        catch (final ConfigException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    /** These settings with the given topic keys replaced by typed values, as {@link TopicConfigDef} parses them. */
    private LogConfig withTopicConfigs(final Map<String, Object> parsed)
    {
        final Object policy = parsed.get(TopicConfigDef.CLEANUP_POLICY);
        final Object timestamps = parsed.get(TopicConfigDef.MESSAGE_TIMESTAMP_TYPE);
        final Object leaderThrottled = parsed.get(TopicConfigDef.LEADER_REPLICATION_THROTTLED_REPLICAS);
        final Object followerThrottled = parsed.get(TopicConfigDef.FOLLOWER_REPLICATION_THROTTLED_REPLICAS);
        return new LogConfig(
            (Integer)parsed.getOrDefault(TopicConfigDef.SEGMENT_BYTES, segmentBytes),
            (Long)parsed.getOrDefault(TopicConfigDef.SEGMENT_MS, segmentMs),
            (Integer)parsed.getOrDefault(TopicConfigDef.INDEX_INTERVAL_BYTES, indexIntervalBytes),
            (Integer)parsed.getOrDefault(TopicConfigDef.SEGMENT_INDEX_BYTES, maxIndexBytes),
            (Integer)parsed.getOrDefault(TopicConfigDef.MAX_MESSAGE_BYTES, maxMessageBytes),
            (Long)parsed.getOrDefault(TopicConfigDef.RETENTION_MS, retentionMs),
            (Long)parsed.getOrDefault(TopicConfigDef.RETENTION_BYTES, retentionBytes),
            (Long)parsed.getOrDefault(TopicConfigDef.FILE_DELETE_DELAY_MS, fileDeleteDelayMs),
            policy == null ? cleanupPolicy : CleanupPolicy.of((List<?>)policy),
            (Long)parsed.getOrDefault(TopicConfigDef.DELETE_RETENTION_MS, deleteRetentionMs),
            (Long)parsed.getOrDefault(TopicConfigDef.MIN_COMPACTION_LAG_MS, minCompactionLagMs),
            (Long)parsed.getOrDefault(TopicConfigDef.MAX_COMPACTION_LAG_MS, maxCompactionLagMs),
            (Double)parsed.getOrDefault(TopicConfigDef.MIN_CLEANABLE_DIRTY_RATIO, minCleanableDirtyRatio),
            timestamps == null ? timestampType : TimestampType.forName((String)timestamps),
            (Long)parsed.getOrDefault(TopicConfigDef.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, timestampBeforeMaxMs),
            (Long)parsed.getOrDefault(TopicConfigDef.MESSAGE_TIMESTAMP_AFTER_MAX_MS, timestampAfterMaxMs),
            (String)parsed.getOrDefault(TopicConfigDef.COMPRESSION_TYPE, compressionType),
            (Integer)parsed.getOrDefault(TopicConfigDef.COMPRESSION_GZIP_LEVEL, gzipLevel),
            (Integer)parsed.getOrDefault(TopicConfigDef.COMPRESSION_LZ4_LEVEL, lz4Level),
            (Integer)parsed.getOrDefault(TopicConfigDef.COMPRESSION_ZSTD_LEVEL, zstdLevel),
            flushPolicy,
            (Boolean)parsed.getOrDefault(TopicConfigDef.PREALLOCATE, preallocate),
            (Integer)parsed.getOrDefault(TopicConfigDef.MIN_INSYNC_REPLICAS, minInsyncReplicas),
            leaderThrottled == null ? leaderThrottledReplicas : ThrottledReplicas.of((List<?>)leaderThrottled),
            followerThrottled == null ? followerThrottledReplicas : ThrottledReplicas.of((List<?>)followerThrottled));
    }

    /**
     * Kafka's rule across keys (LogConfig.validateValues): a record cannot have to be compacted
     * sooner than it may be.
     *
     * @return null if these settings agree with each other, else why not
     */
    public String conflict()
    {
        return minCompactionLagMs > maxCompactionLagMs ? "conflict topic config setting " + TopicConfigDef.MIN_COMPACTION_LAG_MS + " ("
            + minCompactionLagMs + ") > " + TopicConfigDef.MAX_COMPACTION_LAG_MS + " (" + maxCompactionLagMs + ")" : null;
    }

    public LogConfig withSegmentBytes(final int bytes)
    {
        return withTopicConfigs(Map.of(TopicConfigDef.SEGMENT_BYTES, bytes));
    }

    public LogConfig withSegmentMs(final long ms)
    {
        return withTopicConfigs(Map.of(TopicConfigDef.SEGMENT_MS, ms));
    }

    public LogConfig withIndexIntervalBytes(final int bytes)
    {
        return withTopicConfigs(Map.of(TopicConfigDef.INDEX_INTERVAL_BYTES, bytes));
    }

    public LogConfig withMaxIndexBytes(final int bytes)
    {
        return withTopicConfigs(Map.of(TopicConfigDef.SEGMENT_INDEX_BYTES, bytes));
    }

    public LogConfig withMaxMessageBytes(final int bytes)
    {
        return withTopicConfigs(Map.of(TopicConfigDef.MAX_MESSAGE_BYTES, bytes));
    }

    public LogConfig withFlushPolicy(final FlushPolicy policy)
    {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, maxIndexBytes, maxMessageBytes, retentionMs, retentionBytes,
            fileDeleteDelayMs, cleanupPolicy, deleteRetentionMs, minCompactionLagMs, maxCompactionLagMs, minCleanableDirtyRatio,
            timestampType, timestampBeforeMaxMs, timestampAfterMaxMs, compressionType, gzipLevel, lz4Level, zstdLevel, policy, preallocate,
            minInsyncReplicas, leaderThrottledReplicas, followerThrottledReplicas);
    }

    public LogConfig withPreallocate(final boolean enabled)
    {
        return withTopicConfigs(Map.of(TopicConfigDef.PREALLOCATE, enabled));
    }
}
