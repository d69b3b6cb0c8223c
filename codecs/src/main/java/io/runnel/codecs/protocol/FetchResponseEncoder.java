package io.runnel.codecs.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.agrona.MutableDirectBuffer;

/**
 * Encodes a Fetch response (versions 4 to 18) around record bytes that never enter the buffer: each
 * partition's records field is written as its length prefix only, and the position right after it
 * is recorded as a splice point. The sender interleaves buffer slices with the file regions (sent
 * with {@code transferTo}) at those points. Versions 12+ are flexible (compact lengths, tagged
 * fields, response header v1); 4-11 use int16 strings, int32 arrays and header v0. Versions 13+
 * identify topics by id.
 */
public final class FetchResponseEncoder
{
    public static final short MIN_VERSION = 4;
    public static final short MAX_VERSION = 18;
    private static final int FIRST_FLEXIBLE_VERSION = 12;
    private static final int FIRST_TOPIC_ID_VERSION = 13;
    private static final int FIRST_SESSION_VERSION = 7;
    private static final int FIRST_LOG_START_OFFSET_VERSION = 5;
    private static final int FIRST_PREFERRED_REPLICA_VERSION = 11;
    private static final int NULL_LENGTH = -1;
    /** Upper bound of one partition entry's bytes in the buffer (the int32 lengths of v4-11 fit in it too). */
    public static final int MAX_PARTITION_BYTES = 4 + 2 + 8 + 8 + 8 + 4 + 4 + 5 + 1;
    /** Upper bound of one topic entry's own bytes, excluding a name longer than a UUID. */
    public static final int MAX_TOPIC_BYTES = 16 + 5 + 1;
    /** Upper bound of the frame bytes other than topics and partitions. */
    public static final int MAX_FIXED_BYTES = 4 + 4 + 1 + 4 + 2 + 4 + 5 + 1;

    private final ResponseWriter writer = new ResponseWriter();
    private short version;
    private boolean flexible;
    private int spliceCount;
    private int[] splicePositions = new int[16];
    private long externalBytes;

    public FetchResponseEncoder begin(final MutableDirectBuffer buffer, final int offset, final int correlationId,
        final short version, final short errorCode, final int sessionId, final int topicCount)
    {
        this.version = version;
        flexible = version >= FIRST_FLEXIBLE_VERSION;
        spliceCount = 0;
        externalBytes = 0;
        writer.beginFrame(buffer, offset, correlationId, flexible);
        writer.putInt(0); // throttle_time_ms
        if (version >= FIRST_SESSION_VERSION)
        {
            writer.putShort(errorCode).putInt(sessionId);
        }
        return putLength(topicCount);
    }

    public FetchResponseEncoder topic(final String name, final long topicIdMsb, final long topicIdLsb, final int partitionCount)
    {
        if (version >= FIRST_TOPIC_ID_VERSION)
        {
            writer.putUuid(topicIdMsb, topicIdLsb);
        }
        else if (flexible)
        {
            writer.putCompactString(name);
        }
        else
        {
            putString(name);
        }
        return putLength(partitionCount);
    }

    /**
     * One partition. {@code recordsLength} bytes must be inserted at the splice point this call
     * records (none if 0). With no transactions, the aborted-transaction list is either null (what
     * Kafka writes for read_uncommitted and for a partition in error) or empty (read_committed).
     */
    public FetchResponseEncoder partition(final int index, final short errorCode, final long highWatermark,
        final long lastStableOffset, final long logStartOffset, final boolean emptyAbortedTransactions, final int recordsLength)
    {
        writer.putInt(index)
            .putShort(errorCode)
            .putLong(highWatermark)
            .putLong(lastStableOffset);
        if (version >= FIRST_LOG_START_OFFSET_VERSION)
        {
            writer.putLong(logStartOffset);
        }
        putLength(emptyAbortedTransactions ? 0 : NULL_LENGTH);
        if (version >= FIRST_PREFERRED_REPLICA_VERSION)
        {
            writer.putInt(-1); // preferred_read_replica: none
        }
        putLength(recordsLength);
        if (recordsLength > 0)
        {
            if (spliceCount == splicePositions.length)
            {
                splicePositions = Arrays.copyOf(splicePositions, spliceCount * 2);
            }
            splicePositions[spliceCount++] = writer.position();
            externalBytes += recordsLength;
        }
        return taggedFields();
    }

    public FetchResponseEncoder endTopic()
    {
        return taggedFields();
    }

    /** @return the end position of the frame's buffered bytes. */
    public int finish()
    {
        taggedFields();
        return writer.finishFrame(externalBytes);
    }

    public int spliceCount()
    {
        return spliceCount;
    }

    /** Buffer position at which the i-th partition's record bytes are inserted. */
    public int splicePosition(final int i)
    {
        return splicePositions[i];
    }

    /** An array or records length: compact (N+1, 0 for null) when flexible, int32 (-1 for null) before. */
    private FetchResponseEncoder putLength(final int length)
    {
        if (flexible)
        {
            writer.putCompactLength(length);
        }
        else
        {
            writer.putInt(length);
        }
        return this;
    }

    /**
     * An int16-length string. Legal topic names are ASCII, written a byte per char with no copy; a
     * name echoed from a request that is not (an unknown topic) pays for one UTF-8 encoding.
     */
    private void putString(final String value)
    {
        if (value == null)
        {
            writer.putShort((short)NULL_LENGTH);
            return;
        }
        final int length = value.length();
        boolean ascii = true;
        for (int i = 0; i < length && ascii; i++)
        {
            ascii = value.charAt(i) < 0x80;
        }
        if (ascii)
        {
            writer.putShort((short)length);
            for (int i = 0; i < length; i++)
            {
                writer.putByte((byte)value.charAt(i));
            }
            return;
        }
        final byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writer.putShort((short)utf8.length);
        for (final byte b : utf8)
        {
            writer.putByte(b);
        }
    }

    private FetchResponseEncoder taggedFields()
    {
        if (flexible)
        {
            writer.emptyTaggedFields();
        }
        return this;
    }
}
