package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** The files of one segment, named {@code <20-digit base offset>.<kind>}, and the kinds dump-log knows. */
enum SegmentFiles
{
    LOG(".log"), OFFSET_INDEX(".index"), TIME_INDEX(".timeindex"), PRODUCER_SNAPSHOT(".snapshot");

    private final String suffix;

    SegmentFiles(final String suffix)
    {
        this.suffix = suffix;
    }

    String suffix()
    {
        return suffix;
    }

    /** The kind of a file by its suffix, or null for a file dump-log does not read. */
    static SegmentFiles of(final Path file)
    {
        final String name = file.getFileName().toString();
        for (final SegmentFiles kind : values())
        {
            if (name.endsWith(kind.suffix))
            {
                return kind;
            }
        }
        return null;
    }

    /** The file of another kind of the same segment: {@code 0...0.index} → {@code 0...0.log}. */
    static Path sibling(final Path file, final String suffix)
    {
        final String name = file.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        return file.resolveSibling((dot < 0 ? name : name.substring(0, dot)) + suffix);
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
