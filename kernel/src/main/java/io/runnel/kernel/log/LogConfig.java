package io.runnel.kernel.log;

/**
 * Settings of one partition log, resolved from broker defaults and topic overrides.
 *
 * @param segmentBytes       roll the active segment when the next batch would exceed this size (segment.bytes)
 * @param segmentMs          roll the active segment once it is this old and not empty (segment.ms)
 * @param indexIntervalBytes bytes of log between two offset-index entries (index.interval.bytes)
 * @param maxIndexBytes      size each index file is preallocated to; a full index rolls the segment (segment.index.bytes)
 * @param maxMessageBytes    largest batch accepted (max.message.bytes)
 * @param flushPolicy        when appended bytes are forced to disk
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    int indexIntervalBytes,
    int maxIndexBytes,
    int maxMessageBytes,
    FlushPolicy flushPolicy)
{
    public static final int DEFAULT_SEGMENT_BYTES = 1 << 30;
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    public static final int DEFAULT_MAX_INDEX_BYTES = 10 * 1024 * 1024;
    /** Kafka's default message.max.bytes (1 MiB plus record overhead). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1048588;

    public static LogConfig defaults()
    {
        return new LogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_MS, DEFAULT_INDEX_INTERVAL_BYTES,
            DEFAULT_MAX_INDEX_BYTES, DEFAULT_MAX_MESSAGE_BYTES, FlushPolicy.PAGE_CACHE);
    }

    public LogConfig
    {
        if (segmentBytes < 1024)
        {
            throw new IllegalArgumentException("segment.bytes must be at least 1024, was " + segmentBytes);
        }
        if (maxIndexBytes < 64)
        {
            throw new IllegalArgumentException("segment.index.bytes must be at least 64, was " + maxIndexBytes);
        }
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
}
