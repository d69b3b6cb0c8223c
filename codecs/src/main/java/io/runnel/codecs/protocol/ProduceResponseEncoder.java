package io.runnel.codecs.protocol;

import org.agrona.MutableDirectBuffer;

/**
 * Encodes a Produce response (flexible versions 9 to 13) straight into the connection's send
 * buffer. Call order mirrors the schema: {@link #begin}, then per topic {@link #topic} followed by
 * its {@link #partition}s, then {@link #finish}.
 */
public final class ProduceResponseEncoder
{
    private static final int FIRST_TOPIC_ID_VERSION = 13;
    /** Upper bound of one partition entry without an error message. */
    public static final int MAX_PARTITION_BYTES = 4 + 2 + 8 + 8 + 8 + 1 + 1 + 1;
    /** Upper bound of the frame bytes other than topics and partitions. */
    public static final int MAX_FIXED_BYTES = 4 + 4 + 1 + 5 + 4 + 1;

    private final ResponseWriter writer = new ResponseWriter();
    private short version;

    public ProduceResponseEncoder begin(final MutableDirectBuffer buffer, final int offset, final int correlationId,
        final short version, final int topicCount)
    {
        this.version = version;
        writer.beginFrame(buffer, offset, correlationId, true);
        writer.putCompactLength(topicCount);
        return this;
    }

    /** @param nameUtf8 the topic name as UTF-8 (ignored from version 13, which names topics by id) */
    public ProduceResponseEncoder topic(final byte[] nameUtf8, final long topicIdMsb, final long topicIdLsb, final int partitionCount)
    {
        if (version >= FIRST_TOPIC_ID_VERSION)
        {
            writer.putUuid(topicIdMsb, topicIdLsb);
        }
        else
        {
            writer.putCompactString(nameUtf8);
        }
        writer.putCompactLength(partitionCount);
        return this;
    }

    /** One partition's result; closes the topic's tagged fields after its last partition via {@link #endTopic}. */
    public ProduceResponseEncoder partition(final int index, final short errorCode, final long baseOffset,
        final long logAppendTime, final long logStartOffset)
    {
        writer.putInt(index)
            .putShort(errorCode)
            .putLong(baseOffset)
            .putLong(logAppendTime)
            .putLong(logStartOffset)
            .putCompactLength(0)      // record_errors: none
            .putCompactLength(-1)     // error_message: null
            .emptyTaggedFields();
        return this;
    }

    public ProduceResponseEncoder endTopic()
    {
        writer.emptyTaggedFields();
        return this;
    }

    /** @return the end position of the frame in the buffer. */
    public int finish(final int throttleTimeMs)
    {
        writer.putInt(throttleTimeMs).emptyTaggedFields();
        return writer.finishFrame();
    }
}
