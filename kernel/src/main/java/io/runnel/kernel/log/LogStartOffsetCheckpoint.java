package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.files.AtomicFile;

/**
 * The log start offset of every partition of a log directory, in Kafka's
 * {@code log-start-offset-checkpoint} format (version 0, a count, then "topic partition offset"
 * lines). Written whenever a log start offset moves past what its first segment says — retention
 * and DeleteRecords write it before they rename a single file — so that a restart, even after
 * kill -9, starts each log where it had been trimmed to. Written and read by the conductor only.
 */
public final class LogStartOffsetCheckpoint
{
    public static final String FILE_NAME = "log-start-offset-checkpoint";
    private static final int VERSION = 0;

    private final Path file;

    public LogStartOffsetCheckpoint(final Path logDir)
    {
        this(logDir, FILE_NAME);
    }

    /** A checkpoint file of the same format under another name (the cleaner's {@code cleaner-offset-checkpoint}). */
    public LogStartOffsetCheckpoint(final Path logDir, final String fileName)
    {
        this.file = logDir.resolve(fileName);
    }

    /** @return partition directory name ("topic-partition") → log start offset; empty if there is no checkpoint. */
    public Map<String, Long> read()
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return Map.of();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
        if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION)
        {
            throw new IllegalStateException(file + " is not a version " + VERSION + " checkpoint");
        }
        final int count = Integer.parseInt(lines.get(1).trim());
        if (lines.size() < 2 + count)
        {
            throw new IllegalStateException(file + " says " + count + " entries but holds " + (lines.size() - 2));
        }
        final Map<String, Long> offsets = new HashMap<>();
        for (int i = 2; i < 2 + count; i++)
        {
            final String[] fields = lines.get(i).trim().split(" ");
            if (fields.length != 3)
            {
                throw new IllegalStateException(file + ": malformed line '" + lines.get(i) + "'");
            }
            offsets.put(fields[0] + "-" + Integer.parseInt(fields[1]), Long.parseLong(fields[2]));
        }
        return offsets;
    }

    /**
     * Replaces the checkpoint with these offsets, durably: a temporary file is written and forced,
     * then renamed over the old one.
     *
     * @param offsets topic → (partition index → log start offset)
     */
    public void write(final Map<String, Map<Integer, Long>> offsets)
    {
        final StringBuilder text = new StringBuilder();
        int count = 0;
        for (final Map.Entry<String, Map<Integer, Long>> topic : offsets.entrySet())
        {
            for (final Map.Entry<Integer, Long> partition : topic.getValue().entrySet())
            {
                text.append(topic.getKey()).append(' ').append(partition.getKey()).append(' ').append(partition.getValue()).append('\n');
                count++;
            }
        }
        final byte[] bytes = (VERSION + "\n" + count + "\n" + text).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, bytes, "a log offset checkpoint");
    }
}
