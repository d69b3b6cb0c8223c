package io.runnel.broker.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.batch.RecordBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Walks the batches of one {@code .log} file from its start, checking each (length, magic, CRC32C,
 * codec, offsets). A batch that fails its CRC is reported and the walk goes on, since its length is
 * still the way to the next one; a length that cannot be right or a batch cut off by the end of
 * the file (a torn write) ends the walk. Problems are reported to the listener, never thrown.
 */
final class LogFileScan
{
    /** What a scan tells its caller, batch by batch, in file order. */
    interface Listener
    {
        /** {@code bytes} holds exactly the batch and is valid only during the call. */
        void batch(BatchSummary batch, ByteBuffer bytes);

        void problem(String kind, String text);
    }

    private final List<BatchSummary> batches = new ArrayList<>();
    private final long baseOffset;
    private long fileSize;
    private long validBytes;

    private LogFileScan(final long baseOffset)
    {
        this.baseOffset = baseOffset;
    }

    /** The segment's base offset from a name like {@code 00000000000000001234.log}, or -1 for another name. */
    static long baseOffsetOf(final Path file)
    {
        final String name = file.getFileName().toString();
        final int dot = name.indexOf('.');
        try
        {
            return Long.parseLong(dot < 0 ? name : name.substring(0, dot));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    static LogFileScan scan(final Path file, final Listener listener) throws IOException
    {
        final LogFileScan scan = new LogFileScan(baseOffsetOf(file));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            scan.walk(channel, listener);
        }
        return scan;
    }

    private void walk(final FileChannel channel, final Listener listener) throws IOException
    {
        fileSize = channel.size();
        final ByteBuffer prefix = ByteBuffer.allocate(RecordBatch.LOG_OVERHEAD);
        ByteBuffer bytes = ByteBuffer.allocate(64 * 1024);
        final RecordBatch header = new RecordBatch();
        long previousLastOffset = -1;
        long position = 0;
        while (position < fileSize)
        {
            final long remaining = fileSize - position;
            if (remaining < RecordBatch.LOG_OVERHEAD)
            {
                listener.problem("torn", "position " + position + ": " + remaining +
                    " bytes after the last batch, fewer than a batch's offset and length");
                return;
            }
            readFully(channel, prefix.clear(), position);
            final int batchLength = prefix.getInt(8);
            final long size = (long)batchLength + RecordBatch.LOG_OVERHEAD;
            if (batchLength < RecordBatch.MIN_BATCH_LENGTH)
            {
                listener.problem("corrupt", "position " + position + ": batch length " + batchLength +
                    " is below the smallest batch (" + RecordBatch.MIN_BATCH_LENGTH + "); the rest of the file cannot be walked");
                return;
            }
            if (size > Integer.MAX_VALUE)
            {
                listener.problem("corrupt", "position " + position + ": batch length " + batchLength +
                    " is larger than any batch can be; the rest of the file cannot be walked");
                return;
            }
            if (size > remaining)
            {
                listener.problem("torn", "position " + position + ": the batch at offset " + prefix.getLong(0) +
                    " declares " + size + " bytes but only " + remaining + " remain in the file");
                return;
            }
            if (bytes.capacity() < size)
            {
                bytes = ByteBuffer.allocate((int)size);
            }
            bytes.clear().limit((int)size);
            readFully(channel, bytes, position);
            bytes.flip();
            header.wrap(new UnsafeBuffer(bytes, 0, (int)size), 0);
            if (header.magic() != RecordBatch.MAGIC_V2)
            {
                listener.problem("corrupt", "position " + position + ": magic " + header.magic() +
                    " where a v2 batch (magic 2) must be; the rest of the file cannot be trusted");
                return;
            }
            final BatchSummary batch = BatchSummary.of((int)position, header, header.isControl() ? controlType(bytes) : null);
            checkBatch(batch, previousLastOffset, listener);
            batches.add(batch);
            listener.batch(batch, bytes.duplicate());
            previousLastOffset = Math.max(previousLastOffset, batch.lastOffset());
            position += size;
            validBytes = position;
        }
    }

    private void checkBatch(final BatchSummary batch, final long previousLastOffset, final Listener listener)
    {
        final String at = "position " + batch.position() + " (offsets " + batch.baseOffset() + ".." + batch.lastOffset() + "): ";
        if (!batch.crcValid())
        {
            listener.problem("corrupt", at + "stored CRC " + Integer.toUnsignedLong(batch.storedCrc()) +
                " but the bytes give " + Integer.toUnsignedLong(batch.computedCrc()));
        }
        if (!batch.knownCodec())
        {
            listener.problem("corrupt", at + "unknown compression codec id " + batch.compressionId());
        }
        if (batch.lastOffset() < batch.baseOffset())
        {
            listener.problem("corrupt", at + "last offset below the base offset");
        }
        if (batch.baseOffset() <= previousLastOffset)
        {
            // Compaction may leave gaps between batches, never an overlap or a step back.
            listener.problem("corrupt", at + "base offset not above the previous batch's last offset " + previousLastOffset);
        }
        if (baseOffset >= 0 && batch.baseOffset() < baseOffset)
        {
            listener.problem("corrupt", at + "below the segment's base offset " + baseOffset);
        }
    }

    /** The control record type (COMMIT, ABORT, ...) of a control batch, from its first record's key. */
    private static String controlType(final ByteBuffer bytes)
    {
        try
        {
            for (final MutableRecordBatch batch : MemoryRecords.readableRecords(bytes.duplicate()).batches())
            {
                for (final Record record : batch)
                {
                    return record.hasKey() ? ControlRecordType.parse(record.key()).name() : "no key";
                }
            }
            return "no record";
        }
        catch (final RuntimeException ex)
        {
            return "unreadable (" + ex.getMessage() + ")";
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer target, final long position) throws IOException
    {
        long at = position;
        while (target.hasRemaining())
        {
            final int read = channel.read(target, at);
            if (read < 0)
            {
                throw new IOException("the file shrank while it was read, at position " + at);
            }
            at += read;
        }
    }

    List<BatchSummary> batches()
    {
        return batches;
    }

    long baseOffset()
    {
        return baseOffset;
    }

    long fileSize()
    {
        return fileSize;
    }

    /** Bytes from the start of the file up to the end of the last batch that could be walked. */
    long validBytes()
    {
        return validBytes;
    }
}
