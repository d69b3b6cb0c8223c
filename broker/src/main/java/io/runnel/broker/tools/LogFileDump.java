package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Dumps a {@code .log} file: a line per batch and, with {@code --print-data}, a line per record. */
final class LogFileDump
{
    private LogFileDump()
    {
    }

    static void dump(final Path file, final boolean printData, final DumpReport report) throws IOException
    {
        report.line("Log starting offset: " + LogFileScan.baseOffsetOf(file));
        final long[] records = new long[1];
        final LogFileScan scan = LogFileScan.scan(file, new LogFileScan.Listener()
        {
            @Override
            public void batch(final BatchSummary batch, final ByteBuffer bytes)
            {
                report.line(batch.describe());
                records[0] += batch.count();
                if (printData)
                {
                    RecordsPrinter.print(batch, bytes, report);
                }
            }

            @Override
            public void problem(final String kind, final String text)
            {
                report.problem(kind, text);
            }
        });
        report.line("batches: " + scan.batches().size() + " records: " + records[0] + " validBytes: " + scan.validBytes() +
            " fileBytes: " + scan.fileSize());
    }
}
