package io.runnel.kernel.log;

import java.nio.ByteBuffer;
import java.util.Iterator;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Record-level answers that a batch header cannot give (ListOffsets by timestamp, max timestamp).
 * Control plane only: decompresses the one batch concerned with kafka-clients' record classes.
 */
final class RecordLookup
{
    private RecordLookup()
    {
    }

    /** Fills {@code out} with (offset, timestamp) of the first record at or after {@code timestamp}; false if none. */
    static boolean firstAtOrAfter(final ByteBuffer batchBytes, final long timestamp, final long[] out)
    {
        final MutableRecordBatch batch = only(batchBytes);
        for (final Iterator<Record> it = batch.iterator(); it.hasNext(); )
        {
            final Record record = it.next();
            if (record.timestamp() >= timestamp)
            {
                out[0] = record.offset();
                out[1] = record.timestamp();
                return true;
            }
        }
        return false;
    }

    /** Fills {@code out} with (offset, timestamp) of the record with the largest timestamp (first of equals). */
    static void maxTimestamp(final ByteBuffer batchBytes, final long[] out)
    {
        final MutableRecordBatch batch = only(batchBytes);
        out[0] = batch.lastOffset();
        out[1] = -1;
        for (final Iterator<Record> it = batch.iterator(); it.hasNext(); )
        {
            final Record record = it.next();
            if (record.timestamp() > out[1])
            {
                out[0] = record.offset();
                out[1] = record.timestamp();
            }
        }
    }

    private static MutableRecordBatch only(final ByteBuffer batchBytes)
    {
        return MemoryRecords.readableRecords(batchBytes).batches().iterator().next();
    }
}
