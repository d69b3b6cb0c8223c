package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Dumps a {@code .index} file: entries of (last offset of a batch, position of that batch), the
 * offset stored relative to the segment's base. {@code --verify-index} checks each entry against
 * the segment's {@code .log}: its position is where a batch starts, that batch ends at its offset,
 * and both grow from entry to entry.
 */
final class OffsetIndexDump
{
    /** Entry layout: relative offset int32, position int32 (Kafka's OffsetIndex). */
    static final int ENTRY_SIZE = 8;

    private OffsetIndexDump()
    {
    }

    static void dump(final Path file, final boolean verify, final DumpReport report) throws IOException
    {
        final long baseOffset = LogFileScan.baseOffsetOf(file);
        final IndexFile index = IndexFile.read(file, ENTRY_SIZE);
        final Map<Integer, BatchSummary> batchAt = verify ? batchesByPosition(file, report) : null;
        long previousOffset = -1;
        long previousPosition = -1;
        for (int i = 0; i < index.entries(); i++)
        {
            final long offset = baseOffset + index.intAt(i, 0);
            final int position = index.intAt(i, 4);
            report.line("offset: " + offset + " position: " + position);
            if (batchAt == null)
            {
                continue;
            }
            final String entry = "entry " + i + " (offset: " + offset + " position: " + position + "): ";
            if (offset <= previousOffset || position <= previousPosition)
            {
                report.problem("mismatch", entry + "not above the previous entry (offset: " + previousOffset +
                    " position: " + previousPosition + ")");
            }
            final BatchSummary batch = batchAt.get(position);
            if (batch == null)
            {
                report.problem("mismatch", entry + "no batch of the log starts at this position");
            }
            else if (batch.lastOffset() != offset)
            {
                report.problem("mismatch", entry + "the batch there holds offsets " + batch.baseOffset() + ".." +
                    batch.lastOffset() + "; the entry must name its last offset");
            }
            previousOffset = offset;
            previousPosition = position;
        }
        index.describeTail(report);
    }

    private static Map<Integer, BatchSummary> batchesByPosition(final Path indexFile, final DumpReport report) throws IOException
    {
        final Path log = SegmentFiles.sibling(indexFile, ".log");
        final Map<Integer, BatchSummary> byPosition = new HashMap<>();
        if (!Files.exists(log))
        {
            report.problem("mismatch", "cannot verify: " + log + " does not exist");
            return byPosition;
        }
        for (final BatchSummary batch : SegmentFiles.quietScan(log).batches())
        {
            byPosition.put(batch.position(), batch);
        }
        return byPosition;
    }
}
