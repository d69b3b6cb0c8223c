package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.append;
import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.batchesOf;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.files;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static io.runnel.kernel.log.LogFixture.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PartitionLogTest
{
    @RegisterExtension
    final OpenLogs logs = new OpenLogs("orders-0", LogConfig.defaults());

    @Test
    void newLogIsEmptyAndStartsAtOffsetZero()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);

        assertEquals(0, log.logStartOffset());
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.highWatermark());
        assertEquals(1, log.segmentCount());
        assertEquals(List.of(logs.dir().resolve("00000000000000000000.log")), files(log.dir(), ".log"));
    }

    @Test
    void appendAssignsContiguousOffsets()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);

        assertEquals(0, appendOk(log, batch(3)));
        assertEquals(3, appendOk(log, batch(1)));
        assertEquals(4, appendOk(log, batch(5)));

        assertEquals(9, log.logEndOffset());
        assertEquals(9, log.highWatermark());
        assertEquals(9, log.state().logEndOffset());
        assertEquals(9, log.state().highWatermark());
        assertEquals(0, log.state().logStartOffset());
    }

    @Test
    void readReturnsTheAppendedBatchesWithAssignedOffsets()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        final MemoryRecords first = batch(3);
        final MemoryRecords second = batch(2);
        appendOk(log, first);
        appendOk(log, second);
        final FileRegion region = new FileRegion();

        assertEquals(PartitionLog.ReadStatus.OK, log.read(0, 1 << 20, region));

        assertEquals(first.sizeInBytes() + second.sizeInBytes(), region.length());
        assertEquals(0, region.position());
        final List<MutableRecordBatch> batches = batchesOf(region);
        assertEquals(2, batches.size());
        assertEquals(0, batches.get(0).baseOffset());
        assertEquals(2, batches.get(0).lastOffset());
        assertEquals(3, batches.get(1).baseOffset());
        assertEquals(4, batches.get(1).lastOffset());
        final List<String> values = new ArrayList<>();
        for (final MutableRecordBatch batch : batches)
        {
            assertTrue(batch.isValid(), "CRC still valid after offset assignment");
            for (final Record record : batch)
            {
                values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
            }
        }
        assertEquals(List.of("v-0", "v-1", "v-2", "v-0", "v-1"), values);
    }

    @Test
    void appendPatchesOnlyBaseOffsetAndLeaderEpochOfTheProducerBytes()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendOk(log, batch(2));
        final MemoryRecords second = batch(4);
        appendOk(log, second);
        final FileRegion region = new FileRegion();
        log.read(2, 1 << 20, region);

        final byte[] stored = LogFixture.bytesOf(region).array();
        final byte[] sent = LogFixture.stampedBytes(second, 2);
        // Bytes 12..15 (partition leader epoch) may be stamped too; everything else is as the producer sent it.
        for (int i = 0; i < sent.length; i++)
        {
            if (i < 12 || i >= 16)
            {
                assertEquals(sent[i], stored[i], "byte " + i);
            }
        }
    }

    @Test
    void readFromInsideABatchStartsAtThatBatch()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendOk(log, batch(3));
        appendOk(log, batch(1));
        appendOk(log, batch(5));
        final FileRegion region = new FileRegion();

        assertEquals(PartitionLog.ReadStatus.OK, log.read(6, 1 << 20, region));

        final List<MutableRecordBatch> batches = batchesOf(region);
        assertEquals(1, batches.size());
        assertEquals(4, batches.get(0).baseOffset());
    }

    @Test
    void readReturnsTheWholeFirstBatchEvenWhenMaxBytesIsSmaller()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        final MemoryRecords first = batch(10);
        appendOk(log, first);
        appendOk(log, batch(10));
        final FileRegion region = new FileRegion();

        assertEquals(PartitionLog.ReadStatus.OK, log.read(0, 1, region));

        assertEquals(first.sizeInBytes(), region.length());
        assertEquals(1, batchesOf(region).size());
    }

    @Test
    void readReturnsNoMoreThanMaxBytesOnceTheFirstBatchFits()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        final MemoryRecords one = batch(4);
        for (int i = 0; i < 5; i++)
        {
            appendOk(log, batch(4));
        }
        final int maxBytes = 2 * one.sizeInBytes() + 10;
        final FileRegion region = new FileRegion();

        assertEquals(PartitionLog.ReadStatus.OK, log.read(0, maxBytes, region));

        assertEquals(maxBytes, region.length());
        assertEquals(2, batchesOf(region).size(), "the trailing partial batch is left for the consumer to skip");
    }

    @Test
    void readAtTheHighWatermarkReturnsAnEmptyRegion()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        final FileRegion region = new FileRegion();

        assertEquals(PartitionLog.ReadStatus.OK, log.read(0, 1 << 20, region));
        assertEquals(0, region.length());

        appendOk(log, batch(3));
        assertEquals(PartitionLog.ReadStatus.OK, log.read(3, 1 << 20, region));
        assertEquals(0, region.length());
        assertNull(region.channel());
    }

    @Test
    void readBeyondTheLogEndOrBelowTheLogStartIsOutOfRange()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendOk(log, batch(3));
        final FileRegion region = new FileRegion();

        assertEquals(PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE, log.read(4, 1 << 20, region));
        assertEquals(PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE, log.read(Long.MAX_VALUE, 1 << 20, region));
        assertEquals(PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE, log.read(-1, 1 << 20, region));
        assertEquals(0, region.length());
    }

    @Test
    void segmentsRollBySegmentBytesAndReadsSpanThem()
    {
        final PartitionLog log = logs.open(config(1024, 1, FlushPolicy.PAGE_CACHE), true);
        final List<Long> baseOffsets = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            baseOffsets.add(appendOk(log, batch(5)));
        }

        assertEquals(200, log.logEndOffset());
        assertTrue(log.segmentCount() >= 4, "segments: " + log.segmentCount());
        final List<Path> segmentFiles = files(log.dir(), ".log");
        assertEquals(log.segmentCount(), segmentFiles.size());
        for (final Path file : segmentFiles)
        {
            assertTrue(size(file) <= 1024, file + " is " + size(file) + " bytes");
            final long base = Long.parseLong(file.getFileName().toString().replace(".log", ""));
            assertTrue(baseOffsets.contains(base), "segment " + file + " starts at a batch boundary");
            assertEquals(20 + ".log".length(), file.getFileName().toString().length());
        }
        assertEquals(log.segmentCount(), files(log.dir(), ".index").size());
        assertEquals(log.segmentCount(), files(log.dir(), ".timeindex").size());

        assertEquals(range(0, 200), offsets(consume(log, 0, 1 << 20)));
        assertEquals(range(0, 200), offsets(consume(log, 0, 1)));
        assertEquals(range(137, 200), offsets(consume(log, 137, 300)));
    }

    @Test
    void everyOffsetIsReadFromTheBatchThatHoldsIt()
    {
        final PartitionLog log = logs.open(config(1024, 300, FlushPolicy.PAGE_CACHE), true);
        for (int i = 0; i < 30; i++)
        {
            appendOk(log, batch(1 + i % 4));
        }
        final FileRegion region = new FileRegion();

        for (long offset = 0; offset < log.logEndOffset(); offset++)
        {
            assertEquals(PartitionLog.ReadStatus.OK, log.read(offset, 1, region));
            final MutableRecordBatch first = batchesOf(region).get(0);
            assertTrue(first.baseOffset() <= offset && offset <= first.lastOffset(),
                "offset " + offset + " read batch " + first.baseOffset() + ".." + first.lastOffset());
        }
    }

    @Test
    void segmentsRollByAge()
    {
        final LogConfig config = config(1 << 20, 1, FlushPolicy.PAGE_CACHE).withSegmentMs(1000);
        final PartitionLog log = logs.open(config, true);
        appendOk(log, batch(1));
        logs.clock.now += 999;
        appendOk(log, batch(1));
        assertEquals(1, log.segmentCount());

        logs.clock.now += 1;
        appendOk(log, batch(1));

        assertEquals(2, log.segmentCount());
        assertEquals(List.of(0L, 1L, 2L), offsets(consume(log, 0, 1 << 20)));
    }

    @Test
    void fullOffsetIndexRollsTheSegment()
    {
        final LogConfig config = LogConfig.defaults().withSegmentBytes(1 << 20).withIndexIntervalBytes(1).withMaxIndexBytes(64);
        final PartitionLog log = logs.open(config, true);
        for (int i = 0; i < 20; i++)
        {
            appendOk(log, batch(1));
        }

        assertEquals(3, log.segmentCount(), "64-byte index holds 8 entries: segments of 8, 8 and 4 batches");
        assertEquals(range(0, 20), offsets(consume(log, 0, 1 << 20)));
    }

    @Test
    void reopenAfterCleanCloseKeepsOffsetsAndIndexes()
    {
        final LogConfig config = config(1024, 1, FlushPolicy.PAGE_CACHE);
        final PartitionLog log = logs.open(config, true);
        for (int i = 0; i < 40; i++)
        {
            appendOk(log, batch(5));
        }
        final int segments = log.segmentCount();
        logs.close(log);

        long indexEntries = 0;
        for (final Path index : files(logs.dir(), ".index"))
        {
            assertEquals(0, size(index) % 8, "trimmed to whole entries: " + index);
            assertTrue(size(index) < LogFixture.MAX_INDEX_BYTES, "trimmed at close: " + index);
            indexEntries += size(index) / 8;
        }
        assertEquals(40, indexEntries, "index.interval.bytes=1 indexes every batch");

        final PartitionLog reopened = logs.open(config, true);
        assertEquals(200, reopened.logEndOffset());
        assertEquals(200, reopened.highWatermark());
        assertEquals(segments, reopened.segmentCount());
        assertEquals(range(0, 200), offsets(consume(reopened, 0, 1)));
        final FileRegion region = new FileRegion();
        for (long offset = 0; offset < 200; offset += 7)
        {
            reopened.read(offset, 1, region);
            final MutableRecordBatch first = batchesOf(region).get(0);
            assertTrue(first.baseOffset() <= offset && offset <= first.lastOffset());
        }

        assertEquals(200, appendOk(reopened, batch(5)));
        assertEquals(205, appendOk(reopened, batch(5)));
        assertEquals(range(0, 210), offsets(consume(reopened, 0, 1 << 20)));
    }

    @Test
    void reopenAfterCleanCloseOfAnEmptyLogStaysEmpty()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        logs.close(log);

        final PartitionLog reopened = logs.open(LogConfig.defaults(), true);

        assertEquals(0, reopened.logEndOffset());
        assertEquals(0, appendOk(reopened, batch(2)));
    }

    @Test
    void nonIdempotentBatchesAreNeverDeduplicated()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        final MemoryRecords same = batch(2);

        assertEquals(PartitionLog.AppendStatus.APPENDED, append(log, same));
        assertEquals(PartitionLog.AppendStatus.APPENDED, append(log, same));
        assertEquals(4, log.logEndOffset());
    }
}
