package io.runnel.kernel.cleaner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.Segment;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clean of one log, as Kafka's {@code Cleaner}: builds the {@link OffsetMap} over the dirty
 * range, then rewrites every sealed segment below where the map ends, in groups of at most
 * segment.bytes, each into a {@code <base>.log.cleaned} (with its sparse indexes) which is forced,
 * renamed {@code .swap} and offered to the owning shard ({@link Swapper}). Reads go through its own
 * channels on the segments' files; a segment that retention deleted meanwhile aborts the clean.
 *
 * <p>Which record stays (kafka-clients' {@link MemoryRecords#filterTo} does the rewriting, with the
 * same batch metadata, the batch's own codec and a new CRC): a keyed record stays unless the map
 * holds a newer offset for its key; a record without a key is dropped; a tombstone stays until its
 * batch's delete horizon (KIP-534: the first clean that sees a tombstone stamps its batch with
 * now + delete.retention.ms, and the first clean after that time drops it). Control batches stay.
 * The last batch of an active idempotent producer and the last batch of each group stay, emptied
 * if need be: the former keeps the producer's sequence, the latter keeps the group's next offset
 * (and so what a {@code .swap} replaces at recovery) exact. One thread only.
 */
final class Cleaner
{
    /** What the owner answered to a swap. */
    enum SwapAnswer
    {
        SWAPPED, REFUSED, UNKNOWN
    }

    /** How a finished group reaches the owning shard. */
    interface Swapper
    {
        /** Offers {@code replacement} (files renamed .swap) for {@code old}; waits for the owner's answer. */
        SwapAnswer swap(List<CleanableSegments.Sealed> old, Segment replacement);
    }

    /**
     * What a clean did.
     *
     * @param completed             every group was swapped in
     * @param firstDirtyOffset      where the next clean starts measuring dirt (the checkpoint)
     * @param earliestDeleteHorizon the earliest delete horizon left in the rewritten segments, Long.MAX_VALUE if none
     */
    record Outcome(boolean completed, long firstDirtyOffset, long earliestDeleteHorizon, long bytesRead, long bytesWritten,
        long recordsRead, long recordsRetained, int groups)
    {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);
    /** Bytes of a batch header holding its length. */
    private static final int LENGTH_END = 12;

    private final OffsetMap map;
    private final Throttler throttler;
    private final BooleanSupplier stopping;
    private final BufferSupplier decompression = BufferSupplier.create();
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;
    private long bytesRead;
    private long bytesWritten;
    private long recordsRead;
    private long recordsRetained;
    private long earliestHorizon;

    Cleaner(final OffsetMap map, final int ioBufferSize, final Throttler throttler, final BooleanSupplier stopping)
    {
        this.map = map;
        this.throttler = throttler;
        this.stopping = stopping;
        this.readBuffer = ByteBuffer.allocate(ioBufferSize);
        this.writeBuffer = ByteBuffer.allocate(ioBufferSize);
    }

    /** Cleans {@code log} as of {@code nowMs}; an aborted clean leaves no file behind and the log as it was. */
    Outcome clean(final LogToClean log, final long nowMs, final Swapper swapper) throws IOException
    {
        bytesRead = 0;
        bytesWritten = 0;
        recordsRead = 0;
        recordsRetained = 0;
        earliestHorizon = Long.MAX_VALUE;
        final long endOffset = buildOffsetMap(log);
        if (endOffset < 0)
        {
            return aborted(log);
        }
        final List<CleanableSegments.Sealed> toClean = new ArrayList<>();
        for (final CleanableSegments.Sealed segment : log.view().segments())
        {
            if (segment.baseOffset() < endOffset)
            {
                toClean.add(segment);
            }
        }
        final List<List<CleanableSegments.Sealed>> groups = groupBySize(toClean, log.view().config().segmentBytes());
        for (final List<CleanableSegments.Sealed> group : groups)
        {
            if (!cleanGroup(log, group, nowMs, swapper))
            {
                return aborted(log);
            }
        }
        return new Outcome(true, endOffset, earliestHorizon, bytesRead, bytesWritten, recordsRead, recordsRetained, groups.size());
    }

    private Outcome aborted(final LogToClean log)
    {
        return new Outcome(false, log.firstDirtyOffset(), Long.MAX_VALUE, bytesRead, bytesWritten, recordsRead, recordsRetained, 0);
    }

    /**
     * Fills the map from the dirty range, stopping before the first key that does not fit.
     *
     * @return the offset the map covers up to (the next first dirty offset), or -1 if a segment vanished
     */
    private long buildOffsetMap(final LogToClean log) throws IOException
    {
        map.clear();
        final long firstDirty = log.firstDirtyOffset();
        final long firstUncleanable = log.firstUncleanableOffset();
        // Below the first dirty offset the log is compacted already: only newer keys in the map displace its records.
        map.updateLatestOffset(firstDirty - 1);
        for (final CleanableSegments.Sealed segment : log.view().segments())
        {
            if (segment.nextOffset() <= firstDirty)
            {
                continue;
            }
            if (segment.baseOffset() >= firstUncleanable || stopping.getAsBoolean())
            {
                break;
            }
            try (FileChannel channel = open(segment))
            {
                if (channel == null)
                {
                    return -1;
                }
                int position = 0;
                while (position < segment.size())
                {
                    final MemoryRecords chunk = readChunk(channel, position, segment.size());
                    int consumed = 0;
                    for (final MutableRecordBatch batch : chunk.batches())
                    {
                        if (batch.lastOffset() >= firstDirty && !addToMap(batch, firstDirty))
                        {
                            return map.latestOffset() + 1;
                        }
                        consumed += batch.sizeInBytes();
                    }
                    if (consumed == 0)
                    {
                        throw new IOException(segment.logFile() + ": no whole batch at position " + position);
                    }
                    position += consumed;
                }
            }
        }
        return firstUncleanable;
    }

    /** @return false if the map filled up before the batch's last record. */
    private boolean addToMap(final MutableRecordBatch batch, final long firstDirty)
    {
        // Seam for transactions: batches of aborted transactions will be skipped here, as Kafka's
        // buildOffsetMapForSegment skips them (their keys must not shadow committed records).
        if (!batch.isControlBatch())
        {
            for (final Record record : batch)
            {
                if (record.hasKey() && record.offset() >= firstDirty)
                {
                    if (map.isFull())
                    {
                        return false;
                    }
                    map.put(record.key(), record.offset());
                }
            }
        }
        map.updateLatestOffset(batch.lastOffset());
        return true;
    }

    /** Kafka's groupSegmentsBySize: runs of segments whose bytes fit one segment and whose offsets fit an index. */
    static List<List<CleanableSegments.Sealed>> groupBySize(final List<CleanableSegments.Sealed> segments, final int maxBytes)
    {
        final List<List<CleanableSegments.Sealed>> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size())
        {
            final List<CleanableSegments.Sealed> group = new ArrayList<>();
            final long base = segments.get(i).baseOffset();
            long bytes = 0;
            while (i < segments.size())
            {
                final CleanableSegments.Sealed next = segments.get(i);
                final boolean fits = bytes + next.size() <= maxBytes && next.nextOffset() - 1 - base <= Integer.MAX_VALUE;
                if (!group.isEmpty() && !fits)
                {
                    break;
                }
                group.add(next);
                bytes += next.size();
                i++;
            }
            groups.add(group);
        }
        return groups;
    }

    /** Rewrites one group into a .cleaned segment, makes it a .swap and offers it; @return false if the clean must stop. */
    private boolean cleanGroup(final LogToClean log, final List<CleanableSegments.Sealed> group, final long nowMs, final Swapper swapper)
        throws IOException
    {
        final LogConfig config = log.view().config();
        final CleanableSegments.Sealed first = group.get(0);
        final Path dir = first.logFile().getParent();
        final CleanerFilter filter = new CleanerFilter(nowMs, config.deleteRetentionMs(), map, log.view().producerLastOffsets(),
            group.get(group.size() - 1).nextOffset() - 1);
        final Segment cleaned = Segment.createWithSuffix(dir, first.baseOffset(), config, nowMs, Segment.CLEANED_SUFFIX);
        boolean handedOver = false;
        try
        {
            long lastModified = 0;
            for (final CleanableSegments.Sealed segment : group)
            {
                if (stopping.getAsBoolean() || !cleanInto(segment, filter, cleaned))
                {
                    return false;
                }
                lastModified = Math.max(lastModified, lastModifiedOf(segment.logFile()));
            }
            cleaned.seal();
            cleaned.flush();
            if (lastModified > 0)
            {
                // Time retention of compact,delete topics then sees the age of the data, not of the clean.
                Files.setLastModifiedTime(cleaned.logFile(), FileTime.fromMillis(lastModified));
            }
            if (Files.exists(dir.resolve(Segment.fileName(first.baseOffset(), ".log") + Segment.SWAP_SUFFIX)))
            {
                // Another clean's swap is still on its way in: a rename now would replace its file.
                LOG.warn("{}: a swap of segment {} is still pending; discarding this clean", log.partition(), first.baseOffset());
                return false;
            }
            cleaned.renameFiles(Segment.SWAP_SUFFIX);
            forceDirectory(dir);
            final SwapAnswer answer = swapper.swap(group, cleaned);
            if (answer == SwapAnswer.UNKNOWN)
            {
                // Shutting down with the command in the owner's inbox: the files are its to use or recovery's to finish.
                handedOver = true;
                return false;
            }
            handedOver = answer == SwapAnswer.SWAPPED;
            if (!handedOver)
            {
                LOG.info("{}: the log changed during the clean (retention?); discarding the cleaned segment {}", log.partition(),
                    first.baseOffset());
            }
            return handedOver;
        }
        finally
        {
            if (!handedOver)
            {
                cleaned.closeAndDelete();
            }
        }
    }

    /** Filters one old segment's batches into {@code cleaned}; @return false if its file is gone. */
    private boolean cleanInto(final CleanableSegments.Sealed segment, final CleanerFilter filter, final Segment cleaned) throws IOException
    {
        try (FileChannel channel = open(segment))
        {
            if (channel == null)
            {
                return false;
            }
            int position = 0;
            while (position < segment.size())
            {
                final MemoryRecords chunk = readChunk(channel, position, segment.size());
                writeBuffer.clear();
                final MemoryRecords.FilterResult result = chunk.filterTo(filter, writeBuffer, decompression, Integer.MAX_VALUE);
                recordsRead += result.messagesRead();
                recordsRetained += result.messagesRetained();
                if (result.bytesRead() == 0)
                {
                    throw new IOException(segment.logFile() + ": no whole batch at position " + position);
                }
                position += result.bytesRead();
                final ByteBuffer output = result.outputBuffer();
                if (output.capacity() > writeBuffer.capacity())
                {
                    writeBuffer = output;
                }
                output.flip();
                appendBatches(output, cleaned);
            }
            return true;
        }
    }

    private void appendBatches(final ByteBuffer output, final Segment cleaned)
    {
        final int written = output.remaining();
        int position = output.position();
        for (final MutableRecordBatch batch : MemoryRecords.readableRecords(output.slice()).batches())
        {
            final ByteBuffer bytes = output.duplicate();
            bytes.position(position).limit(position + batch.sizeInBytes());
            cleaned.append(bytes, batch.lastOffset(), batch.maxTimestamp());
            if (batch.deleteHorizonMs().isPresent())
            {
                earliestHorizon = Math.min(earliestHorizon, batch.deleteHorizonMs().getAsLong());
            }
            position += batch.sizeInBytes();
        }
        bytesWritten += written;
        throttler.maybeThrottle(written, stopping);
    }

    /**
     * Reads from {@code position} as many whole batches as the read buffer holds, growing it when
     * one batch is larger than the buffer (Kafka's growBuffers).
     */
    private MemoryRecords readChunk(final FileChannel channel, final int position, final int size) throws IOException
    {
        final int batchSize = batchSizeAt(channel, position);
        if (batchSize > readBuffer.capacity())
        {
            readBuffer = ByteBuffer.allocate(batchSize);
        }
        readBuffer.clear().limit(Math.min(readBuffer.capacity(), size - position));
        while (readBuffer.hasRemaining())
        {
            if (channel.read(readBuffer, position + readBuffer.position()) < 0)
            {
                throw new IOException("segment file ended before its recorded size " + size);
            }
        }
        readBuffer.flip();
        bytesRead += readBuffer.remaining();
        throttler.maybeThrottle(readBuffer.remaining(), stopping);
        return MemoryRecords.readableRecords(readBuffer);
    }

    private static int batchSizeAt(final FileChannel channel, final int position) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(LENGTH_END);
        while (header.hasRemaining())
        {
            if (channel.read(header, position + header.position()) < 0)
            {
                throw new IOException("truncated batch header at " + position);
            }
        }
        final int size = header.getInt(8) + LENGTH_END;
        if (size < LENGTH_END)
        {
            throw new IOException("corrupt batch length at " + position);
        }
        return size;
    }

    /** @return a read channel on the segment's file, or null if retention has deleted or renamed it meanwhile. */
    private static FileChannel open(final CleanableSegments.Sealed segment) throws IOException
    {
        try
        {
            return FileChannel.open(segment.logFile(), StandardOpenOption.READ);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    private static long lastModifiedOf(final Path file)
    {
        try
        {
            return Files.getLastModifiedTime(file).toMillis();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /** Makes the renames in {@code dir} durable (they are, against a process crash, without it; a power loss needs this). */
    private static void forceDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force directory " + dir, ex);
        }
    }

    /** Kafka's RecordFilter of the cleaner, over this clean's map. */
    static final class CleanerFilter extends MemoryRecords.RecordFilter
    {
        private final OffsetMap map;
        private final Map<Long, Long> producerLastOffsets;
        private final long groupLastOffset;

        CleanerFilter(final long nowMs, final long deleteRetentionMs, final OffsetMap map, final Map<Long, Long> producerLastOffsets,
            final long groupLastOffset)
        {
            super(nowMs, deleteRetentionMs);
            this.map = map;
            this.producerLastOffsets = producerLastOffsets;
            this.groupLastOffset = groupLastOffset;
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(final RecordBatch batch)
        {
            // Seam for transactions: Kafka's shouldDiscardBatch (the batch belongs to an aborted
            // transaction, or is the marker of a transaction with nothing left) goes here; until then
            // nothing is discarded as a whole and control batches stay.
            final boolean lastOfProducer = batch.hasProducerId() &&
                Long.valueOf(batch.lastOffset()).equals(producerLastOffsets.get(batch.producerId()));
            final boolean lastOfGroup = batch.lastOffset() == groupLastOffset;
            final BatchRetention retention = lastOfProducer || lastOfGroup ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY;
            return new BatchRetentionResult(retention, false);
        }

        @Override
        protected boolean shouldRetainRecord(final RecordBatch batch, final Record record)
        {
            if (batch.isControlBatch() || record.offset() > map.latestOffset())
            {
                return true;
            }
            if (!record.hasKey())
            {
                return false;
            }
            final boolean newestOfKey = record.offset() >= map.get(record.key());
            final boolean keepTombstone = batch.deleteHorizonMs().isEmpty() || currentTime < batch.deleteHorizonMs().getAsLong();
            return newestOfKey && (record.hasValue() || keepTombstone);
        }
    }
}
