package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.runnel.kernel.producer.ProducerEntry;
import io.runnel.kernel.producer.ProducerStateManager;

/**
 * Dumps a producer-state snapshot ({@code <offset>.snapshot}, Runnel's own format, read by the
 * kernel's {@link ProducerStateManager}): each idempotent producer and the batches it remembers.
 */
final class SnapshotDump
{
    private SnapshotDump()
    {
    }

    static void dump(final Path file, final DumpReport report) throws IOException
    {
        final List<ProducerEntry> producers = ProducerStateManager.readSnapshotFile(file);
        if (producers == null)
        {
            report.problem("corrupt", "not an intact producer-state snapshot (bad magic, version, length or CRC)");
            return;
        }
        report.line("Producer state as of offset: " + LogFileScan.baseOffsetOf(file));
        for (final ProducerEntry producer : producers)
        {
            final StringBuilder line = new StringBuilder(160)
                .append("producerId: ").append(producer.producerId())
                .append(" producerEpoch: ").append(producer.epoch())
                .append(" batches: ").append(producer.batchCount());
            for (int i = 0; i < producer.batchCount(); i++)
            {
                line.append(i == 0 ? " [" : ", ")
                    .append("firstSequence: ").append(producer.firstSequenceOf(i))
                    .append(" lastSequence: ").append(producer.lastSequenceOf(i))
                    .append(" firstOffset: ").append(producer.firstOffsetOf(i))
                    .append(" lastOffset: ").append(producer.lastOffsetOf(i))
                    .append(" timestamp: ").append(producer.timestampOf(i));
            }
            report.line(producer.batchCount() == 0 ? line.toString() : line.append(']').toString());
        }
        report.line("producers: " + producers.size());
    }
}
