package io.runnel.kernel.cleaner;

/**
 * The log cleaner's broker settings (Kafka's {@code log.cleaner.*} keys, declared in the broker's
 * BrokerConfigDef); the per-topic ones (min.cleanable.dirty.ratio, delete.retention.ms, the
 * compaction lags) travel in each log's LogConfig.
 *
 * @param enable                 run the cleaner at all (log.cleaner.enable)
 * @param threads                cleaner threads (log.cleaner.threads)
 * @param dedupeBufferSize       bytes of off-heap offset map, shared out among the threads (log.cleaner.dedupe.buffer.size)
 * @param ioBufferLoadFactor     how full an offset map may get before a clean stops adding keys (log.cleaner.io.buffer.load.factor)
 * @param ioBufferSize           bytes of I/O buffer over all threads, each with half its share to read and half to write (log.cleaner.io.buffer.size)
 * @param maxIoBytesPerSecond    bytes read plus written per second, over all threads (log.cleaner.io.max.bytes.per.second)
 * @param backoffMs              how long a thread sleeps when no log needs cleaning (log.cleaner.backoff.ms)
 */
public record CleanerConfig(boolean enable, int threads, long dedupeBufferSize, double ioBufferLoadFactor, int ioBufferSize,
    double maxIoBytesPerSecond, long backoffMs)
{
    /** Kafka's defaults: one thread, 128 MiB of map, 0.9 load factor, 512 KiB buffers, no throttle, 15 s backoff. */
    public static final CleanerConfig DEFAULTS = new CleanerConfig(true, 1, 128L * 1024 * 1024, 0.9, 512 * 1024, Double.MAX_VALUE, 15_000);

    /** No cleaner thread runs (log.cleaner.enable=false): compacted topics grow as if cleanup.policy were empty. */
    public static final CleanerConfig DISABLED = new CleanerConfig(false, 1, 128L * 1024 * 1024, 0.9, 512 * 1024, Double.MAX_VALUE, 15_000);

    /** The keys Kafka lets AlterConfigs change at run time; a change restarts the cleaner's threads, as Kafka's reconfigure does. */
    public static final String THREADS = "log.cleaner.threads";
    public static final String DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String IO_BUFFER_SIZE = "log.cleaner.io.buffer.size";
    public static final String IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";
    public static final String BACKOFF_MS = "log.cleaner.backoff.ms";

    /** Room for a batch header and then some; buffers grow when a batch is larger. */
    private static final int MIN_IO_BUFFER_BYTES = 1024;

    public CleanerConfig
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("log.cleaner.threads must be at least 1, was " + threads);
        }
        if (ioBufferLoadFactor <= 0 || ioBufferLoadFactor > 1)
        {
            throw new IllegalArgumentException("log.cleaner.io.buffer.load.factor must be in (0, 1], was " + ioBufferLoadFactor);
        }
        if (dedupeBufferSize / threads < OffsetMap.BYTES_PER_ENTRY * 2L)
        {
            throw new IllegalArgumentException("log.cleaner.dedupe.buffer.size of " + dedupeBufferSize + " leaves less than two map entries per thread");
        }
    }

    /**
     * These settings with the changed broker keys applied (a key changed to unset goes back to
     * Kafka's default); null if none of the changed keys is the cleaner's.
     *
     * @throws IllegalArgumentException if the result is not a valid cleaner configuration
     */
    public CleanerConfig withChanges(final java.util.Map<String, Object> changed)
    {
        if (java.util.stream.Stream.of(THREADS, DEDUPE_BUFFER_SIZE, IO_BUFFER_LOAD_FACTOR, IO_BUFFER_SIZE, IO_MAX_BYTES_PER_SECOND, BACKOFF_MS)
            .noneMatch(changed::containsKey))
        {
            return null;
        }
        return new CleanerConfig(enable,
            changed.containsKey(THREADS) ? valueOr(changed.get(THREADS), DEFAULTS.threads) : threads,
            changed.containsKey(DEDUPE_BUFFER_SIZE) ? valueOr(changed.get(DEDUPE_BUFFER_SIZE), DEFAULTS.dedupeBufferSize) : dedupeBufferSize,
            changed.containsKey(IO_BUFFER_LOAD_FACTOR) ? valueOr(changed.get(IO_BUFFER_LOAD_FACTOR), DEFAULTS.ioBufferLoadFactor) : ioBufferLoadFactor,
            changed.containsKey(IO_BUFFER_SIZE) ? valueOr(changed.get(IO_BUFFER_SIZE), DEFAULTS.ioBufferSize) : ioBufferSize,
            changed.containsKey(IO_MAX_BYTES_PER_SECOND) ? valueOr(changed.get(IO_MAX_BYTES_PER_SECOND), DEFAULTS.maxIoBytesPerSecond)
                : maxIoBytesPerSecond,
            changed.containsKey(BACKOFF_MS) ? valueOr(changed.get(BACKOFF_MS), DEFAULTS.backoffMs) : backoffMs);
    }

    @SuppressWarnings("unchecked")
    private static <T> T valueOr(final Object value, final T fallback)
    {
        return value == null ? fallback : (T)value;
    }

    /** Bytes of one thread's read buffer, and of its write buffer, as Kafka shares log.cleaner.io.buffer.size out; both grow for a larger batch. */
    public int ioBufferPerThread()
    {
        return Math.max(MIN_IO_BUFFER_BYTES, ioBufferSize / threads / 2);
    }

    /** The offset map bytes of one thread: an equal share, at most what one direct buffer holds. */
    public int dedupeBufferPerThread()
    {
        return (int)Math.min(dedupeBufferSize / threads, Integer.MAX_VALUE);
    }
}
