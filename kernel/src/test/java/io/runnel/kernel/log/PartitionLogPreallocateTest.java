package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.activeSegmentFile;
import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.files;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static io.runnel.kernel.log.LogFixture.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * preallocate=true: the active segment's file is allocated ahead of its data; readers and recovery
 * go by the data, and a sealed or cleanly closed segment is trimmed to it, as Kafka's tools expect.
 */
class PartitionLogPreallocateTest
{
    private static final int SEGMENT_BYTES = 64 * 1024;

    @RegisterExtension
    final OpenLogs logs = new OpenLogs("prealloc-0", config(SEGMENT_BYTES, 1, FlushPolicy.PAGE_CACHE).withPreallocate(true));

    private static long dataBytes(final PartitionLog log)
    {
        return log.sizeInBytes();
    }

    @Test
    void theActiveSegmentIsAllocatedAheadReadByItsDataAndTrimmedOnClose()
    {
        final PartitionLog log = logs.open(true);
        for (int i = 0; i < 10; i++)
        {
            appendOk(log, batch(5));
        }

        assertEquals(SEGMENT_BYTES, size(activeSegmentFile(logs.dir())), "allocated up to segment.bytes");
        assertTrue(dataBytes(log) < SEGMENT_BYTES);
        assertEquals(range(0, 50), offsets(consume(log, 0, 1 << 20)));

        final long data = dataBytes(log);
        logs.close(log);
        assertEquals(data, size(activeSegmentFile(logs.dir())), "a clean close leaves only the data");

        final PartitionLog reopened = logs.open(true);
        assertEquals(50, reopened.logEndOffset());
        appendOk(reopened, batch(5));
        assertEquals(range(0, 55), offsets(consume(reopened, 0, 1 << 20)));
    }

    @Test
    void aRolledSegmentIsTrimmedToItsData() throws IOException
    {
        final PartitionLog log = logs.open(true);
        for (int i = 0; i < 5000 && log.segmentCount() < 3; i++)
        {
            appendOk(log, batch(20));
        }
        assertTrue(log.segmentCount() >= 3);

        final List<Path> segments = files(logs.dir(), ".log");
        for (final Path sealed : segments.subList(0, segments.size() - 1))
        {
            // As kafka-dump-log reads it: whole batches to the last byte, no zeros after them.
            final MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(sealed)));
            int batchBytes = 0;
            for (final MutableRecordBatch stored : records.batches())
            {
                stored.ensureValid();
                batchBytes += stored.sizeInBytes();
            }
            assertEquals(size(sealed), batchBytes, sealed + " holds more than its batches");
        }
        assertEquals(SEGMENT_BYTES, size(segments.get(segments.size() - 1)), "the active one is preallocated");
        assertEquals(range(0, log.logEndOffset()), offsets(consume(log, 0, 1 << 20)));
    }

    @Test
    void aCrashLeavesZerosThatRecoveryCutsAtTheFirstZeroedHeader()
    {
        final PartitionLog log = logs.open(true);
        for (int i = 0; i < 10; i++)
        {
            appendOk(log, batch(5));
        }
        final long data = dataBytes(log);
        logs.crash(log);
        assertEquals(SEGMENT_BYTES, size(activeSegmentFile(logs.dir())));

        final PartitionLog recovered = logs.open(false);

        assertEquals(50, recovered.logEndOffset());
        assertEquals(data, size(activeSegmentFile(logs.dir())));
        appendOk(recovered, batch(5));
        assertEquals(range(0, 55), offsets(consume(recovered, 0, 1 << 20)));
    }

    @Test
    void zerosLeftAfterACleanShutdownAreFoundAndCut() throws IOException
    {
        final PartitionLog log = logs.open(true);
        for (int i = 0; i < 10; i++)
        {
            appendOk(log, batch(5));
        }
        logs.close(log);
        final long data = size(activeSegmentFile(logs.dir()));
        // As if the trim on close had failed: zeros after the data, and the clean-shutdown marker says skip the scan.
        try (FileChannel channel = FileChannel.open(activeSegmentFile(logs.dir()), StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(8192), data);
        }

        final PartitionLog reopened = logs.open(true);

        assertEquals(50, reopened.logEndOffset());
        assertEquals(data, size(activeSegmentFile(logs.dir())));
        appendOk(reopened, batch(5));
        assertEquals(range(0, 55), offsets(consume(reopened, 0, 1 << 20)));
    }
}
