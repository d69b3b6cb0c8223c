package io.runnel.codecs.batch;

import java.io.IOException;
import java.io.InputStream;

import io.runnel.codecs.Varints;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The records section of one batch, read front to back by {@link BatchValidator}'s record walk:
 * in place from the frame (an uncompressed batch), or from a stream (a compressed batch, as its
 * codec decompresses it) through one reused window, so that both are held to exactly the same
 * rules by the same code. Nothing is allocated per batch in place; a stream costs only what its
 * codec allocates. A field that runs past the end of the bytes, or past the record being read,
 * throws {@link FramingException}; an I/O or codec failure of the stream propagates as is.
 *
 * <p>Positions are logical: bytes from the start of the records section, however they are windowed.
 */
final class RecordsCursor
{
    /** The records are not framed as their lengths and counts say. Stackless and shared: rejecting allocates nothing. */
    static final class FramingException extends RuntimeException
    {
        static final FramingException INSTANCE = new FramingException();

        private FramingException()
        {
            super("record framing", null, false, false);
        }
    }

    private static final int WINDOW_BYTES = 16 * 1024;
    private static final long NO_RECORD = Long.MAX_VALUE;

    private final int[] varintLength = new int[1];
    private DirectBuffer buffer;
    /** Next byte to read in {@link #buffer}. */
    private int position;
    /** End of the readable bytes in {@link #buffer}. */
    private int end;
    /** Logical position of {@code buffer[0]}: so that {@code base + position} counts from the section's start. */
    private long base;
    private long recordEnd = NO_RECORD;
    private InputStream source;
    private byte[] windowBytes;
    private UnsafeBuffer window;

    /** Reads {@code buffer[start, end)} in place. */
    RecordsCursor wrap(final DirectBuffer buffer, final int start, final int end)
    {
        this.buffer = buffer;
        this.position = start;
        this.end = end;
        this.base = -start;
        this.recordEnd = NO_RECORD;
        this.source = null;
        return this;
    }

    /** Reads what {@code source} yields until it ends; the caller closes it. */
    RecordsCursor wrap(final InputStream source)
    {
        if (window == null)
        {
            windowBytes = new byte[WINDOW_BYTES];
            window = new UnsafeBuffer(windowBytes);
        }
        this.buffer = window;
        this.position = 0;
        this.end = 0;
        this.base = 0;
        this.recordEnd = NO_RECORD;
        this.source = source;
        return this;
    }

    /** Drops the references to the last buffer or stream. */
    void clear()
    {
        buffer = null;
        source = null;
    }

    long offset()
    {
        return base + position;
    }

    /** Whether every byte has been read (for a stream: it has ended). */
    boolean atEnd() throws IOException
    {
        if (source != null)
        {
            ensure(1);
        }
        return position >= end;
    }

    /** A zig-zag varint (record fields). One- and two-byte values, nearly all of them, are read inline. */
    int varint() throws IOException
    {
        if (source != null)
        {
            ensure(Varints.MAX_VARINT_BYTES);
        }
        final int at = position;
        if (at < end)
        {
            final byte first = buffer.getByte(at);
            if (first >= 0)
            {
                position = at + 1;
                return (first >>> 1) ^ -(first & 1);
            }
            if (at + 1 < end)
            {
                final byte second = buffer.getByte(at + 1);
                if (second >= 0)
                {
                    position = at + 2;
                    final int raw = (first & 0x7F) | (second << 7);
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
        }
        final int value = Varints.readVarint(buffer, at, end, varintLength);
        position = at + varintLength[0];
        return value;
    }

    /** A zig-zag varlong. One-byte values (a timestamp delta of a producer in a hurry) are read inline. */
    long varlong() throws IOException
    {
        if (source != null)
        {
            ensure(Varints.MAX_VARLONG_BYTES);
        }
        final int at = position;
        if (at < end)
        {
            final byte first = buffer.getByte(at);
            if (first >= 0)
            {
                position = at + 1;
                return (first >>> 1) ^ -(first & 1);
            }
        }
        final long value = Varints.readVarlong(buffer, at, end, varintLength);
        position = at + varintLength[0];
        return value;
    }

    /** Starts a record of {@code length} body bytes at the current position. */
    void beginRecord(final int length)
    {
        if (source == null && length > end - position)
        {
            throw FramingException.INSTANCE;
        }
        recordEnd = offset() + length;
    }

    /** Body bytes of the current record not read yet (negative once a field has run past it). */
    long remainingInRecord()
    {
        return recordEnd - offset();
    }

    /** The current record must end exactly here. */
    void endRecord()
    {
        if (offset() != recordEnd)
        {
            throw FramingException.INSTANCE;
        }
        recordEnd = NO_RECORD;
    }

    /** Skips {@code bytes} (not negative) of the current record. */
    void skip(final int bytes) throws IOException
    {
        if (bytes > remainingInRecord())
        {
            throw FramingException.INSTANCE;
        }
        if (bytes <= end - position)
        {
            // In place this is always so: beginRecord checked that the record lies in the buffer.
            position += bytes;
            return;
        }
        int left = bytes;
        while (left > end - position)
        {
            if (source == null)
            {
                throw FramingException.INSTANCE;
            }
            left -= end - position;
            position = end;
            ensure(1);
            if (position >= end)
            {
                throw FramingException.INSTANCE;
            }
        }
        position += left;
    }

    /** Makes at least {@code bytes} readable in the window if the stream still has them. */
    private void ensure(final int bytes) throws IOException
    {
        if (end - position >= bytes)
        {
            return;
        }
        final int kept = end - position;
        if (kept > 0 && position > 0)
        {
            System.arraycopy(windowBytes, position, windowBytes, 0, kept);
        }
        base += position;
        position = 0;
        end = kept;
        while (end < bytes)
        {
            final int read = source.read(windowBytes, end, windowBytes.length - end);
            if (read <= 0)
            {
                return;
            }
            end += read;
        }
    }
}
