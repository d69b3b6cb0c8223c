package io.runnel.cluster.quorum;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A small replicated state machine for the host's tests: a sorted map of strings with put and get
 * commands, a timer command, replies, and a broadcast of every change. Encoding (little-endian):
 * a type byte, a correlation id, then the fields, strings as a length and UTF-8 bytes.
 */
final class KeyValueMachine implements ReplicatedStateMachine
{
    static final byte PUT = 'P';
    static final byte GET = 'G';
    static final byte TIMER = 'T';
    static final byte FLOOD = 'L';
    static final byte FILLER = 'X';
    static final byte PUT_DONE = 'R';
    static final byte VALUE = 'V';
    static final byte CHANGED = 'B';
    static final byte TIMER_FIRED = 'F';

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final TreeMap<String, String> entries = new TreeMap<>();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer();
    private volatile boolean loadedSnapshot;

    @Override
    public void onSessionOpen(final long sessionId, final long clusterTimeMs, final QuorumOutput output)
    {
    }

    @Override
    public void onCommand(
        final long sessionId,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long clusterTimeMs,
        final QuorumOutput output)
    {
        final byte type = buffer.getByte(offset);
        final long correlationId = buffer.getLong(offset + 1, ORDER);
        int at = offset + 1 + Long.BYTES;
        if (PUT == type)
        {
            final String key = readString(buffer, at);
            at += Integer.BYTES + key.getBytes(StandardCharsets.UTF_8).length;
            final String value = readString(buffer, at);
            synchronized (entries)
            {
                entries.put(key, value);
            }
            out.putByte(0, PUT_DONE);
            out.putLong(1, correlationId, ORDER);
            output.reply(sessionId, out, 0, 1 + Long.BYTES);
            out.putByte(0, CHANGED);
            final int keyEnd = writeString(out, 1, key);
            final int end = writeString(out, keyEnd, value);
            output.broadcast(out, 0, end);
        }
        else if (GET == type)
        {
            final String key = readString(buffer, at);
            final String value;
            synchronized (entries)
            {
                value = entries.get(key);
            }
            out.putByte(0, VALUE);
            out.putLong(1, correlationId, ORDER);
            final int end = writeString(out, 1 + Long.BYTES, null == value ? "" : value);
            output.reply(sessionId, out, 0, end);
        }
        else if (FLOOD == type)
        {
            final int count = buffer.getInt(at, ORDER);
            final int size = buffer.getInt(at + Integer.BYTES, ORDER);
            out.setMemory(0, size, FILLER);
            for (int i = 0; i < count; i++)
            {
                output.broadcast(out, 0, size);
            }
        }
        else if (TIMER == type)
        {
            final long delayMs = buffer.getLong(at, ORDER);
            output.scheduleTimer(correlationId, clusterTimeMs + delayMs);
            out.putByte(0, PUT_DONE);
            out.putLong(1, correlationId, ORDER);
            output.reply(sessionId, out, 0, 1 + Long.BYTES);
        }
    }

    @Override
    public void onSessionClose(final long sessionId, final long clusterTimeMs, final QuorumOutput output)
    {
    }

    @Override
    public void onTimer(final long correlationId, final long clusterTimeMs, final QuorumOutput output)
    {
        out.putByte(0, TIMER_FIRED);
        out.putLong(1, correlationId, ORDER);
        output.broadcast(out, 0, 1 + Long.BYTES);
    }

    @Override
    public void writeSnapshot(final SnapshotWriter snapshot)
    {
        final ExpandableArrayBuffer chunk = new ExpandableArrayBuffer();
        int length = 0;
        synchronized (entries)
        {
            for (final Map.Entry<String, String> entry : entries.entrySet())
            {
                final int entryLength = 2 * Integer.BYTES + entry.getKey().length() * 3 + entry.getValue().length() * 3;
                if (length > 0 && length + entryLength > snapshot.maxChunkLength())
                {
                    snapshot.write(chunk, 0, length);
                    length = 0;
                }
                length = writeString(chunk, length, entry.getKey());
                length = writeString(chunk, length, entry.getValue());
            }
        }
        if (length > 0)
        {
            snapshot.write(chunk, 0, length);
        }
    }

    @Override
    public void loadSnapshot(final SnapshotReader snapshot)
    {
        snapshot.readAll((buffer, offset, length) ->
        {
            int at = offset;
            while (at < offset + length)
            {
                final String key = readString(buffer, at);
                at += Integer.BYTES + key.getBytes(StandardCharsets.UTF_8).length;
                final String value = readString(buffer, at);
                at += Integer.BYTES + value.getBytes(StandardCharsets.UTF_8).length;
                synchronized (entries)
                {
                    entries.put(key, value);
                }
            }
        });
        loadedSnapshot = true;
    }

    /** A copy of the state, readable from the test thread. */
    Map<String, String> entries()
    {
        synchronized (entries)
        {
            return new TreeMap<>(entries);
        }
    }

    boolean loadedSnapshot()
    {
        return loadedSnapshot;
    }

    static int encodePut(final MutableDirectBuffer buffer, final long correlationId, final String key, final String value)
    {
        buffer.putByte(0, PUT);
        buffer.putLong(1, correlationId, ORDER);
        final int keyEnd = writeString(buffer, 1 + Long.BYTES, key);
        return writeString(buffer, keyEnd, value);
    }

    static int encodeGet(final MutableDirectBuffer buffer, final long correlationId, final String key)
    {
        buffer.putByte(0, GET);
        buffer.putLong(1, correlationId, ORDER);
        return writeString(buffer, 1 + Long.BYTES, key);
    }

    /** Asks for {@code count} broadcasts of {@code size} bytes each: more than a slow client takes. */
    static int encodeFlood(final MutableDirectBuffer buffer, final long correlationId, final int count, final int size)
    {
        buffer.putByte(0, FLOOD);
        buffer.putLong(1, correlationId, ORDER);
        buffer.putInt(1 + Long.BYTES, count, ORDER);
        buffer.putInt(1 + Long.BYTES + Integer.BYTES, size, ORDER);
        return 1 + Long.BYTES + 2 * Integer.BYTES;
    }

    static int encodeTimer(final MutableDirectBuffer buffer, final long correlationId, final long delayMs)
    {
        buffer.putByte(0, TIMER);
        buffer.putLong(1, correlationId, ORDER);
        buffer.putLong(1 + Long.BYTES, delayMs, ORDER);
        return 1 + 2 * Long.BYTES;
    }

    static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 1, ORDER);
    }

    static String readString(final DirectBuffer buffer, final int offset)
    {
        final int length = buffer.getInt(offset, ORDER);
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + Integer.BYTES, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static int writeString(final MutableDirectBuffer buffer, final int offset, final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(offset, bytes.length, ORDER);
        buffer.putBytes(offset + Integer.BYTES, bytes);
        return offset + Integer.BYTES + bytes.length;
    }
}
