package io.runnel.broker.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import io.runnel.kernel.log.Segment;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dump-log} on files written by a real {@link PartitionLog}: what it prints for every batch
 * and record, that it reports torn and corrupt files and inconsistent indexes with exit status 1,
 * and bad usage with 2.
 */
class DumpLogCommandTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final int RECORDS_PER_BATCH = 5;
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    private static final long PRODUCER_ID = 4242L;
    private static final short PRODUCER_EPOCH = 3;

    @TempDir
    Path tmp;

    /** A log a test left open (its active segment's indexes preallocated), closed after the test. */
    private PartitionLog openLog;

    @AfterEach
    void closeOpenLog()
    {
        if (openLog != null)
        {
            openLog.close();
        }
    }

    /** What one run printed and returned. */
    private record Run(int status, String out, String err)
    {
        List<Map<String, String>> batches()
        {
            return lines("baseOffset: ").stream().map(DumpLogCommandTest::fields).toList();
        }

        List<String> lines(final String prefix)
        {
            return out.lines().filter(line -> line.startsWith(prefix)).toList();
        }
    }

    private static Run dumpLog(final Object... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final String[] strings = Stream.of(args).map(String::valueOf).toArray(String[]::new);
        final int status = DumpLogCommand.run(strings, new PrintWriter(out), new PrintWriter(err));
        return new Run(status, out.toString(), err.toString());
    }

    /** "name: value name: value ..." → map; values hold no spaces on batch lines. */
    private static Map<String, String> fields(final String line)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        final String[] tokens = line.split(" ");
        for (int i = 0; i + 1 < tokens.length; i += 2)
        {
            fields.put(tokens[i].substring(0, tokens[i].length() - 1), tokens[i + 1]);
        }
        return fields;
    }

    private static SimpleRecord[] records(final long firstOffset, final int count)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            final long offset = firstOffset + i;
            records[i] = new SimpleRecord(T0 + offset, bytes("key-" + offset), bytes("value-" + offset),
                new Header[] {new RecordHeader("trace", bytes("t" + offset)), new RecordHeader("bin", new byte[] {(byte)0xFF, 0x01})});
        }
        return records;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Compression compression(final String codec)
    {
        return switch (codec)
        {
            case "none" -> Compression.NONE;
            case "gzip" -> Compression.gzip().build();
            case "snappy" -> Compression.snappy().build();
            case "lz4" -> Compression.lz4().build();
            case "zstd" -> Compression.zstd().build();
            default -> throw new IllegalArgumentException(codec);
        };
    }

    private static PartitionLog open(final Path dir)
    {
        // An index entry per batch, so index checks see every batch.
        final LogConfig config = LogConfig.defaults().withIndexIntervalBytes(1).withMaxIndexBytes(4096);
        return PartitionLog.open("dumped-0", dir, config, SystemEpochClock.INSTANCE, new PartitionState(), true);
    }

    private static void append(final PartitionLog log, final MemoryRecords records)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(records.sizeInBytes());
        direct.put(records.buffer().duplicate()).flip();
        assertEquals(PartitionLog.AppendStatus.APPENDED, log.append(new RecordBatch().wrap(new UnsafeBuffer(direct), 0), direct));
    }

    /** One batch per codec (offsets 0..24), then an idempotent producer's two batches (25..34), then a COMMIT marker (35). */
    private Path writeLog(final boolean close)
    {
        final Path dir = tmp.resolve("dumped-0");
        final PartitionLog log = open(dir);
        for (final String codec : CODECS)
        {
            append(log, MemoryRecords.withRecords(compression(codec), records(log.logEndOffset(), RECORDS_PER_BATCH)));
        }
        append(log, MemoryRecords.withIdempotentRecords(Compression.lz4().build(), PRODUCER_ID, PRODUCER_EPOCH, 0,
            records(log.logEndOffset(), RECORDS_PER_BATCH)));
        append(log, MemoryRecords.withIdempotentRecords(Compression.NONE, PRODUCER_ID, PRODUCER_EPOCH, RECORDS_PER_BATCH,
            records(log.logEndOffset(), RECORDS_PER_BATCH)));
        append(log, MemoryRecords.withEndTransactionMarker(7L, (short)0, new EndTransactionMarker(ControlRecordType.COMMIT, 9)));
        if (close)
        {
            log.close();
        }
        else
        {
            openLog = log;
        }
        return dir;
    }

    private static Path segmentFile(final Path dir, final String suffix)
    {
        return dir.resolve(Segment.fileName(0, suffix));
    }

    @Test
    void everyBatchIsPrintedWithItsOffsetsCountValidCrcAndCodec()
    {
        final Path dir = writeLog(true);

        final Run run = dumpLog(segmentFile(dir, ".log"));

        assertEquals(0, run.status(), run.err() + run.out());
        final List<Map<String, String>> batches = run.batches();
        assertEquals(CODECS.size() + 3, batches.size(), run.out());
        int position = 0;
        for (int i = 0; i < CODECS.size(); i++)
        {
            final Map<String, String> batch = batches.get(i);
            assertEquals(String.valueOf(i * RECORDS_PER_BATCH), batch.get("baseOffset"));
            assertEquals(String.valueOf(i * RECORDS_PER_BATCH + RECORDS_PER_BATCH - 1), batch.get("lastOffset"));
            assertEquals(String.valueOf(RECORDS_PER_BATCH), batch.get("count"));
            assertEquals(String.valueOf(position), batch.get("position"), "batches follow each other");
            assertEquals("2", batch.get("magic"));
            assertEquals("true", batch.get("isvalid"), "CRC32C checks");
            assertEquals(CODECS.get(i), batch.get("compresscodec"));
            assertEquals(String.valueOf(T0 + i * RECORDS_PER_BATCH + RECORDS_PER_BATCH - 1), batch.get("CreateTime"), "max timestamp");
            assertEquals("-1", batch.get("producerId"));
            assertEquals("false", batch.get("isTransactional"));
            assertEquals("false", batch.get("isControl"));
            assertEquals("0", batch.get("partitionLeaderEpoch"));
            position += Integer.parseInt(batch.get("size"));
        }
        assertTrue(run.out().contains("batches: 8 records: 36 validBytes: "), run.out());
    }

    @Test
    void anIdempotentProducersIdEpochAndSequencesArePrinted()
    {
        final Path dir = writeLog(true);

        final List<Map<String, String>> batches = dumpLog(segmentFile(dir, ".log")).batches();

        final Map<String, String> first = batches.get(CODECS.size());
        final Map<String, String> second = batches.get(CODECS.size() + 1);
        assertEquals(List.of(String.valueOf(PRODUCER_ID), String.valueOf(PRODUCER_EPOCH), "0", "4", "lz4"),
            List.of(first.get("producerId"), first.get("producerEpoch"), first.get("baseSequence"), first.get("lastSequence"),
                first.get("compresscodec")));
        assertEquals(List.of(String.valueOf(PRODUCER_ID), String.valueOf(PRODUCER_EPOCH), "5", "9"),
            List.of(second.get("producerId"), second.get("producerEpoch"), second.get("baseSequence"), second.get("lastSequence")));
    }

    @Test
    void aControlBatchIsPrintedWithItsMarkerType()
    {
        final Path dir = writeLog(true);

        final Run run = dumpLog("--print-data", segmentFile(dir, ".log"));

        final Map<String, String> marker = run.batches().get(CODECS.size() + 2);
        assertEquals(List.of("35", "true", "COMMIT", "7"),
            List.of(marker.get("baseOffset"), marker.get("isControl"), marker.get("controlType"), marker.get("producerId")));
        assertTrue(run.out().contains("| offset: 35 CreateTime: "), run.out());
        assertTrue(run.out().contains(" endTxnMarker: COMMIT coordinatorEpoch: 9"), run.out());
    }

    @Test
    void printDataShowsEveryRecordsKeyValueAndHeadersOfEveryCodec()
    {
        final Path dir = writeLog(true);

        final Run run = dumpLog("--print-data", segmentFile(dir, ".log"));

        assertEquals(0, run.status(), run.err());
        final List<String> records = run.lines("| offset: ").stream().filter(line -> line.contains(" key: ")).toList();
        assertEquals(CODECS.size() * RECORDS_PER_BATCH + 2 * RECORDS_PER_BATCH, records.size(), run.out());
        for (int offset = 0; offset < records.size(); offset++)
        {
            assertEquals("| offset: " + offset + " CreateTime: " + (T0 + offset) + " keySize: " + ("key-" + offset).length() +
                " valueSize: " + ("value-" + offset).length() + " sequence: " + (offset < 25 ? -1 : offset - 25) +
                " key: key-" + offset + " value: value-" + offset + " headers: [trace=t" + offset + ", bin=0xff01]",
                records.get(offset), "decompressed record " + offset);
        }
    }

    @Test
    void aTornTailIsReportedAfterTheIntactBatchesWithStatus1() throws IOException
    {
        final Path log = segmentFile(writeLog(true), ".log");
        final long intact = Files.size(log);
        // Half a batch, as a crash in the middle of a write leaves it.
        final MemoryRecords next = MemoryRecords.withRecords(Compression.NONE, records(36, 3));
        final byte[] half = new byte[next.sizeInBytes() / 2];
        next.buffer().duplicate().get(half);
        Files.write(log, half, StandardOpenOption.APPEND);

        final Run run = dumpLog(log);

        assertEquals(DumpLogCommand.PROBLEMS_FOUND, run.status(), run.out());
        assertEquals(CODECS.size() + 3, run.batches().size(), "the intact batches are still printed");
        assertTrue(run.out().contains("torn: position " + intact + ": the batch at offset 0 declares " + next.sizeInBytes() +
            " bytes but only " + half.length + " remain in the file"), run.out());
        assertTrue(run.out().contains("validBytes: " + intact + " fileBytes: " + (intact + half.length)), run.out());
        assertTrue(run.err().contains("1 problem(s) found"), run.err());
    }

    @Test
    void aTailTooShortForABatchPrefixIsReportedTorn() throws IOException
    {
        final Path log = segmentFile(writeLog(true), ".log");
        Files.write(log, new byte[] {0, 0, 0}, StandardOpenOption.APPEND);

        final Run run = dumpLog(log);

        assertEquals(DumpLogCommand.PROBLEMS_FOUND, run.status());
        assertTrue(run.out().contains("3 bytes after the last batch"), run.out());
    }

    @Test
    void aCorruptedBatchFailsItsCrcAndTheWalkGoesOn() throws IOException
    {
        final Path log = segmentFile(writeLog(true), ".log");
        final List<Map<String, String>> before = dumpLog(log).batches();
        final long secondBatch = Long.parseLong(before.get(1).get("position"));
        flipByte(log, secondBatch + RecordBatch.HEADER_SIZE + 3);

        final Run run = dumpLog("--print-data", log);

        assertEquals(DumpLogCommand.PROBLEMS_FOUND, run.status(), run.out());
        final List<Map<String, String>> batches = run.batches();
        assertEquals(before.size(), batches.size(), "a CRC failure does not stop the walk");
        assertEquals("false", batches.get(1).get("isvalid"));
        assertEquals("true", batches.get(2).get("isvalid"));
        assertTrue(run.out().contains("corrupt: position " + secondBatch + " (offsets 5..9): stored CRC "), run.out());
        assertTrue(run.out().contains("| records not printed: the batch is corrupt"), run.out());
    }

    @Test
    void aNonsenseBatchLengthEndsTheWalk() throws IOException
    {
        final Path log = segmentFile(writeLog(true), ".log");
        final long thirdBatch = Long.parseLong(dumpLog(log).batches().get(2).get("position"));
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(4).putInt(0, 7), thirdBatch + 8);
        }

        final Run run = dumpLog(log);

        assertEquals(DumpLogCommand.PROBLEMS_FOUND, run.status());
        assertEquals(2, run.batches().size(), run.out());
        assertTrue(run.out().contains("corrupt: position " + thirdBatch + ": batch length 7 is below the smallest batch"), run.out());
    }

    @Test
    void theIndexesOfACleanlyClosedLogVerify()
    {
        final Path dir = writeLog(true);

        final Run run = dumpLog("--verify-index", segmentFile(dir, ".index"), segmentFile(dir, ".timeindex"));

        assertEquals(0, run.status(), run.out() + run.err());
        final List<String> offsets = run.lines("offset: ");
        assertEquals(CODECS.size() + 3, offsets.size(), "an entry per batch at index.interval.bytes=1");
        assertEquals("offset: 4 position: 0", offsets.get(0), "the entry names the batch's last offset");
        assertTrue(run.lines("timestamp: ").get(0).equals("timestamp: " + (T0 + 4) + " offset: 4"), run.out());
        assertTrue(run.lines("mismatch").isEmpty(), run.out());
    }

    @Test
    void theIndexesOfAnActiveSegmentVerifyDespiteTheirPreallocatedSpace() throws IOException
    {
        final Path dir = writeLog(false);
        assertEquals(4096, Files.size(segmentFile(dir, ".index")), "preallocated while active");

        final Run run = dumpLog("--verify-index", segmentFile(dir, ".index"), segmentFile(dir, ".timeindex"));

        assertEquals(0, run.status(), run.out() + run.err());
        assertEquals(CODECS.size() + 3, run.lines("offset: ").size(), run.out());
        assertTrue(run.out().contains("entries: 8 unusedBytes: " + (4096 - 8 * 8)), run.out());
    }

    @Test
    void anOffsetIndexEntryThatNamesTheWrongOffsetFailsVerification() throws IOException
    {
        final Path dir = writeLog(true);
        final Path index = segmentFile(dir, ".index");
        // Entry 1 (offsets 5..9 at its position) made to name offset 5, the batch's base offset.
        overwriteInt(index, 8, 5);

        final Run plain = dumpLog(index);
        final Run verified = dumpLog("--verify-index", index);

        assertEquals(0, plain.status(), "without --verify-index the entries are only printed");
        assertEquals(DumpLogCommand.PROBLEMS_FOUND, verified.status(), verified.out());
        assertTrue(verified.out().contains("mismatch: entry 1 (offset: 5 position: "), verified.out());
        assertTrue(verified.out().contains("the batch there holds offsets 5..9"), verified.out());
    }

    @Test
    void anOffsetIndexEntryOffABatchBoundaryFailsVerification() throws IOException
    {
        final Path dir = writeLog(true);
        final Path index = segmentFile(dir, ".index");
        final ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index));
        overwriteInt(index, 2 * 8 + 4, entries.getInt(2 * 8 + 4) + 1);

        final Run run = dumpLog("--verify-index", index);

        assertEquals(DumpLogCommand.PROBLEMS_FOUND, run.status());
        assertTrue(run.out().contains("mismatch: entry 2 ") && run.out().contains("no batch of the log starts at this position"), run.out());
    }

    @Test
    void aTimeIndexEntryWithAWrongTimestampFailsVerification() throws IOException
    {
        final Path dir = writeLog(true);
        final Path timeIndex = segmentFile(dir, ".timeindex");
        try (FileChannel channel = FileChannel.open(timeIndex, StandardOpenOption.WRITE))
        {
            // Entry 3's timestamp below entry 2's: it no longer matches its batch, and timestamps fall.
            channel.write(ByteBuffer.allocate(8).putLong(0, T0 + 1), 3 * 12);
        }

        final Run run = dumpLog("--verify-index", timeIndex);

        assertEquals(DumpLogCommand.PROBLEMS_FOUND, run.status());
        assertTrue(run.out().contains("mismatch: entry 3 (timestamp: " + (T0 + 1) + " offset: 19): timestamps must grow"), run.out());
        assertTrue(run.out().contains("the batch at position ") && run.out().contains(" has max timestamp " + (T0 + 19)), run.out());
    }

    @Test
    void aProducerSnapshotListsTheIdempotentProducer()
    {
        // A clean close snapshots producer state at the log end offset.
        final Path dir = writeLog(true);

        final Run run = dumpLog(dir.resolve(Segment.fileName(36, ".snapshot")));

        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("Producer state as of offset: 36"), run.out());
        assertTrue(run.out().contains("producerId: " + PRODUCER_ID + " producerEpoch: " + PRODUCER_EPOCH + " batches: 2 " +
            "[firstSequence: 0 lastSequence: 4 firstOffset: 25 lastOffset: 29"), run.out());
        assertTrue(run.out().contains("producers: 2"), "the idempotent producer and the marker's: " + run.out());
    }

    @Test
    void aCorruptProducerSnapshotIsReported() throws IOException
    {
        final Path snapshot = writeLog(true).resolve(Segment.fileName(36, ".snapshot"));
        flipByte(snapshot, 10);

        final Run run = dumpLog(snapshot);

        assertEquals(DumpLogCommand.PROBLEMS_FOUND, run.status());
        assertTrue(run.out().contains("corrupt: not an intact producer-state snapshot"), run.out());
    }

    @Test
    void aDirectoryStandsForItsSegmentFiles()
    {
        final Path dir = writeLog(true);

        final Run run = dumpLog("--verify-index", dir);

        assertEquals(0, run.status(), run.out());
        assertEquals(List.of("Dumping " + segmentFile(dir, ".index"), "Dumping " + segmentFile(dir, ".log"),
            "Dumping " + segmentFile(dir, ".timeindex"), "Dumping " + dir.resolve(Segment.fileName(36, ".snapshot"))),
            run.lines("Dumping "));
    }

    @Test
    void aSegmentRenamedForDeletionIsStillReadAndVerified() throws IOException
    {
        final Path dir = writeLog(true);
        for (final String suffix : List.of(".log", ".index", ".timeindex"))
        {
            Files.move(segmentFile(dir, suffix), segmentFile(dir, suffix + ".deleted"));
        }

        final Run run = dumpLog("--verify-index", dir);

        assertEquals(0, run.status(), run.out());
        assertTrue(run.lines("Dumping ").contains("Dumping " + segmentFile(dir, ".log.deleted")), run.out());
        assertEquals(CODECS.size() + 3, run.batches().size());
        assertEquals(CODECS.size() + 3, run.lines("offset: ").size(), "the .index.deleted verified against the .log.deleted");
    }

    @Test
    void badUsageExitsWith2()
    {
        final Run missing = dumpLog(tmp.resolve("00000000000000000000.log"));
        final Run unknownOption = dumpLog("--no-such-option", tmp);
        final Run noFile = dumpLog();
        final Run otherKind = dumpLog(writeFile("notes.txt"));

        assertEquals(List.of(2, 2, 2, 2), List.of(missing.status(), unknownOption.status(), noFile.status(), otherKind.status()));
        assertTrue(missing.err().contains("no such file: "), missing.err());
        assertTrue(noFile.err().contains("Usage: bin/runnel dump-log"), noFile.err());
    }

    @Test
    void helpPrintsTheUsageAndExitCodes()
    {
        final Run run = dumpLog("--help");

        assertEquals(0, run.status());
        assertTrue(run.out().contains("--print-data") && run.out().contains("--verify-index") && run.out().contains("Exit codes:"),
            run.out());
    }

    private Path writeFile(final String name)
    {
        try
        {
            return Files.writeString(tmp.resolve(name), "not a segment");
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static void overwriteInt(final Path file, final long position, final int value) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(4).putInt(0, value), position);
        }
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            channel.write(ByteBuffer.wrap(new byte[] {(byte)(one.get(0) ^ 0x5A)}), position);
        }
    }
}
