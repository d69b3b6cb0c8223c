package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.activeSegmentFile;
import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.appendToFile;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.batchesOf;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.files;
import static io.runnel.kernel.log.LogFixture.flipByte;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static io.runnel.kernel.log.LogFixture.size;
import static io.runnel.kernel.log.LogFixture.stampedBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Start-up after a crash: the tail segment is scanned, a torn or corrupt tail truncated at the last
 * valid batch, indexes rebuilt, and appends continue at the right offset.
 */
class PartitionLogRecoveryTest
{
    @RegisterExtension
    final OpenLogs logs = new OpenLogs("orders-0", config(1024, 1, FlushPolicy.PAGE_CACHE));

    /** 3 batches of 4 records in one segment: offsets 0..11. */
    private long[] threeBatches(final PartitionLog log)
    {
        final long[] positions = new long[4];
        for (int i = 0; i < 3; i++)
        {
            appendOk(log, batch(4));
            positions[i + 1] = size(activeSegmentFile(logs.dir()));
        }
        return positions;
    }

    @Test
    void uncleanReopenOfAnIntactLogTruncatesNothing()
    {
        final PartitionLog log = logs.open(true);
        threeBatches(log);
        final long bytes = size(activeSegmentFile(logs.dir()));
        logs.crash(log);

        final PartitionLog recovered = logs.open(false);

        assertEquals(12, recovered.logEndOffset());
        assertEquals(12, recovered.highWatermark());
        assertEquals(bytes, size(activeSegmentFile(logs.dir())));
        assertEquals(range(0, 12), offsets(consume(recovered, 0, 1 << 20)));
    }

    @Test
    void recoveryTruncatesGarbageAppendedAfterTheLastBatch()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        final byte[] garbage = new byte[100];
        Arrays.fill(garbage, (byte)0x37);
        appendToFile(activeSegmentFile(logs.dir()), garbage);

        final PartitionLog recovered = logs.open(false);

        assertEquals(12, recovered.logEndOffset());
        assertEquals(positions[3], size(activeSegmentFile(logs.dir())));
        assertEquals(12, appendOk(recovered, batch(2)));
        assertEquals(range(0, 14), offsets(consume(recovered, 0, 1 << 20)));
    }

    @Test
    void recoveryTruncatesZeroFilledTail()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        appendToFile(activeSegmentFile(logs.dir()), new byte[4096]);

        final PartitionLog recovered = logs.open(false);

        assertEquals(12, recovered.logEndOffset());
        assertEquals(positions[3], size(activeSegmentFile(logs.dir())));
        assertEquals(12, appendOk(recovered, batch(1)));
    }

    @Test
    void recoveryTruncatesTornTailAtLastValidBatch()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        final byte[] next = stampedBytes(batch(6), 12);
        appendToFile(activeSegmentFile(logs.dir()), Arrays.copyOf(next, next.length / 2));

        final PartitionLog recovered = logs.open(false);

        assertEquals(12, recovered.logEndOffset());
        assertEquals(12, recovered.highWatermark());
        assertEquals(positions[3], size(activeSegmentFile(logs.dir())));
        assertEquals(12, appendOk(recovered, batch(6)));
        assertEquals(range(0, 18), offsets(consume(recovered, 0, 1 << 20)));
    }

    @Test
    void recoveryTruncatesATornHeader()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        appendToFile(activeSegmentFile(logs.dir()), Arrays.copyOf(stampedBytes(batch(6), 12), 30));

        final PartitionLog recovered = logs.open(false);

        assertEquals(12, recovered.logEndOffset());
        assertEquals(positions[3], size(activeSegmentFile(logs.dir())));
    }

    @Test
    void recoveryDropsTheLastBatchWhenOneOfItsBytesFlipped()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        flipByte(activeSegmentFile(logs.dir()), positions[3] - 3);

        final PartitionLog recovered = logs.open(false);

        assertEquals(8, recovered.logEndOffset());
        assertEquals(8, recovered.highWatermark());
        assertEquals(positions[2], size(activeSegmentFile(logs.dir())));
        assertEquals(range(0, 8), offsets(consume(recovered, 0, 1 << 20)));
        assertEquals(8, appendOk(recovered, batch(3)));
        assertEquals(range(0, 11), offsets(consume(recovered, 0, 1 << 20)));
    }

    @Test
    void recoveryTruncatesFromTheFirstCorruptBatchOnwards()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        flipByte(activeSegmentFile(logs.dir()), positions[1] + 40); // inside batch 2's CRC-covered header

        final PartitionLog recovered = logs.open(false);

        assertEquals(4, recovered.logEndOffset());
        assertEquals(positions[1], size(activeSegmentFile(logs.dir())));
        assertEquals(4, appendOk(recovered, batch(1)));
    }

    @Test
    void recoveryAfterCleanCloseThenCorruptionStillTruncates()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.close(log);
        flipByte(activeSegmentFile(logs.dir()), positions[3] - 1);

        final PartitionLog recovered = logs.open(false);

        assertEquals(8, recovered.logEndOffset());
        assertEquals(positions[2], size(activeSegmentFile(logs.dir())));
        assertEquals(8, appendOk(recovered, batch(4)));
        assertEquals(range(0, 12), offsets(consume(recovered, 0, 1 << 20)));
    }

    @Test
    void recoveryRebuildsTheIndexesOfTheActiveSegment()
    {
        final PartitionLog log = logs.open(true);
        for (int i = 0; i < 30; i++)
        {
            appendOk(log, batch(1 + i % 3));
        }
        final long end = log.logEndOffset();
        logs.crash(log);
        final byte[] garbage = new byte[50];
        Arrays.fill(garbage, (byte)-1);
        appendToFile(activeSegmentFile(logs.dir()), garbage);

        final PartitionLog recovered = logs.open(false);

        assertEquals(end, recovered.logEndOffset());
        final FileRegion region = new FileRegion();
        for (long offset = 0; offset < end; offset++)
        {
            recovered.read(offset, 1, region);
            final var first = batchesOf(region).get(0);
            assertTrue(first.baseOffset() <= offset && offset <= first.lastOffset(), "offset " + offset);
        }
        assertEquals(range(0, end), offsets(consume(recovered, 0, 1)));
    }

    @Test
    void recoveryOnlyTouchesTheActiveSegmentOfAMultiSegmentLog()
    {
        final PartitionLog log = logs.open(true);
        for (int i = 0; i < 40; i++)
        {
            appendOk(log, batch(5));
        }
        final int segments = log.segmentCount();
        assertTrue(segments > 2);
        final List<Path> segmentFiles = files(logs.dir(), ".log");
        final long sealedBytes = size(segmentFiles.get(0));
        final Path active = activeSegmentFile(logs.dir());
        final long activeBytes = size(active);
        logs.crash(log);
        appendToFile(active, Arrays.copyOf(stampedBytes(batch(5), 200), 70));

        final PartitionLog recovered = logs.open(false);

        assertEquals(200, recovered.logEndOffset());
        assertEquals(segments, recovered.segmentCount());
        assertEquals(sealedBytes, size(segmentFiles.get(0)));
        assertEquals(activeBytes, size(active));
        assertEquals(range(0, 200), offsets(consume(recovered, 0, 1 << 20)));
        assertEquals(200, appendOk(recovered, batch(5)));
    }

    @Test
    void recoveryValidatesBatchesLargerThanItsReadBuffer()
    {
        logs.reconfigure(config(1 << 20, 1, FlushPolicy.PAGE_CACHE));
        final PartitionLog log = logs.open(true);
        appendOk(log, batch(2));
        final MemoryRecords large = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(LogFixture.T0, null, new byte[200_000]));
        appendOk(log, large);
        appendOk(log, batch(2));
        final long bytes = size(activeSegmentFile(logs.dir()));
        logs.crash(log);
        appendToFile(activeSegmentFile(logs.dir()), new byte[] {1, 2, 3});

        final PartitionLog recovered = logs.open(false);

        assertEquals(1, recovered.segmentCount());
        assertEquals(5, recovered.logEndOffset());
        assertEquals(bytes, size(activeSegmentFile(logs.dir())));
        assertEquals(range(0, 5), offsets(consume(recovered, 0, 1 << 20)));
    }

    @Test
    void recoveryTruncatesACorruptLargeBatch()
    {
        logs.reconfigure(config(1 << 20, 1, FlushPolicy.PAGE_CACHE));
        final PartitionLog log = logs.open(true);
        appendOk(log, batch(2));
        final long before = size(activeSegmentFile(logs.dir()));
        appendOk(log, MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(LogFixture.T0, null, new byte[200_000])));
        logs.crash(log);
        flipByte(activeSegmentFile(logs.dir()), before + 100_000);

        final PartitionLog recovered = logs.open(false);

        assertEquals(1, recovered.segmentCount());
        assertEquals(2, recovered.logEndOffset());
        assertEquals(before, size(activeSegmentFile(logs.dir())));
        assertEquals(2, appendOk(recovered, batch(1)));
    }

    @Test
    void recoveredLogSurvivesASecondCrash()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        flipByte(activeSegmentFile(logs.dir()), positions[3] - 3);
        final PartitionLog once = logs.open(false);
        appendOk(once, batch(2));
        logs.crash(once);

        final PartitionLog twice = logs.open(false);

        assertEquals(10, twice.logEndOffset());
        assertEquals(range(0, 10), offsets(consume(twice, 0, 1 << 20)));
    }

    @Test
    void batchWhoseBaseOffsetBreaksTheSequenceIsTruncated()
    {
        final PartitionLog log = logs.open(true);
        final long[] positions = threeBatches(log);
        logs.crash(log);
        // A whole, CRC-valid batch, but stamped with an offset that does not follow the log end (12).
        appendToFile(activeSegmentFile(logs.dir()), stampedBytes(batch(2), 40));

        final PartitionLog recovered = logs.open(false);

        assertEquals(12, recovered.logEndOffset());
        assertEquals(positions[3], size(activeSegmentFile(logs.dir())));
    }

    @Test
    void recoveryOfACrashRightAfterARollKeepsTheEmptyActiveSegment()
    {
        final PartitionLog log = logs.open(true);
        final MemoryRecords big = batch(60);
        appendOk(log, big);
        appendOk(log, batch(60)); // rolls: 1024-byte segments hold one such batch
        assertEquals(2, log.segmentCount());
        logs.crash(log);

        final PartitionLog recovered = logs.open(false);

        assertEquals(120, recovered.logEndOffset());
        assertEquals(range(0, 120), offsets(consume(recovered, 0, 1 << 20)));
        assertEquals(120, appendOk(recovered, batch(1)));
    }
}
