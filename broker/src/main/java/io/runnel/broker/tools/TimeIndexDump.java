package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dumps a {@code .timeindex} file: entries of (max timestamp so far, last offset of the batch that
 * reached it), the offset stored relative to the segment's base. {@code --verify-index} checks each
 * entry against the segment's {@code .log}: a batch ends at its offset, that batch's max timestamp
 * is the entry's and no earlier batch's is higher, and timestamps grow from entry to entry.
 */
final class TimeIndexDump
{
    /** Entry layout: timestamp int64, relative offset int32 (Kafka's TimeIndex). */
    static final int ENTRY_SIZE = 12;

    private TimeIndexDump()
    {
    }

    static void dump(final Path file, final boolean verify, final DumpReport report) throws IOException
    {
        final long baseOffset = LogFileScan.baseOffsetOf(file);
        final IndexFile index = IndexFile.read(file, ENTRY_SIZE);
        final LogView log = verify ? LogView.of(file, report) : null;
        long previousTimestamp = Long.MIN_VALUE;
        long previousOffset = Long.MIN_VALUE;
        for (int i = 0; i < index.entries(); i++)
        {
            final long timestamp = index.longAt(i, 0);
            final long offset = baseOffset + index.intAt(i, 8);
            report.line("timestamp: " + timestamp + " offset: " + offset);
            if (log == null)
            {
                continue;
            }
            final String entry = "entry " + i + " (timestamp: " + timestamp + " offset: " + offset + "): ";
            if (i > 0 && (timestamp <= previousTimestamp || offset < previousOffset))
            {
                report.problem("mismatch", entry + "timestamps must grow and offsets must not fall; the previous entry is " +
                    "(timestamp: " + previousTimestamp + " offset: " + previousOffset + ")");
            }
            log.check(entry, timestamp, offset, report);
            previousTimestamp = timestamp;
            previousOffset = offset;
        }
        index.describeTail(report);
    }

    /** The batches of the segment's log by last offset, with the max timestamp reached up to each. */
    private static final class LogView
    {
        private final List<BatchSummary> batches;
        private final Map<Long, Integer> byLastOffset = new HashMap<>();
        private final long[] maxSoFar;

        private LogView(final List<BatchSummary> batches)
        {
            this.batches = batches;
            maxSoFar = new long[batches.size()];
            long max = Long.MIN_VALUE;
            for (int i = 0; i < batches.size(); i++)
            {
                byLastOffset.put(batches.get(i).lastOffset(), i);
                max = Math.max(max, batches.get(i).maxTimestamp());
                maxSoFar[i] = max;
            }
        }

        static LogView of(final Path timeIndexFile, final DumpReport report) throws IOException
        {
            final Path log = SegmentFiles.sibling(timeIndexFile, ".log");
            if (!Files.exists(log))
            {
                report.problem("mismatch", "cannot verify: " + log + " does not exist");
                return new LogView(List.of());
            }
            return new LogView(SegmentFiles.quietScan(log).batches());
        }

        void check(final String entry, final long timestamp, final long offset, final DumpReport report)
        {
            final Integer at = byLastOffset.get(offset);
            if (at == null)
            {
                report.problem("mismatch", entry + "no batch of the log ends at this offset");
                return;
            }
            final BatchSummary batch = batches.get(at);
            if (batch.maxTimestamp() != timestamp)
            {
                report.problem("mismatch", entry + "the batch at position " + batch.position() +
                    " has max timestamp " + batch.maxTimestamp());
            }
            else if (maxSoFar[at] != timestamp)
            {
                report.problem("mismatch", entry + "an earlier batch already reached timestamp " + maxSoFar[at] +
                    "; an entry must hold the max timestamp so far");
            }
        }
    }
}
