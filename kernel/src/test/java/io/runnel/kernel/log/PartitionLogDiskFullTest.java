package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.append;
import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.runnel.kernel.log.LogFixture.ManualClock;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log on a disk that fills up, for real: a small tmpfs. A write that fails leaves the log at its
 * last whole batch (in memory and in the file), the log goes offline, and it comes back, with every
 * batch appended before, once space is freed.
 */
class PartitionLogDiskFullTest
{
    private static final int DISK_KIB = 1024;
    private static final int VALUE_BYTES = 500;
    private static final int RECORDS_PER_BATCH = 4;

    @TempDir
    Path temp;

    private final ManualClock clock = new ManualClock();

    private static MemoryRecords batch(final int sequence)
    {
        final SimpleRecord[] records = new SimpleRecord[RECORDS_PER_BATCH];
        for (int i = 0; i < records.length; i++)
        {
            final byte[] value = new byte[VALUE_BYTES];
            Arrays.fill(value, (byte)('a' + (sequence + i) % 26));
            final byte[] tag = ("b" + sequence + "-" + i + "|").getBytes(StandardCharsets.UTF_8);
            System.arraycopy(tag, 0, value, 0, tag.length);
            records[i] = new SimpleRecord(LogFixture.T0 + sequence, null, value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private PartitionLog open(final Path dir, final LogConfig config, final boolean clean)
    {
        return PartitionLog.open("disk-0", dir, config, clock, new PartitionState(), clean);
    }

    /** Bytes of every .log file in the directory: with no torn tail, what the log says it holds. */
    private static long logFileBytes(final Path dir)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(f -> f.toString().endsWith(".log")).mapToLong(f ->
            {
                try
                {
                    return Files.size(f);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }).sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void assertAllBatches(final PartitionLog log, final int batches)
    {
        final List<Record> records = consume(log, 0, 1 << 20);
        assertEquals(batches * RECORDS_PER_BATCH, records.size());
        for (int i = 0; i < records.size(); i++)
        {
            final String value = StandardCharsets.UTF_8.decode(records.get(i).value()).toString();
            assertTrue(value.startsWith("b" + i / RECORDS_PER_BATCH + "-" + i % RECORDS_PER_BATCH + "|"), "record " + i + ": " + value.substring(0, 12));
        }
    }

    @Test
    void appendsOnAFullDiskFailWithoutATornTailAndResumeOnceSpaceIsFreed() throws IOException
    {
        final Path disk = Files.createDirectories(temp.resolve("disk"));
        // Small segments: the disk fills across several rolls, so the failing write may be an append or a roll's files.
        final LogConfig config = config(16 * 1024, 4096, FlushPolicy.PAGE_CACHE);
        try (Tmpfs tmpfs = Tmpfs.mount(disk, DISK_KIB))
        {
            final Path dir = disk.resolve("disk-0");
            final PartitionLog log = open(dir, config, true);
            tmpfs.fill(disk.resolve("filler"), 64);
            int appended = 0;
            PartitionLog.AppendStatus status = PartitionLog.AppendStatus.APPENDED;
            while (appended < 10_000 && (status = append(log, batch(appended))) == PartitionLog.AppendStatus.APPENDED)
            {
                appended++;
            }

            assertEquals(PartitionLog.AppendStatus.STORAGE_ERROR, status, "the disk never filled");
            assertTrue(appended > 0, "no append fitted into 64 free pages");
            assertTrue(log.isOffline());
            assertTrue(log.state().isOffline());
            assertEquals((long)appended * RECORDS_PER_BATCH, log.logEndOffset());
            assertEquals(log.sizeInBytes(), logFileBytes(dir), "the failed write left bytes past the last whole batch");
            assertEquals(PartitionLog.AppendStatus.STORAGE_ERROR, append(log, batch(appended)), "an offline log takes no writes");
            assertEquals(PartitionLog.ReadStatus.STORAGE_ERROR, log.read(0, 1 << 20, new FileRegion()));
            assertFalse(log.tryBringOnline(), "the disk is still full");

            Files.delete(disk.resolve("filler"));

            assertTrue(log.tryBringOnline());
            assertFalse(log.state().isOffline());
            assertAllBatches(log, appended);
            for (int i = 0; i < 5; i++)
            {
                appendOk(log, batch(appended++));
            }
            assertAllBatches(log, appended);
            log.close();

            // An unclean start too: recovery finds every batch whole.
            final PartitionLog reopened = open(dir, config, false);
            assertEquals((long)appended * RECORDS_PER_BATCH, reopened.logEndOffset());
            assertAllBatches(reopened, appended);
            reopened.close();
        }
    }

    @Test
    void anIndexPageThatCannotBeBackedFailsTheAppendInsteadOfCrashingTheJvm() throws IOException
    {
        final Path disk = Files.createDirectories(temp.resolve("disk"));
        final LogConfig config = config(1 << 20, 4096, FlushPolicy.PAGE_CACHE).withMaxIndexBytes(1 << 20);
        try (Tmpfs tmpfs = Tmpfs.mount(disk, DISK_KIB))
        {
            final Path dir = disk.resolve("disk-0");
            final PartitionLog log = open(dir, config, true);
            // One free page: the batch itself would fit, the first store into the sparse index page would not
            // (through the mapping that is a SIGBUS: an InternalError at best, a dead JVM at worst).
            tmpfs.fill(disk.resolve("filler"), 1);

            assertEquals(PartitionLog.AppendStatus.STORAGE_ERROR, append(log, batch(0)));
            assertTrue(log.isOffline());
            assertEquals(0, log.logEndOffset());
            assertEquals(0, logFileBytes(dir));

            Files.delete(disk.resolve("filler"));
            assertTrue(log.tryBringOnline());
            appendOk(log, batch(0));
            appendOk(log, batch(1));
            assertAllBatches(log, 2);
            log.close();
        }
    }

    @Test
    void aRollThatCannotWriteItsFilesLeavesTheLogAsItWasAndRollsOnceSpaceIsFreed() throws IOException
    {
        final Path disk = Files.createDirectories(temp.resolve("disk"));
        final int batchBytes = batch(0).sizeInBytes();
        final LogConfig config = config(3 * batchBytes, 4096, FlushPolicy.PAGE_CACHE).withMaxIndexBytes(64 * 1024);
        try (Tmpfs tmpfs = Tmpfs.mount(disk, DISK_KIB))
        {
            final Path dir = disk.resolve("disk-0");
            final PartitionLog log = open(dir, config, true);
            for (int i = 0; i < 3; i++)
            {
                appendOk(log, batch(i));
            }
            tmpfs.fill(disk.resolve("filler"), 0);

            assertEquals(PartitionLog.AppendStatus.STORAGE_ERROR, append(log, batch(3)), "the fourth batch needs a roll");
            assertEquals(1, log.segmentCount());
            assertEquals(3 * RECORDS_PER_BATCH, log.logEndOffset());
            assertTrue(log.isOffline());

            Files.delete(disk.resolve("filler"));
            assertTrue(log.tryBringOnline());
            appendOk(log, batch(3));
            assertEquals(2, log.segmentCount());
            assertAllBatches(log, 4);
            log.close();

            final PartitionLog reopened = open(dir, config, false);
            assertAllBatches(reopened, 4);
            reopened.close();
        }
    }
}
