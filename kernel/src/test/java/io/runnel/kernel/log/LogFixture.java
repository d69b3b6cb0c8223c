package io.runnel.kernel.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.runnel.codecs.batch.RecordBatch;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builds real batches with kafka-clients, appends them off-heap and reads logs back through their file regions. */
final class LogFixture
{
    static final long T0 = 1_700_000_000_000L;
    static final int MAX_INDEX_BYTES = 4096;

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

    private LogFixture()
    {
    }

    static LogConfig config(final int segmentBytes, final int indexIntervalBytes, final FlushPolicy policy)
    {
        return LogConfig.defaults().withSegmentBytes(segmentBytes).withIndexIntervalBytes(indexIntervalBytes)
            .withMaxIndexBytes(MAX_INDEX_BYTES).withFlushPolicy(policy);
    }

    static SimpleRecord[] records(final int count, final long firstTimestamp, final String tag)
    {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new SimpleRecord(firstTimestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                (tag + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    static MemoryRecords batch(final int count)
    {
        return MemoryRecords.withRecords(Compression.NONE, records(count, T0, "v"));
    }

    static MemoryRecords batchWithTimestamps(final long... timestamps)
    {
        final SimpleRecord[] records = new SimpleRecord[timestamps.length];
        for (int i = 0; i < timestamps.length; i++)
        {
            records[i] = new SimpleRecord(timestamps[i], null, ("ts-" + timestamps[i]).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    static MemoryRecords idempotent(final long producerId, final short epoch, final int baseSequence, final int count)
    {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence,
            records(count, T0, "p" + producerId + "e" + epoch + "s" + baseSequence));
    }

    /** Copies the batch off-heap, wraps it with the flyweight and appends it, as a shard would. */
    static PartitionLog.AppendStatus append(final PartitionLog log, final MemoryRecords records)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(records.sizeInBytes());
        direct.put(records.buffer()).flip();
        final RecordBatch batch = new RecordBatch().wrap(new UnsafeBuffer(direct), 0);
        return log.append(batch, direct);
    }

    static long appendOk(final PartitionLog log, final MemoryRecords records)
    {
        assertEquals(PartitionLog.AppendStatus.APPENDED, append(log, records));
        return log.lastBaseOffset();
    }

    static ByteBuffer bytesOf(final FileRegion region)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(region.length());
        try
        {
            while (bytes.hasRemaining())
            {
                final int read = region.channel().read(bytes, region.position() + bytes.position());
                if (read < 0)
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

    static List<MutableRecordBatch> batchesOf(final FileRegion region)
    {
        final List<MutableRecordBatch> batches = new ArrayList<>();
        MemoryRecords.readableRecords(bytesOf(region)).batches().forEach(batches::add);
        return batches;
    }

    /** Consumes the log from {@code from} to the high watermark the way a consumer does; every batch must be intact. */
    static List<Record> consume(final PartitionLog log, final long from, final int maxBytes)
    {
        final List<Record> records = new ArrayList<>();
        final FileRegion region = new FileRegion();
        long offset = from;
        while (offset < log.highWatermark())
        {
            assertEquals(PartitionLog.ReadStatus.OK, log.read(offset, maxBytes, region));
            assertTrue(region.length() > 0, "no bytes at offset " + offset + " below the high watermark");
            final List<MutableRecordBatch> batches = batchesOf(region);
            assertTrue(!batches.isEmpty(), "no whole batch at offset " + offset);
            for (final MutableRecordBatch batch : batches)
            {
                batch.ensureValid();
                for (final Record record : batch)
                {
                    if (record.offset() >= offset)
                    {
                        records.add(record);
                    }
                }
                offset = Math.max(offset, batch.nextOffset());
            }
        }
        return records;
    }

    static List<Long> offsets(final List<Record> records)
    {
        final List<Long> offsets = new ArrayList<>();
        records.forEach(r -> offsets.add(r.offset()));
        return offsets;
    }

    static List<Long> range(final long from, final long to)
    {
        final List<Long> offsets = new ArrayList<>();
        for (long o = from; o < to; o++)
        {
            offsets.add(o);
        }
        return offsets;
    }

    static List<Path> files(final Path dir, final String suffix)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static Path activeSegmentFile(final Path dir)
    {
        final List<Path> logs = files(dir, ".log");
        return logs.get(logs.size() - 1);
    }

    static void appendToFile(final Path file, final byte[] bytes)
    {
        try
        {
            Files.write(file, bytes, StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void flipByte(final Path file, final long position)
    {
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ 0x5A)).rewind();
            channel.write(one, position);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** The bytes a producer would send, with the base offset already stamped as the log would. */
    static byte[] stampedBytes(final MemoryRecords records, final long baseOffset)
    {
        final ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
        copy.put(records.buffer()).flip();
        copy.putLong(0, baseOffset);
        return copy.array();
    }
}
