package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.batchesOf;
import static io.runnel.kernel.log.LogFixture.bytesOf;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.idempotent;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;

import io.runnel.codecs.batch.RecordBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What replication asks of a partition log: a leader stamps its epoch and remembers where each
 * epoch starts; a follower stores the leader's batches unchanged, offsets and epochs included; the
 * high watermark waits for the replicas while a follower still reads past it; a follower's
 * divergent tail is cut off.
 */
class PartitionLogReplicationTest
{
    private static final LogConfig SMALL_SEGMENTS = config(1024, 256, FlushPolicy.PAGE_CACHE);

    @RegisterExtension
    final OpenLogs leaders = new OpenLogs("orders-0", SMALL_SEGMENTS);
    @RegisterExtension
    final OpenLogs followers = new OpenLogs("orders-0", SMALL_SEGMENTS);

    @Test
    void aLeaderStampsItsEpochAndTheCheckpointSaysWhereEachEpochStarts()
    {
        final PartitionLog log = leaders.open(true);
        appendOk(log, batch(3));
        log.leaderEpoch(4);
        appendOk(log, batch(2));
        appendOk(log, batch(2));
        leaders.close(log);

        final PartitionLog reopened = leaders.open(true);
        final List<MutableRecordBatch> batches = batchesIn(readAll(reopened));
        assertEquals(List.of(0, 4, 4), batches.stream().map(MutableRecordBatch::partitionLeaderEpoch).toList());
        assertEquals(4, reopened.latestEpoch());
        assertArrayEquals(new long[] {0, 3}, endOf(reopened, 0));
        assertArrayEquals(new long[] {4, 7}, endOf(reopened, 4));
    }

    @Test
    void aFollowerStoresTheLeadersBatchesByteForByte()
    {
        final PartitionLog leader = leaders.open(true);
        leader.leaderEpoch(2);
        for (int i = 0; i < 20; i++)
        {
            appendOk(leader, batch(1 + i % 4));
        }
        final PartitionLog follower = followers.open(true);

        replicate(leader, follower);

        assertEquals(leader.logEndOffset(), follower.logEndOffset());
        assertTrue(follower.segmentCount() > 1, "rolled like the leader");
        assertArrayEquals(readAll(leader), readAll(follower));
        assertEquals(2, follower.latestEpoch());
    }

    @Test
    void aReplicatedBatchThatDoesNotStartAtTheLogEndIsRefused()
    {
        final PartitionLog leader = leaders.open(true);
        appendOk(leader, batch(3));
        appendOk(leader, batch(3));
        final PartitionLog follower = followers.open(true);
        final ByteBuffer second = batchAt(leader, 3);

        assertEquals(PartitionLog.AppendStatus.OFFSET_MISMATCH, follower.appendReplicated(wrap(second), second));
        assertEquals(0, follower.logEndOffset());
    }

    @Test
    void theHighWatermarkWaitsForTheReplicasWhileAFollowerReadsPastIt()
    {
        final PartitionLog leader = leaders.open(true);
        leader.replicaHighWatermark(0);
        appendOk(leader, batch(3));
        appendOk(leader, batch(4));
        appendOk(leader, batch(5));

        assertEquals(0, leader.highWatermark());
        assertEquals(12, leader.flushedOffset());
        assertEquals(List.of(), offsets(consume(leader, 0, 1 << 20)), "consumers see nothing yet");
        final FileRegion all = new FileRegion();
        assertEquals(PartitionLog.ReadStatus.OK, leader.readForReplica(0, 1 << 20, all));
        assertEquals(3, batchesOf(all).size(), "followers see it all");

        assertTrue(leader.replicaHighWatermark(7));
        assertEquals(7, leader.highWatermark());
        assertEquals(7, leader.state().highWatermark());
        assertEquals(range(0, 7), offsets(consume(leader, 0, 1 << 20)));
        final FileRegion pastTheHighWatermark = new FileRegion();
        assertEquals(PartitionLog.ReadStatus.OK, leader.read(8, 1 << 20, pastTheHighWatermark),
            "past the high watermark but in the log: wait, as Kafka answers, not out of range");
        assertEquals(0, pastTheHighWatermark.length());
        assertEquals(PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE, leader.read(13, 1 << 20, new FileRegion()), "past the log end");

        leader.replicaHighWatermark(Long.MAX_VALUE);
        assertEquals(12, leader.highWatermark(), "unbounded, it is what is durable here");
        assertEquals(range(0, 12), offsets(consume(leader, 0, 1 << 20)));
    }

    @Test
    void aDivergentTailIsTruncatedAcrossSegmentsWithItsEpochsAndProducerState()
    {
        final PartitionLog follower = followers.open(true);
        follower.leaderEpoch(1);
        appendOk(follower, idempotent(7, (short)0, 0, 2));
        final long kept = follower.logEndOffset();
        follower.leaderEpoch(2);
        for (int i = 0; i < 40; i++)
        {
            appendOk(follower, idempotent(7, (short)0, 2 + 3 * i, 3));
        }
        assertTrue(follower.segmentCount() > 2);

        follower.truncateTo(kept);

        assertEquals(kept, follower.logEndOffset());
        assertEquals(kept, follower.highWatermark());
        assertEquals(1, follower.segmentCount());
        assertEquals(1, follower.latestEpoch());
        assertEquals(range(0, kept), offsets(consume(follower, 0, 1 << 20)));
        assertEquals(PartitionLog.AppendStatus.APPENDED, LogFixture.append(follower, idempotent(7, (short)0, 2, 3)),
            "the truncated sequence is not taken for a duplicate");

        followers.crash(follower);
        final PartitionLog reopened = followers.open(false);
        assertEquals(kept + 3, reopened.logEndOffset());
    }

    @Test
    void aFollowerBehindItsLeadersLogStartStartsAgainThereAndCatchesUp()
    {
        final PartitionLog leader = leaders.open(true);
        leader.leaderEpoch(3);
        for (int i = 0; i < 30; i++)
        {
            appendOk(leader, batch(2));
        }
        final PartitionLog follower = followers.open(true);
        follower.leaderEpoch(1);
        for (int i = 0; i < 20; i++)
        {
            appendOk(follower, batch(1));
        }
        assertTrue(follower.segmentCount() > 1);
        final long start = 40;
        leader.deleteRecordsBefore(start);

        follower.truncateFullyAndStartAt(start);

        assertEquals(start, follower.logStartOffset());
        assertEquals(start, follower.logEndOffset());
        assertEquals(start, follower.highWatermark());
        assertEquals(1, follower.segmentCount());
        assertEquals(-1, follower.latestEpoch(), "no batch, no epoch");
        replicate(leader, follower);
        assertEquals(leader.logEndOffset(), follower.logEndOffset());
        assertEquals(3, follower.latestEpoch());

        followers.crash(follower);
        final PartitionLog reopened = followers.open(false);
        assertEquals(start, reopened.logStartOffset());
        assertEquals(leader.logEndOffset(), reopened.logEndOffset());
    }

    @Test
    void aReplicatedLogStartsAtItsCheckpointedHighWatermarkNotItsLogEnd()
    {
        final PartitionLog log = leaders.open(true);
        appendOk(log, batch(3));
        appendOk(log, batch(4));
        appendOk(log, batch(5));
        leaders.crash(log);

        final PartitionLog reopened = leaders.open(false);
        assertEquals(12, reopened.highWatermark(), "unreplicated, it is what is durable here");
        reopened.restrictHighWatermark(7);

        assertEquals(7, reopened.highWatermark());
        assertEquals(7, reopened.state().highWatermark());
        assertEquals(range(0, 7), offsets(consume(reopened, 0, 1 << 20)));
        final FileRegion all = new FileRegion();
        assertEquals(PartitionLog.ReadStatus.OK, reopened.readForReplica(7, 1 << 20, all));
        assertEquals(1, batchesOf(all).size(), "followers still read past it");

        reopened.restrictHighWatermark(100);
        assertEquals(12, reopened.highWatermark(), "never above what is durable here");
    }

    private static void replicate(final PartitionLog leader, final PartitionLog follower)
    {
        while (follower.logEndOffset() < leader.logEndOffset())
        {
            final ByteBuffer next = batchAt(leader, follower.logEndOffset());
            assertEquals(PartitionLog.AppendStatus.APPENDED, follower.appendReplicated(wrap(next), next));
        }
    }

    /** The single batch at {@code offset}, read as a follower's stream would carry it. */
    private static ByteBuffer batchAt(final PartitionLog leader, final long offset)
    {
        final FileRegion region = readForReplica(leader, offset);
        final ByteBuffer all = bytesOf(region);
        final ByteBuffer direct = ByteBuffer.allocateDirect(region.firstBatchLength());
        direct.put(all.limit(region.firstBatchLength())).flip();
        return direct;
    }

    private static RecordBatch wrap(final ByteBuffer direct)
    {
        return new RecordBatch().wrap(new UnsafeBuffer(direct), 0);
    }

    private static FileRegion readForReplica(final PartitionLog log, final long offset)
    {
        final FileRegion region = new FileRegion();
        assertEquals(PartitionLog.ReadStatus.OK, log.readForReplica(offset, 1, region));
        return region;
    }

    /** Every batch of the log, read as a follower would, as one run of bytes. */
    private static byte[] readAll(final PartitionLog log)
    {
        final ByteBuffer out = ByteBuffer.allocate(1 << 20);
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset())
        {
            final ByteBuffer next = batchAt(log, offset);
            offset = wrap(next).lastOffset() + 1;
            out.put(next);
        }
        final byte[] bytes = new byte[out.flip().remaining()];
        out.get(bytes);
        return bytes;
    }

    private static List<MutableRecordBatch> batchesIn(final byte[] bytes)
    {
        final List<MutableRecordBatch> batches = new java.util.ArrayList<>();
        MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches().forEach(batches::add);
        return batches;
    }

    private static long[] endOf(final PartitionLog log, final int epoch)
    {
        final long[] out = new long[2];
        log.endOffsetForEpoch(epoch, out);
        return out;
    }
}
