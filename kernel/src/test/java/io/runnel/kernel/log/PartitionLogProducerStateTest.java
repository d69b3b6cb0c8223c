package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.activeSegmentFile;
import static io.runnel.kernel.log.LogFixture.append;
import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.files;
import static io.runnel.kernel.log.LogFixture.flipByte;
import static io.runnel.kernel.log.LogFixture.idempotent;
import static io.runnel.kernel.log.LogFixture.size;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.runnel.kernel.log.PartitionLog.AppendStatus;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Idempotent producers: duplicates answered with the original offset, gaps and fenced epochs refused, state durable. */
class PartitionLogProducerStateTest
{
    private static final long PID = 4711L;
    private static final long OTHER_PID = 815L;

    @RegisterExtension
    final OpenLogs logs = new OpenLogs("orders-0", config(1 << 20, 1, FlushPolicy.PAGE_CACHE));

    private static void assertDuplicateAt(final PartitionLog log, final MemoryRecords batch, final long originalOffset)
    {
        final long end = log.logEndOffset();
        assertEquals(AppendStatus.DUPLICATE, append(log, batch));
        assertEquals(originalOffset, log.lastBaseOffset());
        assertEquals(end, log.logEndOffset(), "a duplicate is not written again");
    }

    @Test
    void duplicateBatchIsAnsweredWithTheOriginalOffset()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, batch(2)); // offsets 0..1 from a plain producer
        final MemoryRecords first = idempotent(PID, (short)0, 0, 3);
        final MemoryRecords second = idempotent(PID, (short)0, 3, 2);
        assertEquals(2, appendOk(log, first));
        assertEquals(5, appendOk(log, second));

        assertDuplicateAt(log, second, 5);
        assertDuplicateAt(log, first, 2);
        assertEquals(7, log.logEndOffset());
    }

    @Test
    void nextSequenceAfterADuplicateIsStillAccepted()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 3));
        assertDuplicateAt(log, idempotent(PID, (short)0, 0, 3), 0);

        assertEquals(3, appendOk(log, idempotent(PID, (short)0, 3, 1)));
    }

    @Test
    void sequenceGapIsOutOfOrder()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 3));

        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(log, idempotent(PID, (short)0, 5, 1)));
        assertEquals(3, log.logEndOffset());
        assertEquals(3, appendOk(log, idempotent(PID, (short)0, 3, 1)));
    }

    @Test
    void batchOverlappingButNotEqualToAnEarlierOneIsOutOfOrder()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 4));

        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(log, idempotent(PID, (short)0, 2, 4)));
        assertEquals(4, log.logEndOffset());
    }

    @Test
    void olderEpochIsFenced()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)3, 0, 2));

        assertEquals(AppendStatus.INVALID_PRODUCER_EPOCH, append(log, idempotent(PID, (short)2, 2, 1)));
        assertEquals(AppendStatus.INVALID_PRODUCER_EPOCH, append(log, idempotent(PID, (short)2, 0, 1)));
        assertEquals(2, log.logEndOffset());
    }

    @Test
    void newEpochStartingAtSequenceZeroIsAccepted()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 2));
        appendOk(log, idempotent(PID, (short)0, 2, 2));

        assertEquals(4, appendOk(log, idempotent(PID, (short)1, 0, 1)));
        assertEquals(5, appendOk(log, idempotent(PID, (short)1, 1, 1)));
        assertEquals(AppendStatus.INVALID_PRODUCER_EPOCH, append(log, idempotent(PID, (short)0, 4, 1)));
    }

    @Test
    void newEpochNotStartingAtSequenceZeroIsOutOfOrder()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 2));

        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(log, idempotent(PID, (short)1, 2, 1)));
    }

    @Test
    void producersAreTrackedIndependently()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 2));
        appendOk(log, idempotent(OTHER_PID, (short)5, 0, 3));
        appendOk(log, idempotent(PID, (short)0, 2, 1));

        assertDuplicateAt(log, idempotent(OTHER_PID, (short)5, 0, 3), 2);
        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(log, idempotent(OTHER_PID, (short)5, 2, 1)));
        assertEquals(6, appendOk(log, idempotent(OTHER_PID, (short)5, 3, 1)));
        assertEquals(2, log.producerState().producerCount());
    }

    @Test
    void onlyTheLastFiveBatchesAreRememberedForDeduplication()
    {
        final PartitionLog log = logs.open(true);
        for (int seq = 0; seq < 6; seq++)
        {
            appendOk(log, idempotent(PID, (short)0, seq, 1));
        }

        assertDuplicateAt(log, idempotent(PID, (short)0, 1, 1), 1);
        assertDuplicateAt(log, idempotent(PID, (short)0, 5, 1), 5);
        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(log, idempotent(PID, (short)0, 0, 1)));
    }

    @Test
    void producerStateSurvivesCleanCloseThroughItsSnapshot()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)2, 0, 3));
        appendOk(log, idempotent(PID, (short)2, 3, 3));
        appendOk(log, idempotent(OTHER_PID, (short)0, 0, 1));
        logs.close(log);
        assertEquals(List.of(logs.dir().resolve("00000000000000000007.snapshot")), files(logs.dir(), ".snapshot"));

        final PartitionLog reopened = logs.open(true);

        assertEquals(2, reopened.producerState().producerCount());
        assertDuplicateAt(reopened, idempotent(PID, (short)2, 3, 3), 3);
        assertDuplicateAt(reopened, idempotent(PID, (short)2, 0, 3), 0);
        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(reopened, idempotent(PID, (short)2, 7, 1)));
        assertEquals(AppendStatus.INVALID_PRODUCER_EPOCH, append(reopened, idempotent(PID, (short)1, 6, 1)));
        assertEquals(7, appendOk(reopened, idempotent(PID, (short)2, 6, 1)));
        assertDuplicateAt(reopened, idempotent(OTHER_PID, (short)0, 0, 1), 6);
    }

    @Test
    void snapshotKeepsTheFiveMostRecentBatchesInOrder()
    {
        final PartitionLog log = logs.open(true);
        for (int seq = 0; seq < 7; seq++)
        {
            appendOk(log, idempotent(PID, (short)0, seq, 1));
        }
        logs.close(log);

        final PartitionLog reopened = logs.open(true);

        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(reopened, idempotent(PID, (short)0, 1, 1)));
        for (int seq = 2; seq < 7; seq++)
        {
            assertDuplicateAt(reopened, idempotent(PID, (short)0, seq, 1), seq);
        }
        assertEquals(7, appendOk(reopened, idempotent(PID, (short)0, 7, 1)));
    }

    @Test
    void crashAfterACleanRestartCombinesTheCloseSnapshotWithTheLogAfterIt()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 2));
        logs.close(log); // snapshot at 2
        final PartitionLog restarted = logs.open(true);
        appendOk(restarted, idempotent(PID, (short)0, 2, 2));
        appendOk(restarted, idempotent(OTHER_PID, (short)1, 0, 1));
        logs.crash(restarted);

        final PartitionLog recovered = logs.open(false);

        assertDuplicateAt(recovered, idempotent(PID, (short)0, 0, 2), 0);
        assertDuplicateAt(recovered, idempotent(PID, (short)0, 2, 2), 2);
        assertDuplicateAt(recovered, idempotent(OTHER_PID, (short)1, 0, 1), 4);
        assertEquals(5, appendOk(recovered, idempotent(PID, (short)0, 4, 1)));
    }

    @Test
    void producerStateIsRebuiltFromTheLogAfterACrash()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 3));
        appendOk(log, batch(2));
        appendOk(log, idempotent(PID, (short)0, 3, 3));
        logs.crash(log);
        assertTrue(files(logs.dir(), ".snapshot").isEmpty());

        final PartitionLog recovered = logs.open(false);

        assertDuplicateAt(recovered, idempotent(PID, (short)0, 3, 3), 5);
        assertDuplicateAt(recovered, idempotent(PID, (short)0, 0, 3), 0);
        assertEquals(AppendStatus.OUT_OF_ORDER_SEQUENCE, append(recovered, idempotent(PID, (short)0, 7, 1)));
        assertEquals(8, appendOk(recovered, idempotent(PID, (short)0, 6, 1)));
    }

    @Test
    void producerStateIsRebuiltFromSnapshotPlusLogTailAfterACrash()
    {
        logs.reconfigure(config(1024, 1, FlushPolicy.PAGE_CACHE));
        final PartitionLog log = logs.open(true);
        int seq = 0;
        while (log.segmentCount() < 3)
        {
            appendOk(log, idempotent(PID, (short)0, seq, 10));
            seq += 10;
        }
        final long rolledAt = log.lastBaseOffset();
        appendOk(log, idempotent(PID, (short)0, seq, 10));
        seq += 10;
        assertFalse(files(logs.dir(), ".snapshot").isEmpty(), "a roll snapshots producer state");
        logs.crash(log);

        final PartitionLog recovered = logs.open(false);

        assertDuplicateAt(recovered, idempotent(PID, (short)0, seq - 10, 10), rolledAt + 10);
        assertDuplicateAt(recovered, idempotent(PID, (short)0, seq - 20, 10), rolledAt);
        assertEquals(recovered.logEndOffset(), appendOk(recovered, idempotent(PID, (short)0, seq, 1)));
    }

    @Test
    void truncatedBatchIsForgottenByProducerState()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 2));
        appendOk(log, idempotent(PID, (short)0, 2, 2));
        logs.crash(log);
        final Path segment = activeSegmentFile(logs.dir());
        flipByte(segment, size(segment) - 2);

        final PartitionLog recovered = logs.open(false);

        assertEquals(2, recovered.logEndOffset());
        assertEquals(2, appendOk(recovered, idempotent(PID, (short)0, 2, 2)), "the lost batch is written again, not a duplicate");
    }

    @Test
    void snapshotAboveTheRecoveredLogEndIsIgnored()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 2));
        appendOk(log, idempotent(PID, (short)0, 2, 2));
        logs.close(log); // snapshot at offset 4
        final Path segment = activeSegmentFile(logs.dir());
        flipByte(segment, size(segment) - 2);

        final PartitionLog recovered = logs.open(false);

        assertEquals(2, recovered.logEndOffset());
        assertEquals(2, appendOk(recovered, idempotent(PID, (short)0, 2, 2)));
    }

    @Test
    void snapshotOfTruncatedBatchesIsNeverUsedAgain()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 1));
        appendOk(log, idempotent(PID, (short)0, 1, 1));
        appendOk(log, idempotent(PID, (short)0, 2, 1)); // C: offset 2
        logs.close(log); // snapshot at 3 remembers C at offset 2
        final Path segment = activeSegmentFile(logs.dir());
        flipByte(segment, size(segment) - 2); // C is lost

        final PartitionLog recovered = logs.open(false);
        assertEquals(2, recovered.logEndOffset());
        appendOk(recovered, idempotent(OTHER_PID, (short)0, 0, 1)); // X takes offset 2
        appendOk(recovered, idempotent(OTHER_PID, (short)0, 1, 1)); // Y: offset 3, log end 4 > snapshot 3
        logs.crash(recovered);

        final PartitionLog again = logs.open(false);

        assertEquals(4, again.logEndOffset());
        assertEquals(4, appendOk(again, idempotent(PID, (short)0, 2, 1)),
            "C was never durably written: it must be appended, not acknowledged as a duplicate of X's offset");
        assertDuplicateAt(again, idempotent(OTHER_PID, (short)0, 0, 1), 2);
    }

    @Test
    void corruptSnapshotFallsBackToReplayingTheLog() throws IOException
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 3));
        appendOk(log, idempotent(PID, (short)0, 3, 3));
        logs.close(log);
        final Path snapshot = files(logs.dir(), ".snapshot").get(0);
        final byte[] bytes = Files.readAllBytes(snapshot);
        bytes[bytes.length / 2] ^= 0x11;
        Files.write(snapshot, bytes);

        final PartitionLog reopened = logs.open(true);

        assertDuplicateAt(reopened, idempotent(PID, (short)0, 3, 3), 3);
        assertEquals(6, appendOk(reopened, idempotent(PID, (short)0, 6, 1)));
    }

    @Test
    void leftoverTemporarySnapshotIsDiscardedAtStartUp() throws IOException
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, idempotent(PID, (short)0, 0, 1));
        logs.close(log);
        final Path leftover = logs.dir().resolve("00000000000000000001.snapshot.tmp");
        Files.write(leftover, new byte[] {1, 2, 3});

        final PartitionLog reopened = logs.open(true);

        assertFalse(Files.exists(leftover));
        assertDuplicateAt(reopened, idempotent(PID, (short)0, 0, 1), 0);
    }
}
