package io.runnel.codecs.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * Encodes a Produce response (versions 0 to 13) straight into the connection's send buffer. Call
 * order mirrors the schema: {@link #begin}, then per topic {@link #topic} followed by its
 * {@link #partition}s and {@link #endTopic}, then {@link #finish}.
 *
 * <p>Each field is written only at the versions that have it (ProduceResponse.json):
 * log_append_time_ms from v2, log_start_offset from v5, record_errors and error_message from v8,
 * throttle_time_ms (after the topics) from v1; topics are named up to v12 and identified by id
 * from v13. Versions 0-8 use int16 strings, int32 arrays, no tagged fields and response header
 * v0; versions 9+ the compact encodings, tagged fields and response header v1. Versions 0-2 exist
 * only to refuse them (UNSUPPORTED_VERSION): kafka-clients 4.4 can no longer write them.
 */
public final class ProduceResponseEncoder
{
    public static final short MIN_VERSION = 0;
    public static final short MAX_VERSION = 13;
    private static final int FIRST_THROTTLE_VERSION = 1;
    private static final int FIRST_LOG_APPEND_TIME_VERSION = 2;
    private static final int FIRST_LOG_START_OFFSET_VERSION = 5;
    private static final int FIRST_RECORD_ERRORS_VERSION = 8;
    private static final int FIRST_FLEXIBLE_VERSION = 9;
    private static final int FIRST_TOPIC_ID_VERSION = 13;

    /**
     * Upper bound of one partition entry without an error message, at any version: index, error,
     * base offset, log append time, log start offset, then either int32 record_errors + int16 null
     * error_message (v8) or their compact forms and a tagged-field section (v9+).
     */
    public static final int MAX_PARTITION_BYTES = 4 + 2 + 8 + 8 + 8 + 4 + 2;
    /**
     * Upper bound of one topic entry apart from its name bytes and partitions: a topic id or a
     * name length, the partition count, tagged fields.
     */
    public static final int MAX_TOPIC_BYTES = 16 + 5 + 1;
    /** Upper bound of the frame bytes other than topics and partitions. */
    public static final int MAX_FIXED_BYTES = 4 + 4 + 1 + 5 + 4 + 1;

    private final ResponseWriter writer = new ResponseWriter();
    private short version;
    private boolean flexible;

    public ProduceResponseEncoder begin(final MutableDirectBuffer buffer, final int offset, final int correlationId,
        final short version, final int topicCount)
    {
        if (version < MIN_VERSION || version > MAX_VERSION)
        {
            throw new IllegalArgumentException("produce v" + version + " is not encoded here");
        }
        this.version = version;
        this.flexible = version >= FIRST_FLEXIBLE_VERSION;
        writer.beginFrame(buffer, offset, correlationId, flexible);
        arrayLength(topicCount);
        return this;
    }

    /** @param nameUtf8 the topic name as UTF-8 (ignored from version 13, which names topics by id) */
    public ProduceResponseEncoder topic(final byte[] nameUtf8, final long topicIdMsb, final long topicIdLsb, final int partitionCount)
    {
        if (version >= FIRST_TOPIC_ID_VERSION)
        {
            writer.putUuid(topicIdMsb, topicIdLsb);
        }
        else if (flexible)
        {
            writer.putCompactString(nameUtf8);
        }
        else
        {
            writer.putString(nameUtf8);
        }
        arrayLength(partitionCount);
        return this;
    }

    /** One partition's result; the topic is closed by {@link #endTopic} after its last partition. */
    public ProduceResponseEncoder partition(final int index, final short errorCode, final long baseOffset,
        final long logAppendTime, final long logStartOffset)
    {
        writer.putInt(index)
            .putShort(errorCode)
            .putLong(baseOffset);
        if (version >= FIRST_LOG_APPEND_TIME_VERSION)
        {
            writer.putLong(logAppendTime);
        }
        if (version >= FIRST_LOG_START_OFFSET_VERSION)
        {
            writer.putLong(logStartOffset);
        }
        if (version >= FIRST_RECORD_ERRORS_VERSION)
        {
            arrayLength(0);           // record_errors: none
            nullString();             // error_message: null
        }
        taggedFields();
        return this;
    }

    public ProduceResponseEncoder endTopic()
    {
        taggedFields();
        return this;
    }

    /** @return the end position of the frame in the buffer. */
    public int finish(final int throttleTimeMs)
    {
        if (version >= FIRST_THROTTLE_VERSION)
        {
            writer.putInt(throttleTimeMs);
        }
        taggedFields();
        return writer.finishFrame();
    }

    /** Upper bound of a whole response frame, for sizing the buffer before {@link #begin}. */
    public static int maxFrameBytes(final int topicCount, final int topicNameBytes, final int partitionCount)
    {
        return MAX_FIXED_BYTES + topicCount * MAX_TOPIC_BYTES + topicNameBytes + partitionCount * MAX_PARTITION_BYTES;
    }

    // The primitives: the only code that knows which encoding the version uses.

    private void arrayLength(final int count)
    {
        if (flexible)
        {
            writer.putCompactLength(count);
        }
        else
        {
            writer.putInt(count);
        }
    }

    private void nullString()
    {
        if (flexible)
        {
            writer.putCompactLength(-1);
        }
        else
        {
            writer.putShort((short)-1);
        }
    }

    private void taggedFields()
    {
        if (flexible)
        {
            writer.emptyTaggedFields();
        }
    }
}
