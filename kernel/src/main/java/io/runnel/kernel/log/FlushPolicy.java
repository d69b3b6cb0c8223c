package io.runnel.kernel.log;

/** When appended bytes must be on disk before a produce is acknowledged. */
public enum FlushPolicy
{
    /** Acknowledge once in the page cache, as Kafka does by default; survives a process crash, not power loss. */
    PAGE_CACHE,
    /** Group commit: each shard forces its dirty partitions once per duty cycle, then acknowledges. */
    FSYNC;

    public static FlushPolicy parse(final String value)
    {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "pagecache", "page-cache", "page_cache" -> PAGE_CACHE;
            case "fsync" -> FSYNC;
            default -> throw new IllegalArgumentException("runnel.flush.policy must be pagecache or fsync, was " + value);
        };
    }
}
