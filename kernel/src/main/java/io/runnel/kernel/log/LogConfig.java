package io.runnel.kernel.log;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of one partition log, resolved from broker defaults and topic overrides. The keys, their
 * defaults and their limits are declared once, in {@link TopicConfigDef}.
 *
 * @param segmentBytes       roll the active segment when the next batch would exceed this size (segment.bytes)
 * @param segmentMs          roll the active segment once it is this old and not empty (segment.ms)
 * @param indexIntervalBytes bytes of log between two offset-index entries (index.interval.bytes)
 * @param maxIndexBytes      size each index file is preallocated to; a full index rolls the segment (segment.index.bytes)
 * @param maxMessageBytes    largest batch accepted (max.message.bytes)
 * @param flushPolicy        when appended bytes are forced to disk (a broker setting, runnel.flush.policy)
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    int indexIntervalBytes,
    int maxIndexBytes,
    int maxMessageBytes,
    FlushPolicy flushPolicy)
{
    /** The declared defaults hold every topic key, so each of the seed's topic fields is replaced. */
    private static final LogConfig DEFAULTS = new LogConfig(TopicConfigDef.MIN_SEGMENT_BYTES, 1, 0, TopicConfigDef.MIN_INDEX_BYTES, 0,
        FlushPolicy.PAGE_CACHE).withTopicConfigs(TopicConfigDef.defaults());

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
     * keys the topic sets. Keys a log does not use (retention.ms, cleanup.policy…) are ignored here.
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

    private LogConfig withTopicConfigs(final Map<String, Object> parsed)
    {
        return new LogConfig(
            (Integer)parsed.getOrDefault(TopicConfigDef.SEGMENT_BYTES, segmentBytes),
            (Long)parsed.getOrDefault(TopicConfigDef.SEGMENT_MS, segmentMs),
            (Integer)parsed.getOrDefault(TopicConfigDef.INDEX_INTERVAL_BYTES, indexIntervalBytes),
            (Integer)parsed.getOrDefault(TopicConfigDef.SEGMENT_INDEX_BYTES, maxIndexBytes),
            (Integer)parsed.getOrDefault(TopicConfigDef.MAX_MESSAGE_BYTES, maxMessageBytes),
            flushPolicy);
    }

    public LogConfig withSegmentBytes(final int bytes)
    {
        return new LogConfig(bytes, segmentMs, indexIntervalBytes, maxIndexBytes, maxMessageBytes, flushPolicy);
    }

    public LogConfig withSegmentMs(final long ms)
    {
        return new LogConfig(segmentBytes, ms, indexIntervalBytes, maxIndexBytes, maxMessageBytes, flushPolicy);
    }

    public LogConfig withMaxMessageBytes(final int bytes)
    {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, maxIndexBytes, bytes, flushPolicy);
    }

    public LogConfig withFlushPolicy(final FlushPolicy policy)
    {
        return new LogConfig(segmentBytes, segmentMs, indexIntervalBytes, maxIndexBytes, maxMessageBytes, policy);
    }
}
