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

    public FileRegion set(final FileChannel channel, final long position, final int length)
    {
        this.channel = channel;
        this.position = position;
        this.length = length;
        return this;
    }

    public FileRegion clear()
    {
        return set(null, 0, 0);
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
}
