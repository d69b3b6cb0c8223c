package io.runnel.kernel.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;
import io.runnel.kernel.log.Segment;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A partition log driven by the test thread as its owner, and a {@link Cleaner} run on it as the
 * cleaner thread would, with swaps done as the shard and the conductor do them (or cut short, to
 * play a crash).
 */
final class CleanerFixture
{
    static final long T0 = 1_700_000_000_000L;

    /** A controllable wall clock. */
    static final class ManualClock implements EpochClock
    {
        long now = T0;

        @Override
        public long time()
        {
            return now;
        }
    }

    final ManualClock clock = new ManualClock();
    final Path dir;
    LogConfig config;
    PartitionLog log;
    private final OffsetMap map;
    private final Cleaner cleaner;

    CleanerFixture(final Path root, final LogConfig config, final int mapEntries)
    {
        this.dir = root.resolve("compacted-0");
        this.config = config;
        this.map = new OffsetMap(mapEntries * OffsetMap.BYTES_PER_ENTRY, 1.0);
        this.cleaner = new Cleaner(map, 1024, new Throttler(Double.MAX_VALUE), () -> false);
        this.log = open(true);
    }

    PartitionLog open(final boolean cleanShutdown)
    {
        log = PartitionLog.open("compacted-0", dir, config, clock, new PartitionState(), cleanShutdown);
        return log;
    }

    /** The process dies: the log object is abandoned unflushed, and the log is opened again from its files. */
    PartitionLog crashAndReopen()
    {
        return open(false);
    }

    void close()
    {
        log.close();
        map.free();
    }

    static SimpleRecord record(final long timestamp, final String key, final String value)
    {
        return new SimpleRecord(timestamp, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    long append(final MemoryRecords records)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(records.sizeInBytes());
        direct.put(records.buffer().duplicate()).flip();
        final RecordBatch batch = new RecordBatch().wrap(new UnsafeBuffer(direct), 0);
        assertEquals(PartitionLog.AppendStatus.APPENDED, log.append(batch, direct));
        return log.lastBaseOffset();
    }

    long append(final Compression compression, final SimpleRecord... records)
    {
        return append(MemoryRecords.withRecords(compression, records));
    }

    /** Cleans once as of the clock's time, swapping as shard and conductor do. */
    Cleaner.Outcome clean()
    {
        return clean(this::swapAsTheOwnerDoes);
    }

    Cleaner.Outcome clean(final Cleaner.Swapper swapper)
    {
        return clean(swapper, -1);
    }

    Cleaner.Outcome clean(final Cleaner.Swapper swapper, final long checkpointed)
    {
        final CleanableSegments view = log.cleanableSegments();
        final LogToClean candidate = LogToClean.of(null, view, checkpointed, clock.now, Long.MAX_VALUE, s -> -1);
        try
        {
            return cleaner.clean(candidate, clock.now, swapper);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** The shard's swap, then the conductor's retirement with no delay: old files .deleted and deleted, new ones renamed live. */
    Cleaner.SwapAnswer swapAsTheOwnerDoes(final List<CleanableSegments.Sealed> old, final Segment replacement)
    {
        final List<Segment> segments = segmentsOf(old);
        if (!log.replaceCleanedSegments(segments, replacement))
        {
            return Cleaner.SwapAnswer.REFUSED;
        }
        for (final Segment segment : segments)
        {
            segment.renameFiles(Segment.DELETED_SUFFIX);
        }
        replacement.renameFiles("");
        for (final Segment segment : segments)
        {
            segment.closeAndDelete();
        }
        return Cleaner.SwapAnswer.SWAPPED;
    }

    static List<Segment> segmentsOf(final List<CleanableSegments.Sealed> old)
    {
        final List<Segment> segments = new ArrayList<>();
        old.forEach(sealed -> segments.add(sealed.segment()));
        return segments;
    }

    /** Every batch from the log start to the high watermark, read the way a consumer reads, each checked (CRC). */
    List<MutableRecordBatch> batches()
    {
        final List<MutableRecordBatch> batches = new ArrayList<>();
        final FileRegion region = new FileRegion();
        long offset = log.logStartOffset();
        while (offset < log.highWatermark())
        {
            assertEquals(PartitionLog.ReadStatus.OK, log.read(offset, 1 << 20, region));
            assertTrue(region.length() > 0, "no bytes at offset " + offset + " below the high watermark");
            final long before = offset;
            for (final MutableRecordBatch batch : MemoryRecords.readableRecords(bytesOf(region)).batches())
            {
                batch.ensureValid();
                if (batch.lastOffset() >= offset)
                {
                    batches.add(batch);
                    offset = batch.nextOffset();
                }
            }
            assertTrue(offset > before, "no progress at offset " + offset);
        }
        return batches;
    }

    /** Key → value of its last record (null for a tombstone), in log order: what a consumer reading from the start ends with. */
    Map<String, String> lastValuePerKey()
    {
        final Map<String, String> values = new LinkedHashMap<>();
        long previous = -1;
        for (final MutableRecordBatch batch : batches())
        {
            if (batch.isControlBatch())
            {
                continue;
            }
            for (final Record record : batch)
            {
                assertTrue(record.offset() > previous, "offsets must increase");
                previous = record.offset();
                values.put(string(record.key()), record.hasValue() ? string(record.value()) : null);
            }
        }
        return values;
    }

    /** Every record (key, value) in log order. */
    List<String> records()
    {
        final List<String> records = new ArrayList<>();
        for (final MutableRecordBatch batch : batches())
        {
            if (!batch.isControlBatch())
            {
                for (final Record record : batch)
                {
                    records.add(string(record.key()) + "=" + (record.hasValue() ? string(record.value()) : null));
                }
            }
        }
        return records;
    }

    static String string(final ByteBuffer bytes)
    {
        if (bytes == null)
        {
            return null;
        }
        final byte[] array = new byte[bytes.remaining()];
        bytes.duplicate().get(array);
        return new String(array, StandardCharsets.UTF_8);
    }

    private static ByteBuffer bytesOf(final FileRegion region)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(region.length());
        try
        {
            while (bytes.hasRemaining())
            {
                if (region.channel().read(bytes, region.position() + bytes.position()) < 0)
                {
                    throw new IllegalStateException("region runs past the end of the file");
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.flip();
    }

    List<String> files(final String suffix)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.endsWith(suffix)).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
