package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

import io.runnel.codecs.batch.RecordBatch;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One segment of a partition log: {@code <baseOffset>.log} holding RecordBatch v2 bytes exactly as
 * appended, with its {@code .index} (offset → position) and {@code .timeindex}. Only the owning
 * shard's thread calls its methods; other threads may only read file regions it handed out, and
 * {@link PageCacheWriteback}'s thread may call {@link #writeBack()}.
 */
public final class Segment implements AutoCloseable
{
    /** Bytes of a batch header needed to walk the log: baseOffset .. lastOffsetDelta. */
    static final int WALK_HEADER_BYTES = 27;
    private static final int BATCH_LENGTH_OFFSET = 8;
    private static final int MAGIC_OFFSET = 16;
    private static final int LAST_OFFSET_DELTA_OFFSET = 23;
    private static final int MAX_TIMESTAMP_OFFSET = 35;

    /** Appended to a segment's three file names once it is deleted: reads in flight may still use it. */
    public static final String DELETED_SUFFIX = ".deleted";
    /** A compaction's output while it is written; deleted at load (see {@link SwapRecovery}). */
    public static final String CLEANED_SUFFIX = ".cleaned";
    /** A compaction's finished, forced output: at load it replaces the segments it covers (see {@link SwapRecovery}). */
    public static final String SWAP_SUFFIX = ".swap";

    private final long baseOffset;
    private Path logFile;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final int indexIntervalBytes;
    private final long createdMs;
    /**
     * Opened as the active segment: its offsets follow each other without gaps. Sealed segments and
     * a compaction's output ({@link #createWithSuffix}) may have gaps.
     */
    private final boolean contiguous;
    /** Bytes read at once when walking batch headers: an index interval (4 KiB by default) and then some. */
    private static final int SCAN_BYTES = 16 * 1024;

    private final ByteBuffer headerBytes = BufferUtil.allocateDirectAligned(RecordBatch.HEADER_SIZE, 8);
    private final UnsafeBuffer header = new UnsafeBuffer(headerBytes);
    /** A window of the file for walking headers with one read instead of one per batch; never past final bytes. */
    private ByteBuffer scanBytes;
    private UnsafeBuffer scan;
    private long scanStart = -1;
    private int scanLength;
    private int lastFoundBatchSize;
    private int size;
    private int bytesSinceLastIndexEntry;
    private long nextOffset;
    private long maxTimestamp = -1;
    private long offsetOfMaxTimestamp = -1;
    /** preallocate: the active segment's file is allocated (zeros written) ahead of its data, up to {@link #allocatedEnd}. */
    private boolean preallocating;
    private long allocatedEnd;
    private final int segmentBytes;
    /** Bytes appended since this segment was last handed to {@link PageCacheWriteback}. */
    private long appendedSinceWriteback;
    /** True from a handover to {@link PageCacheWriteback} until its thread takes it up. */
    private final AtomicBoolean writebackQueued = new AtomicBoolean();

    /** Allocated ahead in steps of this: one write of zeros per MiB of log, and never more than a MiB unused. */
    static final int PREALLOCATE_CHUNK_BYTES = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(PREALLOCATE_CHUNK_BYTES).asReadOnlyBuffer();

    private Segment(final Path dir, final long baseOffset, final LogConfig config, final boolean active, final long createdMs)
    {
        this(dir, baseOffset, config, active, createdMs, "");
    }

    private Segment(final Path dir, final long baseOffset, final LogConfig config, final boolean active, final long createdMs,
        final String suffix)
    {
        this.baseOffset = baseOffset;
        this.logFile = dir.resolve(fileName(baseOffset, ".log") + suffix);
        this.indexIntervalBytes = config.indexIntervalBytes();
        this.createdMs = createdMs;
        this.contiguous = active && suffix.isEmpty();
        this.segmentBytes = config.segmentBytes();
        this.preallocating = active && config.preallocate();
        try
        {
            channel = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            size = (int)Math.min(channel.size(), Integer.MAX_VALUE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open segment " + logFile, ex);
        }
        OffsetIndex offsets = null;
        try
        {
            offsets = new OffsetIndex(dir.resolve(fileName(baseOffset, ".index") + suffix), baseOffset, config.maxIndexBytes(), active);
            timeIndex = new TimeIndex(dir.resolve(fileName(baseOffset, ".timeindex") + suffix), baseOffset, config.maxIndexBytes(), active);
        }
        catch (final UncheckedIOException ex)
        {
            // A roll on a full disk (or an unreadable index at start-up): leave no open file behind.
            closeQuietly(offsets, ex);
            try
            {
                channel.close();
            }
            catch (final IOException closeFailure)
            {
                ex.addSuppressed(closeFailure);
            }
            throw ex;
        }
        offsetIndex = offsets;
        nextOffset = baseOffset;
    }

    private static void closeQuietly(final MappedIndex index, final RuntimeException failure)
    {
        if (index != null)
        {
            try
            {
                index.closeAndDiscard();
            }
            catch (final RuntimeException ex)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    /**
     * Creates an empty active segment.
     *
     * @throws UncheckedIOException if its files cannot be created (a roll on a full disk): the files
     * this attempt left are removed, so that a later start never takes them for the log's end.
     */
    public static Segment create(final Path dir, final long baseOffset, final LogConfig config, final long nowMs)
    {
        final Segment segment;
        try
        {
            segment = new Segment(dir, baseOffset, config, true, nowMs);
        }
        catch (final UncheckedIOException ex)
        {
            for (final String suffix : new String[] {".log", ".index", ".timeindex"})
            {
                try
                {
                    Files.deleteIfExists(dir.resolve(fileName(baseOffset, suffix)));
                }
                catch (final IOException deleteFailure)
                {
                    ex.addSuppressed(deleteFailure);
                }
            }
            throw ex;
        }
        segment.truncateTo(0);
        return segment;
    }

    /**
     * A new, empty segment whose three files carry {@code suffix} ({@link #CLEANED_SUFFIX}): the
     * cleaner writes a compacted segment into it, off the owner's thread, before handing it over.
     */
    public static Segment createWithSuffix(final Path dir, final long baseOffset, final LogConfig config, final long nowMs,
        final String suffix)
    {
        final Segment segment = new Segment(dir, baseOffset, config, true, nowMs, suffix);
        segment.truncateTo(0);
        return segment;
    }

    /**
     * Opens an existing segment. Its next offset and indexes are taken from the files as they are
     * (an inconsistent index is rebuilt); with {@code willRecover} the caller is about to run
     * {@link #recover()} anyway (unclean shutdown), so nothing is read here.
     */
    public static Segment open(final Path dir, final long baseOffset, final LogConfig config, final boolean active,
        final long nowMs, final boolean willRecover)
    {
        final Segment segment = new Segment(dir, baseOffset, config, active, nowMs);
        if (willRecover)
        {
            return segment;
        }
        if (!segment.offsetIndex.isConsistentWith(segment.size) || !segment.loadTail())
        {
            segment.recover();
        }
        return segment;
    }

    public static String fileName(final long offset, final String suffix)
    {
        return String.format("%020d%s", offset, suffix);
    }

    /**
     * Finds the next offset and max timestamp by walking headers from the last index entry.
     *
     * @return false if the walk ended before the end of the file (a torn tail a failed write left
     * behind, even after a clean shutdown): the caller recovers the segment.
     */
    private boolean loadTail()
    {
        int position = offsetIndex.entries() == 0 ? 0 : offsetIndex.filePositionAt(offsetIndex.entries() - 1);
        maxTimestamp = timeIndex.lastTimestamp();
        offsetOfMaxTimestamp = timeIndex.entries() == 0 ? -1 : timeIndex.offsetAt(timeIndex.entries() - 1);
        while (position < size && readHeader(position, RecordBatch.HEADER_SIZE))
        {
            final int batchSize = header.getInt(BATCH_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) + RecordBatch.LOG_OVERHEAD;
            if (batchSize < RecordBatch.HEADER_SIZE || position + batchSize > size)
            {
                break;
            }
            final long lastOffset = header.getLong(0, ByteOrder.BIG_ENDIAN) + header.getInt(LAST_OFFSET_DELTA_OFFSET, ByteOrder.BIG_ENDIAN);
            nextOffset = lastOffset + 1;
            trackMaxTimestamp(header.getLong(MAX_TIMESTAMP_OFFSET, ByteOrder.BIG_ENDIAN), lastOffset);
            position += batchSize;
        }
        return position == size;
    }

    /**
     * Validates every batch (size, magic, CRC32C, increasing offsets), truncates the file at the
     * first one that fails, and rebuilds both indexes.
     *
     * <p>The active segment's offsets must also be contiguous; a sealed segment's may have the gaps
     * compaction leaves.
     *
     * @return the number of bytes cut off the end.
     */
    public int recover()
    {
        return recover(!contiguous);
    }

    /** As {@link #recover()}, for a segment a compaction wrote: offsets increase, with gaps. */
    public int recoverCompacted()
    {
        return recover(true);
    }

    private int recover(final boolean gapsAllowed)
    {
        offsetIndex.reset();
        timeIndex.reset();
        bytesSinceLastIndexEntry = 0;
        maxTimestamp = -1;
        offsetOfMaxTimestamp = -1;
        nextOffset = baseOffset;
        final RecordBatch batch = new RecordBatch();
        ByteBuffer batchBytes = ByteBuffer.allocateDirect(64 * 1024);
        int position = 0;
        while (position + RecordBatch.HEADER_SIZE <= size)
        {
            if (!readHeader(position, RecordBatch.HEADER_SIZE))
            {
                break;
            }
            final int batchSize = header.getInt(BATCH_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) + RecordBatch.LOG_OVERHEAD;
            final long batchBase = header.getLong(0, ByteOrder.BIG_ENDIAN);
            if (header.getByte(MAGIC_OFFSET) != RecordBatch.MAGIC_V2 || batchSize < RecordBatch.HEADER_SIZE ||
                batchSize > size - position || batchBase < nextOffset || (batchBase != nextOffset && !gapsAllowed))
            {
                break;
            }
            if (batchBytes.capacity() < batchSize)
            {
                batchBytes = ByteBuffer.allocateDirect(Integer.highestOneBit(batchSize) << 1);
            }
            batchBytes.clear().limit(batchSize);
            if (!readFully(batchBytes, position))
            {
                break;
            }
            batch.wrap(new UnsafeBuffer(batchBytes, 0, batchSize), 0);
            if (batch.computeCrc() != batch.crc())
            {
                break;
            }
            indexBatch(batch.lastOffset(), batch.maxTimestamp(), position, batchSize);
            nextOffset = batch.lastOffset() + 1;
            position += batchSize;
        }
        final int truncated = size - position;
        if (truncated > 0)
        {
            truncateFile(position);
        }
        return truncated;
    }

    /**
     * Appends one batch whose bytes lie between the buffer's position and limit.
     *
     * @throws UncheckedIOException if the write fails (ENOSPC, EIO): the segment's size, offsets
     * and indexes are as before, but the file may hold part of the batch past {@link #size()};
     * {@link #truncateTail()} cuts it off.
     */
    public void append(final ByteBuffer bytes, final long lastOffset, final long batchMaxTimestamp)
    {
        final int position = size;
        final int length = bytes.remaining();
        // Index space first: its pages are stored through a mapping, where a full disk would be a SIGBUS.
        offsetIndex.ensureRoomForEntry();
        timeIndex.ensureRoomForEntry();
        if (preallocating && position + length > allocatedEnd)
        {
            allocateAhead(position + length);
        }
        long written = 0;
        try
        {
            while (bytes.hasRemaining())
            {
                written += channel.write(bytes, position + written);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("append of " + length + " bytes at position " + position + " of " + logFile + " failed", ex);
        }
        indexBatch(lastOffset, batchMaxTimestamp, position, length);
        size += length;
        nextOffset = lastOffset + 1;
        appendedSinceWriteback += length;
    }

    /**
     * Owner thread: claims this segment for a writeback once {@code thresholdBytes} were appended
     * since the last claim and no writeback is queued for it already.
     *
     * @return true if the caller must now queue it (and call {@link #writebackNotQueued} if it cannot)
     */
    boolean claimWriteback(final int thresholdBytes)
    {
        if (appendedSinceWriteback < thresholdBytes || !writebackQueued.compareAndSet(false, true))
        {
            return false;
        }
        appendedSinceWriteback = 0;
        return true;
    }

    /** A claimed writeback was not queued, or its thread took it up: the next claim may queue it again. */
    void writebackNotQueued()
    {
        writebackQueued.set(false);
    }

    /**
     * The writeback thread's call: forces this file's data (fdatasync), so the kernel writes it now, a
     * few MiB at a time, instead of all that is 30 s old at once. A segment closed meanwhile has nothing
     * left to write.
     *
     * @throws IOException if the write fails (EIO, ENOSPC on a thin disk)
     */
    void writeBack() throws IOException
    {
        try
        {
            channel.force(false);
        }
        catch (final ClosedChannelException closed)
        {
            // closed (deleted, compacted away or shut down): the close wrote or discarded what was left
        }
    }

    /**
     * preallocate: writes zeros from the allocated end to a chunk past {@code end} (not past the
     * segment's size limit unless the batch itself is), so the appends after it overwrite blocks the
     * file system has already allocated and an fdatasync has no allocation to record.
     */
    private void allocateAhead(final long end)
    {
        final long from = Math.max(allocatedEnd, size);
        final long to = Math.max(end, Math.min(from + PREALLOCATE_CHUNK_BYTES, segmentBytes));
        final ByteBuffer zeros = ZEROS.duplicate();
        try
        {
            long at = from;
            while (at < to)
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), to - at));
                at += channel.write(zeros, at);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot preallocate " + (to - from) + " bytes in " + logFile, ex);
        }
        allocatedEnd = to;
    }

    /**
     * Index entries name a batch by its last offset, as Kafka's do (its LogSegment appends the
     * largest offset of what it wrote): Kafka's own tools read our indexes, and any offset of a batch
     * finds that batch by the same floor search and forward scan either way.
     */
    private void indexBatch(final long batchLastOffset, final long batchMaxTimestamp, final int position, final int length)
    {
        if (bytesSinceLastIndexEntry >= indexIntervalBytes || offsetIndex.entries() == 0)
        {
            if (!offsetIndex.isFull())
            {
                offsetIndex.ensureRoomForEntry();
                offsetIndex.append(batchLastOffset, position);
            }
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += length;
        if (batchMaxTimestamp > maxTimestamp && !timeIndex.isFull())
        {
            timeIndex.ensureRoomForEntry();
            timeIndex.maybeAppend(batchMaxTimestamp, batchLastOffset);
        }
        trackMaxTimestamp(batchMaxTimestamp, batchLastOffset);
    }

    private void trackMaxTimestamp(final long timestamp, final long batchLastOffset)
    {
        if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
            offsetOfMaxTimestamp = batchLastOffset;
        }
    }

    /**
     * @return the file position of the first batch that holds an offset at or after {@code offset},
     * or -1 if there is none below {@code endPosition}. Its size is then {@link #lastFoundBatchSize()}.
     */
    public int positionOf(final long offset, final int endPosition)
    {
        int position = offsetIndex.floorPosition(offset);
        while (position + WALK_HEADER_BYTES <= endPosition)
        {
            if (!ensureScanned(position, endPosition))
            {
                return -1;
            }
            final int at = (int)(position - scanStart);
            final int batchSize = scan.getInt(at + BATCH_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) + RecordBatch.LOG_OVERHEAD;
            final long lastOffset = scan.getLong(at, ByteOrder.BIG_ENDIAN) + scan.getInt(at + LAST_OFFSET_DELTA_OFFSET, ByteOrder.BIG_ENDIAN);
            if (batchSize < RecordBatch.HEADER_SIZE)
            {
                return -1;
            }
            if (lastOffset >= offset)
            {
                lastFoundBatchSize = batchSize;
                return position;
            }
            position += batchSize;
        }
        return -1;
    }

    public int lastFoundBatchSize()
    {
        return lastFoundBatchSize;
    }

    /** Makes sure the walk header at {@code position} is in the scan window, reading at most up to {@code endPosition}. */
    private boolean ensureScanned(final int position, final int endPosition)
    {
        if (scanStart >= 0 && position >= scanStart && position + WALK_HEADER_BYTES <= scanStart + scanLength)
        {
            return true;
        }
        if (scanBytes == null)
        {
            scanBytes = BufferUtil.allocateDirectAligned(SCAN_BYTES, 64);
            scan = new UnsafeBuffer(scanBytes);
        }
        final int length = Math.min(SCAN_BYTES, endPosition - position);
        scanBytes.clear().limit(length);
        scanStart = -1;
        if (!readFully(scanBytes, position))
        {
            return false;
        }
        scanStart = position;
        scanLength = length;
        return true;
    }

    /** Size of the batch at {@code position}, read from its header. */
    public int batchSizeAt(final int position)
    {
        if (!readHeader(position, RecordBatch.LOG_OVERHEAD))
        {
            return -1;
        }
        return header.getInt(BATCH_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN) + RecordBatch.LOG_OVERHEAD;
    }

    /**
     * Reads the 61-byte header of the batch at {@code position} into a flyweight owned by this
     * segment; valid until the next call on this segment.
     */
    public RecordBatch headerAt(final int position, final RecordBatch flyweight)
    {
        if (!readHeader(position, RecordBatch.HEADER_SIZE))
        {
            return null;
        }
        return flyweight.wrap(header, 0);
    }

    /** Reads the whole batch at {@code position} into a new heap buffer (control-plane use only). */
    public ByteBuffer readBatch(final int position)
    {
        final int batchSize = batchSizeAt(position);
        if (batchSize < RecordBatch.HEADER_SIZE || position + batchSize > size)
        {
            return null;
        }
        final ByteBuffer bytes = ByteBuffer.allocate(batchSize);
        return readFully(bytes, position) ? bytes.flip() : null;
    }

    public long timeIndexScanStart(final long timestamp)
    {
        return timeIndex.scanStartFor(timestamp);
    }

    private boolean readHeader(final int position, final int length)
    {
        headerBytes.clear().limit(length);
        return readFully(headerBytes, position);
    }

    private boolean readFully(final ByteBuffer target, final long position)
    {
        try
        {
            long at = position;
            while (target.hasRemaining())
            {
                final int read = channel.read(target, at);
                if (read < 0)
                {
                    return false;
                }
                at += read;
            }
            return true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("read of " + logFile + " failed", ex);
        }
    }

    /** Drops every batch at or after {@code offset} (a torn tail, or replication truncation later). */
    public void truncateTo(final long offset)
    {
        if (offset <= baseOffset)
        {
            offsetIndex.reset();
            timeIndex.reset();
            truncateFile(0);
            nextOffset = baseOffset;
            maxTimestamp = -1;
            offsetOfMaxTimestamp = -1;
            return;
        }
        final int position = positionOf(offset, size);
        if (position >= 0)
        {
            truncateFile(position);
            recover();
        }
    }

    /**
     * Forgets every batch from file position {@code position} on, whose first offset is
     * {@code newNextOffset} (appends whose fsync failed): in memory at once, in the file if it can
     * be truncated.
     *
     * @return false if the file could not be truncated: {@link #truncateTail()} retries.
     */
    public boolean rollBackTo(final int position, final long newNextOffset)
    {
        size = position;
        nextOffset = newNextOffset;
        scanStart = -1;
        offsetIndex.truncateToPosition(position);
        timeIndex.truncateToOffset(newNextOffset);
        final int indexed = offsetIndex.entries();
        bytesSinceLastIndexEntry = indexed == 0 ? 0 : position - offsetIndex.filePositionAt(indexed - 1);
        maxTimestamp = timeIndex.lastTimestamp();
        offsetOfMaxTimestamp = timeIndex.entries() == 0 ? -1 : timeIndex.offsetAt(timeIndex.entries() - 1);
        return truncateTail();
    }

    /**
     * Cuts the file back to {@link #size()}, the end of the last batch fully written: what a
     * failed append may have left past it goes.
     *
     * @return false if the truncation failed too (the tail stays until a retry or the next start's recovery).
     */
    public boolean truncateTail()
    {
        try
        {
            if (channel.size() > size)
            {
                channel.truncate(size);
            }
            allocatedEnd = Math.min(allocatedEnd, size);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private void truncateFile(final int position)
    {
        try
        {
            channel.truncate(position);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot truncate " + logFile, ex);
        }
        size = position;
        allocatedEnd = Math.min(allocatedEnd, position);
        scanStart = -1;
        offsetIndex.truncateToPosition(position);
        timeIndex.truncateToOffset(nextOffset);
        bytesSinceLastIndexEntry = 0;
    }

    public void flush()
    {
        try
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("fsync of " + logFile + " failed", ex);
        }
        offsetIndex.flush();
        timeIndex.flush();
    }

    /**
     * The segment stops being active: indexes are trimmed to their entries and a preallocated log
     * file to its data, so that a sealed segment's files hold exactly what Kafka's tools expect.
     */
    public void seal()
    {
        if (preallocating && !truncateTail())
        {
            throw new UncheckedIOException(new IOException("cannot trim preallocated " + logFile + " to " + size + " bytes"));
        }
        preallocating = false;
        offsetIndex.trimToEntries();
        timeIndex.trimToEntries();
    }

    public boolean isIndexFull()
    {
        return offsetIndex.isFull() || timeIndex.isFull();
    }

    public long baseOffset()
    {
        return baseOffset;
    }

    public long nextOffset()
    {
        return nextOffset;
    }

    public int size()
    {
        return size;
    }

    public long createdMs()
    {
        return createdMs;
    }

    public long maxTimestamp()
    {
        return maxTimestamp;
    }

    /** @return the last offset of the first batch that holds the segment's max timestamp, or -1. */
    public long offsetOfMaxTimestamp()
    {
        return offsetOfMaxTimestamp;
    }

    public FileChannel channel()
    {
        return channel;
    }

    /** Closes the files; a preallocated log file is trimmed to its data first (if that fails, the next start's walk finds the zeros and recovers). */
    @Override
    public void close()
    {
        if (preallocating)
        {
            truncateTail();
        }
        // Every file is closed even if trimming one fails (a failing disk at shutdown); the first failure is thrown.
        UncheckedIOException failure = null;
        for (final MappedIndex index : new MappedIndex[] {offsetIndex, timeIndex})
        {
            try
            {
                index.close();
            }
            catch (final UncheckedIOException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            failure = failure == null ? new UncheckedIOException("cannot close " + logFile, ex) : failure;
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * Renames the segment's three files by appending {@code suffix} to their live names (or, with
     * "", back to the live names). Open channels and mappings follow the files, so reads in flight
     * go on. Not the owner's hot path: the conductor renames segments the owner has let go of.
     */
    public void renameFiles(final String suffix)
    {
        final Path dir = logFile.getParent();
        try
        {
            Files.move(logFile, dir.resolve(fileName(baseOffset, ".log") + suffix), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rename " + logFile, ex);
        }
        logFile = dir.resolve(fileName(baseOffset, ".log") + suffix);
        offsetIndex.renameTo(dir.resolve(fileName(baseOffset, ".index") + suffix));
        timeIndex.renameTo(dir.resolve(fileName(baseOffset, ".timeindex") + suffix));
    }

    /** The partition's directory was renamed: the same files, open as they were, under {@code newDir}. */
    void relocate(final Path newDir)
    {
        logFile = newDir.resolve(logFile.getFileName());
        offsetIndex.relocate(newDir);
        timeIndex.relocate(newDir);
    }

    /** The segment's .log file under its current name. */
    public Path logFile()
    {
        return logFile;
    }

    /** When the .log file was last written, for time retention of a segment without timestamps; 0 if unknown. */
    public long lastModifiedMs()
    {
        try
        {
            return Files.getLastModifiedTime(logFile).toMillis();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /** Closes the segment and deletes its files under their current names (after a rename too). */
    public void closeAndDelete()
    {
        offsetIndex.closeAndDiscard();
        timeIndex.closeAndDiscard();
        try
        {
            channel.close();
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(offsetIndex.file());
            Files.deleteIfExists(timeIndex.file());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + logFile, ex);
        }
    }
}
