package io.runnel.kernel.cleaner;

import static io.runnel.kernel.cleaner.CleanerFixture.T0;
import static io.runnel.kernel.cleaner.CleanerFixture.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.Segment;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash after each step of a clean's swap (Kafka's protocol: .cleaned written, forced, renamed
 * .swap; the owner swaps; old segments renamed .deleted; the .swap renamed live; .deleted removed)
 * leaves a log that loads with every key's newest value and no deleted key back.
 */
class SwapRecoveryTest
{
    private static final LogConfig COMPACTED = LogConfig.defaults().withTopicOverrides(Map.of(
        "cleanup.policy", "compact", "delete.retention.ms", "0", "segment.bytes", "1048576", "index.interval.bytes", "64"));

    @TempDir
    Path root;
    private CleanerFixture f;
    private Map<String, String> newest;
    private long endOffset;
    /** What the cleaner offered at its (cut short) swap. */
    private final List<CleanableSegments.Sealed> offeredOld = new ArrayList<>();
    private Segment offered;

    @BeforeEach
    void writeALogWithUpdatesAndTombstones()
    {
        f = new CleanerFixture(root, COMPACTED, 1024);
        newest = new LinkedHashMap<>();
        for (int round = 0; round < 4; round++)
        {
            final SimpleRecord[] records = new SimpleRecord[12];
            for (int k = 0; k < 12; k++)
            {
                records[k] = record(T0 + round, "k" + k, "r" + round);
                newest.put("k" + k, "r" + round);
            }
            f.append(Compression.NONE, records);
            f.log.roll();
        }
        // Deleted keys: a tombstone each, already past its horizon (delete.retention.ms=0) after the first clean.
        f.append(Compression.NONE, record(T0 + 5, "k0", null), record(T0 + 5, "k1", null));
        newest.remove("k0");
        newest.remove("k1");
        f.log.roll();
        f.append(Compression.NONE, record(T0 + 6, "tail", "t"));
        newest.put("tail", "t");
        endOffset = f.log.logEndOffset();
        // A first clean stamps the tombstones' delete horizon; the clean under test removes them.
        assertTrue(f.clean().completed());
        f.clock.now += 10;
        assertEquals(2, f.lastValuePerKey().values().stream().filter(v -> v == null).count(), "the tombstones are still there");
    }

    @AfterEach
    void close()
    {
        f.close();
    }

    /** Runs the clean up to the owner's swap, which never answers: the process is about to die. */
    private void cleanUpToTheSwap()
    {
        final Cleaner.Outcome outcome = f.clean((old, replacement) ->
        {
            offeredOld.addAll(old);
            offered = replacement;
            return Cleaner.SwapAnswer.UNKNOWN;
        }, -1);
        assertFalse(outcome.completed());
        assertEquals(List.of("00000000000000000000.log.swap"), f.files(".log.swap"));
    }

    private void assertRecoveredToTheNewestValues(final PartitionLog log)
    {
        assertEquals(newest, f.lastValuePerKey(), "every key's newest value, no deleted key");
        assertEquals(List.of(), f.files(".cleaned"));
        assertEquals(List.of(), f.files(".swap"));
        assertEquals(List.of(), f.files(".deleted"));
        assertEquals(endOffset, log.logEndOffset());
        for (final String index : f.files(".index"))
        {
            assertTrue(size(f.dir.resolve(index)) > 0 || index.equals(f.files(".index").get(f.files(".index").size() - 1)),
                "sealed segments have their index back: " + index);
        }
        // A read in the middle of the rewritten segment goes through its index.
        final FileRegion region = new FileRegion();
        assertEquals(PartitionLog.ReadStatus.OK, log.read(log.logStartOffset() + 1, 1 << 20, region));
        assertTrue(region.length() > 0);
    }

    @Test
    void aCrashWhileTheCleanedFilesAreWrittenLeavesTheOldSegments() throws IOException
    {
        final List<String> before = f.records();
        cleanUpToTheSwap();
        for (final String swap : f.files(Segment.SWAP_SUFFIX))
        {
            rename(swap, swap.replace(Segment.SWAP_SUFFIX, Segment.CLEANED_SUFFIX));
        }

        final PartitionLog log = f.crashAndReopen();

        assertEquals(before, f.records(), "nothing changed");
        assertEquals(List.of(), f.files(".cleaned"));
        assertEquals(endOffset, log.logEndOffset());
    }

    @Test
    void aCrashHalfWayThroughRenamingToSwapLeavesTheOldSegmentsOrTheSwap() throws IOException
    {
        cleanUpToTheSwap();
        // renameFiles(".swap") moves the log first: its indexes may still be .cleaned.
        rename("00000000000000000000.index.swap", "00000000000000000000.index.cleaned");
        rename("00000000000000000000.timeindex.swap", "00000000000000000000.timeindex.cleaned");

        assertRecoveredToTheNewestValues(f.crashAndReopen());
    }

    @Test
    void aCrashWithTheSwapWrittenAndTheOldSegmentsStillLiveCompletesTheSwap()
    {
        cleanUpToTheSwap();

        assertRecoveredToTheNewestValues(f.crashAndReopen());
    }

    @Test
    void aCrashWhileTheOldSegmentsAreRenamedDeletedCompletesTheSwap() throws IOException
    {
        cleanUpToTheSwap();
        // The conductor got as far as the first old segment's .log (its indexes keep their live names).
        final String first = offeredOld.get(0).logFile().getFileName().toString();
        rename(first, first + Segment.DELETED_SUFFIX);

        assertRecoveredToTheNewestValues(f.crashAndReopen());
    }

    @Test
    void aCrashWhileTheSwapIsRenamedLiveRebuildsItsIndexes() throws IOException
    {
        cleanUpToTheSwap();
        for (final CleanableSegments.Sealed old : offeredOld)
        {
            old.segment().renameFiles(Segment.DELETED_SUFFIX);
        }
        // renameFiles("") moved the log; its two indexes are still .swap.
        rename("00000000000000000000.log.swap", "00000000000000000000.log");

        assertRecoveredToTheNewestValues(f.crashAndReopen());
    }

    @Test
    void aCrashAfterTheSwapBeforeTheDeletedFilesAreRemovedLoadsTheNewSegment()
    {
        cleanUpToTheSwap();
        for (final CleanableSegments.Sealed old : offeredOld)
        {
            old.segment().renameFiles(Segment.DELETED_SUFFIX);
        }
        offered.renameFiles("");

        assertRecoveredToTheNewestValues(f.crashAndReopen());
    }

    @Test
    void aCleanShutdownWithASwapStillWaitingCompletesItAtTheNextStart()
    {
        cleanUpToTheSwap();
        f.log.close();

        assertRecoveredToTheNewestValues(f.open(true));
    }

    private void rename(final String from, final String to) throws IOException
    {
        Files.move(f.dir.resolve(from), f.dir.resolve(to), StandardCopyOption.ATOMIC_MOVE);
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
