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
