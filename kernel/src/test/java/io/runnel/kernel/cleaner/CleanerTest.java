package io.runnel.kernel.cleaner;

import static io.runnel.kernel.cleaner.CleanerFixture.T0;
import static io.runnel.kernel.cleaner.CleanerFixture.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.LogConfig;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One clean of one log, end to end on real segment files: the newest record per key survives,
 * batches keep their metadata and codec, tombstones go only after their delete horizon, and the
 * swap replaces exactly the segments it was cleaned from.
 */
class CleanerTest
{
    private static final long DELETE_RETENTION_MS = 1_000;
    private static final LogConfig COMPACTED = LogConfig.defaults().withTopicOverrides(Map.of(
        "cleanup.policy", "compact", "delete.retention.ms", String.valueOf(DELETE_RETENTION_MS), "segment.bytes", "1048576",
        "index.interval.bytes", "64"));

    @TempDir
    Path root;
    private CleanerFixture fixture;

    @AfterEach
    void close()
    {
        if (fixture != null)
        {
            fixture.close();
        }
    }

    private CleanerFixture fixture(final LogConfig config, final int mapEntries)
    {
        fixture = new CleanerFixture(root, config, mapEntries);
        return fixture;
    }

    /** Rounds of updates of keys k0..k{keys-1}, a segment per round, then an active segment with one record. */
    private static Map<String, String> writeRounds(final CleanerFixture f, final Compression compression, final int rounds, final int keys)
    {
        final Map<String, String> newest = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++)
        {
            final SimpleRecord[] records = new SimpleRecord[keys];
            for (int k = 0; k < keys; k++)
            {
                records[k] = record(T0 + round, "k" + k, "r" + round + "-k" + k);
                newest.put("k" + k, "r" + round + "-k" + k);
            }
            f.append(compression, records);
            f.log.roll();
        }
        f.append(Compression.NONE, record(T0 + rounds, "tail", "active"));
        newest.put("tail", "active");
        return newest;
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void theNewestValueOfEveryKeySurvivesInItsOwnCodec(final CompressionType type)
    {
        final CleanerFixture f = fixture(COMPACTED, 1024);
        final Compression compression = Compression.of(type).build();
        final Map<String, String> newest = writeRounds(f, compression, 5, 20);
        final long endBefore = f.log.logEndOffset();
        final int recordsBefore = f.records().size();

        final Cleaner.Outcome outcome = f.clean();

        assertTrue(outcome.completed());
        assertEquals(newest, f.lastValuePerKey());
        assertEquals(newest.size(), f.records().size(), "one record per key is left of " + recordsBefore);
        assertEquals(endBefore, f.log.logEndOffset());
        assertEquals(f.log.cleanableSegments().firstUncleanableOffset(), outcome.firstDirtyOffset(),
            "the clean covered everything up to the active segment");
        final long activeBase = f.log.cleanableSegments().firstUncleanableOffset();
        for (final MutableRecordBatch batch : f.batches())
        {
            if (batch.baseOffset() < activeBase)
            {
                assertEquals(type, batch.compressionType(), "a rewritten batch keeps its codec");
            }
        }
        assertEquals(List.of(), f.files(".cleaned"));
        assertEquals(List.of(), f.files(".swap"));
    }

    @Test
    void aBatchWhoseRecordsAllStayIsCopiedByteForByte()
    {
        final CleanerFixture f = fixture(COMPACTED, 1024);
        f.append(Compression.NONE, record(T0, "a", "old"), record(T0, "b", "old"));
        final long keptBase = f.append(Compression.gzip().build(), record(T0 + 1, "unique-1", "x"), record(T0 + 2, "unique-2", "y"));
        final ByteBuffer before = bytesOfBatchAt(f, keptBase);
        f.append(Compression.NONE, record(T0 + 3, "a", "new"), record(T0 + 3, "b", "new"));
        f.log.roll();
        f.append(Compression.NONE, record(T0 + 4, "tail", "t"));

        assertTrue(f.clean().completed());

        assertEquals(before, bytesOfBatchAt(f, keptBase));
        assertEquals(List.of("unique-1=x", "unique-2=y", "a=new", "b=new", "tail=t"), f.records());
    }

    @Test
    void aRewrittenBatchKeepsItsIdempotentMetadataAndTheProducersLastBatchStaysEvenWhenEmptied()
    {
        final CleanerFixture f = fixture(COMPACTED, 1024);
        final long producerId = 42;
        final short epoch = 3;
        // Producer batch 1: a stays, b is overwritten later. Producer batch 2 (its last): both overwritten later.
        final long first = f.append(MemoryRecords.withIdempotentRecords(Compression.lz4().build(), producerId, epoch, 0,
            record(T0, "a", "p-a"), record(T0, "b", "p-b")));
        final long last = f.append(MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, 2,
            record(T0, "c", "p-c"), record(T0, "d", "p-d")));
        f.append(Compression.NONE, record(T0 + 1, "b", "plain-b"), record(T0 + 1, "c", "plain-c"), record(T0 + 1, "d", "plain-d"));
        f.log.roll();
        f.append(Compression.NONE, record(T0 + 2, "tail", "t"));

        assertTrue(f.clean().completed());

        final List<MutableRecordBatch> batches = f.batches();
        final MutableRecordBatch rewritten = batches.get(0);
        assertEquals(first, rewritten.baseOffset());
        assertEquals(first + 1, rewritten.lastOffset(), "lastOffsetDelta is kept");
        assertEquals(producerId, rewritten.producerId());
        assertEquals(epoch, rewritten.producerEpoch());
        assertEquals(0, rewritten.baseSequence());
        assertEquals(CompressionType.LZ4, rewritten.compressionType());
        assertEquals(1, rewritten.countOrNull());
        final MutableRecordBatch emptied = batches.get(1);
        assertEquals(last, emptied.baseOffset());
        assertEquals(last + 1, emptied.lastOffset());
        assertEquals(producerId, emptied.producerId());
        assertEquals(2, emptied.baseSequence());
        assertEquals(3, emptied.lastSequence());
        assertEquals(0, emptied.countOrNull(), "the producer's last batch stays, empty, so its sequence survives");
        assertEquals(Map.of("a", "p-a", "b", "plain-b", "c", "plain-c", "d", "plain-d", "tail", "t"), new HashMap<>(f.lastValuePerKey()));

        // A restart rebuilds producer state from the cleaned log: the producer goes on with its next sequence.
        f.log.close();
        f.open(false);
        f.append(MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, 4, record(T0 + 3, "e", "p-e")));
    }

    @Test
    void aTombstoneIsKeptUntilTheCleanAfterItsDeleteHorizonAndThenGoesWithItsKey()
    {
        final CleanerFixture f = fixture(COMPACTED, 1024);
        f.append(Compression.NONE, record(T0, "gone", "v1"), record(T0, "kept", "v1"));
        f.append(Compression.NONE, record(T0, "gone", null), record(T0, null, "keyless"));
        f.log.roll();
        f.append(Compression.NONE, record(T0, "tail", "t"));

        final Cleaner.Outcome first = f.clean();

        assertEquals(List.of("kept=v1", "gone=null", "tail=t"), f.records(), "the tombstone stays; its key's value and the keyless record go");
        assertEquals(f.clock.now + DELETE_RETENTION_MS, first.earliestDeleteHorizon(), "the tombstone's batch got its delete horizon");
        final MutableRecordBatch stamped = f.batches().get(1);
        assertEquals(f.clock.now + DELETE_RETENTION_MS, stamped.deleteHorizonMs().getAsLong());

        f.clock.now += DELETE_RETENTION_MS - 1;
        f.clean(f::swapAsTheOwnerDoes, first.firstDirtyOffset());
        assertEquals(List.of("kept=v1", "gone=null", "tail=t"), f.records(), "not yet past the horizon");

        f.clock.now += 2;
        final Cleaner.Outcome after = f.clean(f::swapAsTheOwnerDoes, first.firstDirtyOffset());

        assertEquals(List.of("kept=v1", "tail=t"), f.records());
        assertEquals(Long.MAX_VALUE, after.earliestDeleteHorizon());
        assertFalse(f.lastValuePerKey().containsKey("gone"));
    }

    @Test
    void controlBatchesStay()
    {
        final CleanerFixture f = fixture(COMPACTED, 1024);
        // Runnel's produce path takes no transactions yet: a marker of a producer the log has not seen is all this needs.
        f.append(Compression.NONE, record(T0, "k", "before"));
        final long marker = f.append(MemoryRecords.withEndTransactionMarker(f.log.logEndOffset(), T0, 0, 7L, (short)0,
            new EndTransactionMarker(ControlRecordType.COMMIT, 0)));
        f.append(Compression.NONE, record(T0 + 1, "k", "after"));
        f.log.roll();
        f.append(Compression.NONE, record(T0 + 2, "tail", "t"));

        assertTrue(f.clean().completed());

        final List<MutableRecordBatch> batches = f.batches();
        assertTrue(batches.stream().anyMatch(b -> b.isControlBatch() && b.baseOffset() == marker), "the commit marker stays");
        assertEquals(List.of("k=after", "tail=t"), f.records());
    }

    @Test
    void aFullMapCleansUpToWhereItFilledAndTheNextCleanGoesOn()
    {
        final CleanerFixture f = fixture(COMPACTED, 8);
        final Map<String, String> newest = writeRounds(f, Compression.NONE, 3, 20);

        final Cleaner.Outcome partial = f.clean();

        assertTrue(partial.completed());
        final long uncleanable = f.log.cleanableSegments().firstUncleanableOffset();
        assertTrue(partial.firstDirtyOffset() < uncleanable, "8 keys fit, 20 are dirty: the clean stops at " + partial.firstDirtyOffset());
        assertEquals(newest, f.lastValuePerKey(), "a partial clean loses nothing");

        long firstDirty = partial.firstDirtyOffset();
        for (int i = 0; i < 20 && firstDirty < uncleanable; i++)
        {
            firstDirty = f.clean(f::swapAsTheOwnerDoes, firstDirty).firstDirtyOffset();
        }

        assertEquals(uncleanable, firstDirty);
        assertEquals(newest, f.lastValuePerKey());
        assertEquals(newest.size(), f.records().size());
    }

    @Test
    void segmentsNewerThanMinCompactionLagAreNotCleaned()
    {
        final LogConfig lagged = COMPACTED.withTopicOverrides(Map.of("min.compaction.lag.ms", "60000"));
        final CleanerFixture f = fixture(lagged, 1024);
        f.append(Compression.NONE, record(T0 - 120_000, "k", "old-1"), record(T0 - 120_000, "k", "old-2"));
        f.log.roll();
        final long recentBase = f.append(Compression.NONE, record(T0, "k", "recent-1"), record(T0, "k", "recent-2"));
        f.log.roll();
        f.append(Compression.NONE, record(T0, "tail", "t"));

        final LogToClean candidate = LogToClean.of(null, f.log.cleanableSegments(), -1, T0, Long.MAX_VALUE, s -> -1);
        assertEquals(recentBase, candidate.firstUncleanableOffset());

        f.clean();

        assertEquals(List.of("k=old-2", "k=recent-1", "k=recent-2", "tail=t"), f.records(),
            "the old segment is compacted in itself; the recent one is not touched");
    }

    @Test
    void groupsAreAtMostSegmentBytes()
    {
        final List<CleanableSegments.Sealed> segments = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            segments.add(new CleanableSegments.Sealed(null, i * 10L, i * 10L + 10, 400, null, -1));
        }

        final List<List<CleanableSegments.Sealed>> groups = Cleaner.groupBySize(segments, 1000);

        assertEquals(List.of(2, 2, 1), groups.stream().map(List::size).toList());
        assertEquals(List.of(1), Cleaner.groupBySize(List.of(new CleanableSegments.Sealed(null, 0, 10, 5000, null, -1)), 1000)
            .stream().map(List::size).toList(), "a segment larger than segment.bytes is a group of its own");
    }

    @Test
    void aSwapRefusedBecauseRetentionTookTheSegmentsLeavesNoFilesAndTheLogAsItIs()
    {
        final CleanerFixture f = fixture(COMPACTED, 1024);
        final Map<String, String> newest = writeRounds(f, Compression.NONE, 3, 5);
        final List<String> before = f.records();

        final Cleaner.Outcome outcome = f.clean((old, replacement) ->
        {
            // Meanwhile DeleteRecords takes the first segment away: the log no longer holds what was cleaned.
            final List<io.runnel.kernel.log.Segment> removed = f.log.deleteRecordsBefore(old.get(0).nextOffset());
            removed.forEach(io.runnel.kernel.log.Segment::closeAndDelete);
            return f.swapAsTheOwnerDoes(old, replacement);
        });

        assertFalse(outcome.completed());
        assertEquals(List.of(), f.files(".cleaned"));
        assertEquals(List.of(), f.files(".swap"));
        assertEquals(before.subList(5, before.size()), f.records());
        assertEquals(newest, f.lastValuePerKey());
    }

    private static ByteBuffer bytesOfBatchAt(final CleanerFixture f, final long baseOffset)
    {
        for (final MutableRecordBatch batch : f.batches())
        {
            if (batch.baseOffset() == baseOffset)
            {
                final ByteBuffer bytes = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(bytes);
                return bytes.flip();
            }
        }
        throw new AssertionError("no batch at " + baseOffset);
    }
}
