package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.append;
import static io.runnel.kernel.log.LogFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.LogFixture.ManualClock;
import io.runnel.kernel.producer.ProducerStateManager;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runnel.flush.policy=fsync on a disk whose fsync fails for real ({@link FsyncFailingDisk}): what
 * the failed group commit covered is never committed, the log rolls back to its high watermark,
 * and an idempotent producer's retry of a rolled-back batch is taken as new, not as a duplicate.
 */
class PartitionLogFsyncFailureTest
{
    private static final long PID = 7;
    private static final int RECORDS_PER_BATCH = 8;
    private static final int BATCHES_PER_CYCLE = 4;

    @TempDir
    Path temp;

    private static MemoryRecords batch(final int baseSequence)
    {
        final SimpleRecord[] records = new SimpleRecord[RECORDS_PER_BATCH];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = new SimpleRecord(LogFixture.T0, null, new byte[4096]);
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, PID, (short)0, baseSequence, records);
    }

    private static ProducerStateManager.Check check(final PartitionLog log, final MemoryRecords records)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(records.sizeInBytes());
        direct.put(records.buffer().duplicate()).flip();
        return log.producerState().check(new RecordBatch().wrap(new UnsafeBuffer(direct), 0));
    }

    @Test
    void aFailedGroupCommitRollsBackWhatItCoveredAndNeverCommitsIt() throws Exception
    {
        try (FsyncFailingDisk disk = FsyncFailingDisk.mount(temp, 4))
        {
            final PartitionLog log = PartitionLog.open("fsync-0", disk.dir().resolve("fsync-0"),
                config(32 << 20, 4096, FlushPolicy.FSYNC), new ManualClock(), new PartitionState(), true);
            int sequence = 0;
            long committed = 0;
            final List<Long> failedBases = new ArrayList<>();
            int failedFirstSequence = -1;
            for (int cycle = 0; cycle < 1000 && !log.isOffline(); cycle++)
            {
                final List<Long> bases = new ArrayList<>();
                final int firstSequence = sequence;
                for (int b = 0; b < BATCHES_PER_CYCLE; b++)
                {
                    if (append(log, batch(sequence)) != PartitionLog.AppendStatus.APPENDED)
                    {
                        break;
                    }
                    bases.add(log.lastBaseOffset());
                    sequence += RECORDS_PER_BATCH;
                }
                log.flushIfDirty();
                if (log.isOffline())
                {
                    failedBases.addAll(bases);
                    failedFirstSequence = firstSequence;
                }
                else
                {
                    bases.forEach(base -> assertTrue(log.isCommitted(base)));
                    committed = log.highWatermark();
                }
            }

            assertTrue(log.isOffline(), "the backing tmpfs never filled");
            assertFalse(failedBases.isEmpty(), "the first failure was not a group commit");
            assertTrue(committed > 0, "nothing was committed before the disk failed");
            assertEquals(committed, log.highWatermark(), "a failed fsync commits nothing");
            assertEquals(committed, log.logEndOffset(), "the log end went back to the high watermark");
            failedBases.forEach(base -> assertFalse(log.isCommitted(base), "offset " + base + " was covered by the failed fsync"));
            assertEquals(ProducerStateManager.Check.APPEND, check(log, batch(failedFirstSequence)),
                "the producer's retry of a rolled-back batch must be appended again, not answered as a duplicate");
            assertEquals(PartitionLog.AppendStatus.STORAGE_ERROR, append(log, batch(failedFirstSequence)));
            assertEquals(PartitionLog.ReadStatus.STORAGE_ERROR, log.read(0, 1 << 20, new FileRegion()));
            assertFalse(log.tryBringOnline(), "ext4 aborted its journal: the file system is read-only now");
            // Closing on the failed disk reports the failure but still closes every file (the unmount below needs it).
            assertThrows(UncheckedIOException.class, log::close);
        }
    }
}
