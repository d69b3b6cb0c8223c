package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
 *
 * <p>The preallocated file is sparse: a page of it gets disk blocks only when first written. A
 * store through the mapping into a page the file system cannot back (a full disk or tmpfs) is a
 * SIGBUS, which the JVM turns into an asynchronous InternalError at best. So the file is backed
 * by real writes of zeros, {@link #BACKING_CHUNK_BYTES} at a time, before entries go there
 * ({@link #ensureRoomForEntry}): a full disk then fails that write with an IOException, before the
 * log is touched.
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
    /** Bytes from the start of the file known to have disk blocks: entries below it are safe to store. */
    private long backedBytes;

    /** Backed ahead of the entries in steps of this: 8,192 offset-index entries, some 32 MiB of log. */
    static final int BACKING_CHUNK_BYTES = 64 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(BACKING_CHUNK_BYTES).asReadOnlyBuffer();

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
                        channel.write(ByteBuffer.wrap(new byte[1]), mappedSize - 1);
                    }
                }
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, mappedSize);
            }
            buffer = new UnsafeBuffer(mapped);
            maxEntries = (int)(mappedSize / entrySize);
            backedBytes = Math.min(existingSize, (long)entries * entrySize);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open index " + file, ex);
        }
    }

    /**
     * Makes sure the next entry's bytes have disk blocks, writing zeros over the next chunk of the
     * sparse file if they do not. Call before the log write the entry will describe.
     *
     * @throws UncheckedIOException if the blocks cannot be allocated (ENOSPC, EIO): nothing changed.
     */
    public void ensureRoomForEntry()
    {
        final long end = (long)(entries + 1) * entrySize;
        if (entries >= maxEntries || end <= backedBytes)
        {
            return;
        }
        final long chunkEnd = Math.min((long)maxEntries * entrySize, Math.max(end, backedBytes + BACKING_CHUNK_BYTES));
        final ByteBuffer zeros = ZEROS.duplicate();
        zeros.limit((int)(chunkEnd - backedBytes));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            long at = backedBytes;
            while (zeros.hasRemaining())
            {
                at += channel.write(zeros, at);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot allocate index space in " + file, ex);
        }
        backedBytes = chunkEnd;
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
        // After a crash the file may be full-size and sparse: back it again as the rebuild writes entries.
        backedBytes = 0;
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

    /**
     * Shrinks the file to its entries; the index can no longer grow. The old mapping stays in use
     * until the new one exists, so a failure (I/O error) leaves a usable index behind.
     */
    public void trimToEntries()
    {
        final long size = (long)entries * entrySize;
        final MappedByteBuffer trimmed;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            channel.truncate(size);
            trimmed = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot trim index " + file, ex);
        }
        unmap();
        mapped = trimmed;
        buffer = new UnsafeBuffer(mapped);
        maxEntries = entries;
        backedBytes = size;
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
        try
        {
            trimToEntries();
        }
        finally
        {
            // Even on a failing disk: a mapping left behind would keep the file system busy.
            unmap();
        }
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
