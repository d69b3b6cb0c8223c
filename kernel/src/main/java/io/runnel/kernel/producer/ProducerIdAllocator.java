package io.runnel.kernel.producer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.runnel.kernel.files.AtomicFile;

/**
 * Hands out producer ids that are never reused, even across restarts: ids are reserved in blocks
 * and the end of the current block is persisted before any id from it is given out, so a crash
 * skips the rest of a block rather than repeating ids (which partitions would take for a
 * producer they already know). A single node's; a cluster member's come from the metadata quorum.
 */
public final class ProducerIdAllocator implements ProducerIds
{
    private static final long BLOCK_SIZE = 1000;
    private final Path file;
    private long next;
    private long blockEnd;

    public ProducerIdAllocator(final Path logDir)
    {
        this.file = logDir.resolve(".runnel-producer-ids");
        try
        {
            next = Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()) : 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        blockEnd = next;
    }

    @Override
    public synchronized long nextProducerId()
    {
        if (next >= blockEnd)
        {
            reserve(next + BLOCK_SIZE);
        }
        return next++;
    }

    private void reserve(final long end)
    {
        AtomicFile.write(file, Long.toString(end).getBytes(StandardCharsets.UTF_8), "the producer id block");
        blockEnd = end;
    }
}
