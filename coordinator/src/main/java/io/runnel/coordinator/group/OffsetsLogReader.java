package io.runnel.coordinator.group;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.PartitionLog;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Reads an offsets partition from its start to its log end, record by record: the coordinator's
 * load. Past the high watermark too: see {@code GroupCoordinator.load}.
 */
final class OffsetsLogReader
{
    /** Read the log in chunks of this size (a chunk always holds at least one whole batch). */
    private static final int READ_BYTES = 4 * 1024 * 1024;

    private OffsetsLogReader()
    {
    }

    /** Hands every keyed data record's key and value (null for a tombstone) to {@code sink}, in log order. */
    static void forEachRecord(final PartitionLog log, final BiConsumer<ByteBuffer, ByteBuffer> sink)
    {
        final FileRegion region = new FileRegion();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset())
        {
            log.readForReplica(offset, READ_BYTES, region);
            if (region.length() == 0)
            {
                break;
            }
            long next = offset;
            for (final MutableRecordBatch batch : MemoryRecords.readableRecords(readFully(log, region)).batches())
            {
                if (!batch.isControlBatch())
                {
                    for (final Record record : batch)
                    {
                        if (record.hasKey())
                        {
                            sink.accept(record.key(), record.hasValue() ? record.value() : null);
                        }
                    }
                }
                next = batch.nextOffset();
            }
            if (next == offset)
            {
                break;
            }
            offset = next;
        }
    }

    private static ByteBuffer readFully(final PartitionLog log, final FileRegion region)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(region.length());
        try
        {
            while (bytes.hasRemaining())
            {
                if (region.channel().read(bytes, region.position() + bytes.position()) < 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + log.name(), ex);
        }
        return bytes.flip();
    }
}
