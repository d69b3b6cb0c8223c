package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A memory-mapped file of fixed-size, sorted entries, preallocated while its segment is active and
 * trimmed to its entries when the segment is closed, so that after a clean shutdown the file size
 * alone says how many entries are valid. Entries are big-endian like Kafka's.
 */
abstract class MappedIndex implements AutoCloseable
{
    protected Path file;
    protected final long baseOffset;
    private final int entrySize;
    private MappedByteBuffer mapped;
    protected UnsafeBuffer buffer;
    protected int entries;
    private int maxEntries;

    MappedIndex(final Path file, final long baseOffset, final int entrySize, final int maxIndexBytes, final boolean writable)
    {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        try
        {
            final boolean existed = Files.exists(file);
            final long existingSize = existed ? Files.size(file) : 0;
            entries = (int)(existingSize / entrySize);
            final long mappedSize = writable ? Math.max(roundDown(maxIndexBytes), (long)entries * entrySize) : (long)entries * entrySize;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                if (channel.size() != mappedSize)
                {
                    if (channel.size() > mappedSize)
                    {
                        channel.truncate(mappedSize);
                    }
                    else
                    {
                        channel.write(java.nio.ByteBuffer.wrap(new byte[1]), mappedSize - 1);
                    }
                }
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, mappedSize);
            }
            buffer = new UnsafeBuffer(mapped);
            maxEntries = (int)(mappedSize / entrySize);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open index " + file, ex);
        }
    }

    private long roundDown(final int bytes)
    {
        return (long)(bytes / entrySize) * entrySize;
    }

    final int entrySize()
    {
        return entrySize;
    }

    public int entries()
    {
        return entries;
    }

    public boolean isFull()
    {
        return entries >= maxEntries;
    }

    /** Forgets every entry (before a rebuild). */
    public void reset()
    {
        entries = 0;
    }

    /** Keeps only the first {@code count} entries. */
    void truncateEntries(final int count)
    {
        entries = Math.min(entries, count);
    }

    public void flush()
    {
        mapped.force();
    }

    /** Shrinks the file to its entries; the index can no longer grow. */
    public void trimToEntries()
    {
        final long size = (long)entries * entrySize;
        unmap();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(size);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot trim index " + file, ex);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            buffer = new UnsafeBuffer(mapped);
            maxEntries = entries;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot remap index " + file, ex);
        }
    }

    private void unmap()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
            mapped = null;
        }
    }

    @Override
    public void close()
    {
        trimToEntries();
        unmap();
    }

    /**
     * Renames the file (the mapping stays valid: it follows the file, not its name).
     *
     * @throws UncheckedIOException if the rename fails
     */
    void renameTo(final Path target)
    {
        try
        {
            Files.move(file, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rename " + file + " to " + target, ex);
        }
        file = target;
    }

    /** Its directory was renamed: the file (and the mapping) are where they were, under a new path. */
    void relocate(final Path newDir)
    {
        file = newDir.resolve(file.getFileName());
    }

    Path file()
    {
        return file;
    }

    /** Closes without trimming (the files are about to be deleted). */
    public void closeAndDiscard()
    {
        unmap();
    }

    protected final int position(final int entry)
    {
        return entry * entrySize;
    }
}
