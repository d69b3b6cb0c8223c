package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The raw entries of a {@code .index} or {@code .timeindex} file (big-endian, fixed size). An active
 * segment's index is preallocated with zeros, so, as Kafka's tool does, an all-zero entry after the
 * first one ends the entries; a file that is all zeros has none.
 */
final class IndexFile
{
    private final ByteBuffer bytes;
    private final int entrySize;
    private final int entries;

    private IndexFile(final ByteBuffer bytes, final int entrySize)
    {
        this.bytes = bytes;
        this.entrySize = entrySize;
        this.entries = countEntries();
    }

    static IndexFile read(final Path file, final int entrySize) throws IOException
    {
        return new IndexFile(ByteBuffer.wrap(Files.readAllBytes(file)), entrySize);
    }

    private int countEntries()
    {
        final int whole = bytes.capacity() / entrySize;
        if (whole > 1 && isZero(0, bytes.capacity()))
        {
            return 0;
        }
        for (int i = 1; i < whole; i++)
        {
            if (isZero(i * entrySize, entrySize))
            {
                return i;
            }
        }
        return whole;
    }

    private boolean isZero(final int from, final int length)
    {
        for (int i = from; i < from + length; i++)
        {
            if (bytes.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    int entries()
    {
        return entries;
    }

    /** Bytes after the last entry: a preallocated index's unused space, or a torn entry. */
    int unusedBytes()
    {
        return bytes.capacity() - entries * entrySize;
    }

    /** True when the file's size is not a whole number of entries (Kafka's sanity check refuses such a file). */
    boolean hasPartialEntry()
    {
        return bytes.capacity() % entrySize != 0;
    }

    int intAt(final int entry, final int field)
    {
        return bytes.getInt(entry * entrySize + field);
    }

    long longAt(final int entry, final int field)
    {
        return bytes.getLong(entry * entrySize + field);
    }

    /** Writes the entry count and any unused or partial tail. */
    void describeTail(final DumpReport report)
    {
        report.line("entries: " + entries + (unusedBytes() == 0 ? "" : " unusedBytes: " + unusedBytes() +
            " (preallocated while the segment is active)"));
        if (hasPartialEntry())
        {
            report.problem("corrupt", "file size " + bytes.capacity() + " is not a multiple of the entry size " + entrySize);
        }
    }
}
