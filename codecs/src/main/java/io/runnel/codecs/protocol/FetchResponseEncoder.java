package io.runnel.codecs.protocol;

import java.util.Arrays;

import org.agrona.MutableDirectBuffer;

/**
 * Encodes a Fetch response (flexible versions 12 to 18) around record bytes that never enter the
 * buffer: each partition's records field is written as its length prefix only, and the position
 * right after it is recorded as a splice point. The sender interleaves buffer slices with the
 * file regions (sent with {@code transferTo}) at those points. Versions 13+ identify topics by id.
 */
public final class FetchResponseEncoder
{
    public static final short MIN_VERSION = 12;
    public static final short MAX_VERSION = 18;
    private static final int FIRST_TOPIC_ID_VERSION = 13;
    /** Upper bound of one partition entry's bytes in the buffer. */
    public static final int MAX_PARTITION_BYTES = 4 + 2 + 8 + 8 + 8 + 1 + 4 + 5 + 1;
    /** Upper bound of one topic entry's own bytes, excluding a name longer than a UUID. */
    public static final int MAX_TOPIC_BYTES = 16 + 5 + 1;
    /** Upper bound of the frame bytes other than topics and partitions. */
    public static final int MAX_FIXED_BYTES = 4 + 4 + 1 + 4 + 2 + 4 + 5 + 1;

    private final ResponseWriter writer = new ResponseWriter();
    private short version;
    private int spliceCount;
    private int[] splicePositions = new int[16];
    private long externalBytes;

    public FetchResponseEncoder begin(final MutableDirectBuffer buffer, final int offset, final int correlationId,
        final short version, final short errorCode, final int sessionId, final int topicCount)
    {
        this.version = version;
        spliceCount = 0;
        externalBytes = 0;
        writer.beginFrame(buffer, offset, correlationId, true);
        writer.putInt(0) // throttle_time_ms
            .putShort(errorCode)
            .putInt(sessionId)
            .putCompactLength(topicCount);
        return this;
    }

    public FetchResponseEncoder topic(final String name, final long topicIdMsb, final long topicIdLsb, final int partitionCount)
    {
        if (version >= FIRST_TOPIC_ID_VERSION)
        {
            writer.putUuid(topicIdMsb, topicIdLsb);
        }
        else
        {
            writer.putCompactString(name);
        }
        writer.putCompactLength(partitionCount);
        return this;
    }

    /**
     * One partition. {@code recordsLength} bytes must be inserted at the splice point this call
     * records (none if 0).
     */
    public FetchResponseEncoder partition(final int index, final short errorCode, final long highWatermark,
        final long lastStableOffset, final long logStartOffset, final int recordsLength)
    {
        writer.putInt(index)
            .putShort(errorCode)
            .putLong(highWatermark)
            .putLong(lastStableOffset)
            .putLong(logStartOffset)
            .putCompactLength(-1)   // aborted_transactions: null
            .putInt(-1)             // preferred_read_replica: none
            .putCompactLength(recordsLength);
        if (recordsLength > 0)
        {
            if (spliceCount == splicePositions.length)
            {
                splicePositions = Arrays.copyOf(splicePositions, spliceCount * 2);
            }
            splicePositions[spliceCount++] = writer.position();
            externalBytes += recordsLength;
        }
        writer.emptyTaggedFields();
        return this;
    }

    public FetchResponseEncoder endTopic()
    {
        writer.emptyTaggedFields();
        return this;
    }

    /** @return the end position of the frame's buffered bytes. */
    public int finish()
    {
        writer.emptyTaggedFields();
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
}
