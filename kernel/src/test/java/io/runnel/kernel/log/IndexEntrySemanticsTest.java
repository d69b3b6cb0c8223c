package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.T0;
import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.files;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static io.runnel.kernel.log.LogFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code .index} and {@code .timeindex} entries mean what Kafka's mean: an offset-index entry is
 * (last offset of a batch, position of that batch), a time-index entry is (max timestamp so far,
 * last offset of the batch that reached it). Kafka's kafka-dump-log checks exactly that, and
 * lookups through either index still find every offset and timestamp.
 */
class IndexEntrySemanticsTest
{
    /** An index entry for every batch, so every batch's entry can be checked. */
    @RegisterExtension
    final OpenLogs logs = new OpenLogs("indexed-0", config(1 << 20, 1, FlushPolicy.PAGE_CACHE));

    @Test
    void offsetIndexEntriesHoldEachBatchsLastOffsetAndPosition() throws IOException
    {
        final PartitionLog log = logs.open(true);
        final List<long[]> batches = appendBatchesOfGrowingSize(log);
        logs.close(log);

        final ByteBuffer index = ByteBuffer.wrap(Files.readAllBytes(files(logs.dir(), ".index").get(0)));
        assertEquals(batches.size() * OffsetIndex.ENTRY_SIZE, index.remaining(), "one entry per batch, trimmed on close");
        for (final long[] batch : batches)
        {
            assertEquals(batch[1], index.getInt(), "relative last offset of the batch at " + batch[2]);
            assertEquals(batch[2], index.getInt(), "position");
        }
    }

    @Test
    void timeIndexEntriesHoldTheLastOffsetOfTheBatchThatRaisedTheMaxTimestamp() throws IOException
    {
        final PartitionLog log = logs.open(true);
        final List<long[]> batches = appendBatchesOfGrowingSize(log);
        logs.close(log);

        final ByteBuffer index = ByteBuffer.wrap(Files.readAllBytes(files(logs.dir(), ".timeindex").get(0)));
        assertEquals(batches.size() * TimeIndex.ENTRY_SIZE, index.remaining(), "every batch raised the max timestamp");
        for (final long[] batch : batches)
        {
            assertEquals(batch[3], index.getLong(), "the batch's max timestamp");
            assertEquals(batch[1], index.getInt(), "relative last offset of the batch that reached it");
        }
    }

    @Test
    void lookupsFindEveryOffsetAndTimestampThroughLastOffsetEntries()
    {
        final PartitionLog log = logs.open(true);
        final List<long[]> batches = appendBatchesOfGrowingSize(log);
        logs.close(log);
        final PartitionLog reopened = logs.open(true);
        final long end = reopened.logEndOffset();

        for (long offset = 0; offset < end; offset++)
        {
            assertEquals(range(offset, end), offsets(consume(reopened, offset, 1 << 20)), "read from " + offset);
        }
        final long[] found = new long[2];
        for (final long[] batch : batches)
        {
            // Record i of a batch starting at offset b is stamped T0 + b + i.
            final long firstOffset = batch[0];
            reopened.offsetForTimestamp(T0 + firstOffset + 1, found);
            assertEquals(firstOffset + 1, found[0], "first record at or after T0+" + (firstOffset + 1));
        }
    }

    /** Appends batches of 2, 3, 4, ... records; returns {base, relative last offset, position, max timestamp} of each. */
    private static List<long[]> appendBatchesOfGrowingSize(final PartitionLog log)
    {
        final List<long[]> batches = new ArrayList<>();
        long position = 0;
        for (int count = 2; count <= 6; count++)
        {
            final long base = log.logEndOffset();
            final MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE, records(count, T0 + base, "b" + count));
            appendOk(log, batch);
            batches.add(new long[] {base, base + count - 1, position, T0 + base + count - 1});
            position += batch.sizeInBytes();
        }
        return batches;
    }
}
