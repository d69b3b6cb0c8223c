package io.runnel.kernel.log;

import java.nio.channels.FileChannel;

/**
 * Where a fetch's record bytes lie: a range of a segment file, sent to the socket with
 * {@code FileChannel.transferTo} so the bytes never enter the Java heap. Mutable and reused.
 */
public final class FileRegion
{
    private FileChannel channel;
    private long position;
    private int length;
    private int firstBatchLength;

    /** A range that starts with a batch of {@code firstBatchLength} bytes (the range may hold less of it, or more after it). */
    public FileRegion set(final FileChannel channel, final long position, final int length, final int firstBatchLength)
    {
        this.channel = channel;
        this.position = position;
        this.length = length;
        this.firstBatchLength = firstBatchLength;
        return this;
    }

    /** The same range, cut to its first {@code newLength} bytes. */
    public FileRegion shortenTo(final int newLength)
    {
        return newLength <= 0 ? clear() : set(channel, position, Math.min(length, newLength), firstBatchLength);
    }

    public FileRegion clear()
    {
        return set(null, 0, 0, 0);
    }

    public FileChannel channel()
    {
        return channel;
    }

    public long position()
    {
        return position;
    }

    public int length()
    {
        return length;
    }

    /**
     * The size of the batch the range starts with. A range shorter than this holds no whole batch,
     * which a consumer cannot make progress with (Kafka sends such a partition no records instead).
     */
    public int firstBatchLength()
    {
        return firstBatchLength;
    }
}
