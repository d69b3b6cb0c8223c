package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The files of one segment, named {@code <20-digit base offset>.<kind>}, and the kinds dump-log knows.
 * A file on its way out or in ({@code .deleted} before removal, {@code .cleaned} and {@code .swap}
 * during a compaction swap, as Kafka names them) is still the kind before that suffix.
 */
enum SegmentFiles
{
    LOG(".log"), OFFSET_INDEX(".index"), TIME_INDEX(".timeindex"), PRODUCER_SNAPSHOT(".snapshot");

    private static final List<String> TRANSIENT_SUFFIXES = List.of(".deleted", ".cleaned", ".swap");

    private final String suffix;

    SegmentFiles(final String suffix)
    {
        this.suffix = suffix;
    }

    /** The kind of a file by its suffix, or null for a file dump-log does not read. */
    static SegmentFiles of(final Path file)
    {
        final String name = file.getFileName().toString();
        final String kindPart = name.substring(0, name.length() - transientSuffix(name).length());
        for (final SegmentFiles kind : values())
        {
            if (kindPart.endsWith(kind.suffix))
            {
                return kind;
            }
        }
        return null;
    }

    /**
     * The file of another kind of the same segment, in the same state: {@code 0...0.index} →
     * {@code 0...0.log}, {@code 0...0.index.deleted} → {@code 0...0.log.deleted}.
     */
    static Path sibling(final Path file, final String suffix)
    {
        final String name = file.getFileName().toString();
        final String state = transientSuffix(name);
        final String kindPart = name.substring(0, name.length() - state.length());
        final int dot = kindPart.lastIndexOf('.');
        return file.resolveSibling((dot < 0 ? kindPart : kindPart.substring(0, dot)) + suffix + state);
    }

    private static String transientSuffix(final String name)
    {
        for (final String suffix : TRANSIENT_SUFFIXES)
        {
            if (name.endsWith(suffix))
            {
                return suffix;
            }
        }
        return "";
    }

    /** Walks a log for its batch boundaries only; its own problems are reported when the log itself is dumped. */
    static LogFileScan quietScan(final Path log) throws IOException
    {
        return LogFileScan.scan(log, new LogFileScan.Listener()
        {
            @Override
            public void batch(final BatchSummary batch, final ByteBuffer bytes)
            {
            }

            @Override
            public void problem(final String kind, final String text)
            {
            }
        });
    }
}
