package io.runnel.codecs.protocol;

import java.nio.ByteOrder;
import java.util.Arrays;

import io.runnel.codecs.Varints;
import org.agrona.DirectBuffer;

/**
 * Decodes a Produce request body (flexible versions 9 to 13) in place. One pass records, for every
 * topic and partition, where its record bytes lie in the frame; no record byte is copied and,
 * once the index arrays have grown to the request's shape, nothing is allocated.
 * Versions 9-12 name topics; version 13 identifies them by topic id (KIP-516).
 */
public final class ProduceRequestDecoder
{
    public static final short MIN_VERSION = 9;
    public static final short MAX_VERSION = 13;
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    private static final int UUID_BYTES = 16;

    private final int[] varintLength = new int[1];
    private DirectBuffer buffer;
    private short version;
    private int transactionalIdOffset;
    private int transactionalIdLength;
    private short acks;
    private int timeoutMs;

    private int topicCount;
    private int[] topicNameOffset = new int[4];
    private int[] topicNameLength = new int[4];
    private long[] topicIdMsb = new long[4];
    private long[] topicIdLsb = new long[4];
    private int[] topicFirstPartition = new int[4];
    private int[] topicPartitionCount = new int[4];

    private int partitionCount;
    private int[] partitionIndex = new int[16];
    private int[] recordsOffset = new int[16];
    private int[] recordsLength = new int[16];

    public void decode(final DirectBuffer buffer, final int offset, final int limit, final short version)
    {
        if (version < MIN_VERSION || version > MAX_VERSION)
        {
            throw new MalformedRequestException("produce v" + version + " is not decoded here");
        }
        this.buffer = buffer;
        this.version = version;
        topicCount = 0;
        partitionCount = 0;
        try
        {
            int position = offset;
            final int txnLength = compactLength(position, limit);
            position += varintLength[0];
            transactionalIdOffset = position;
            transactionalIdLength = txnLength;
            position += Math.max(txnLength, 0);
            require(position + 6, limit);
            acks = buffer.getShort(position, ByteOrder.BIG_ENDIAN);
            timeoutMs = buffer.getInt(position + 2, ByteOrder.BIG_ENDIAN);
            position += 6;

            final int topics = compactLength(position, limit);
            position += varintLength[0];
            for (int t = 0; t < topics; t++)
            {
                position = decodeTopic(position, limit);
            }
            TaggedFields.skip(buffer, position, limit, varintLength);
        }
        catch (final Varints.MalformedVarintException ex)
        {
            throw new MalformedRequestException(ex.getMessage());
        }
    }

    private int decodeTopic(final int start, final int limit)
    {
        int position = start;
        final int t = topicCount;
        ensureTopicCapacity(t + 1);
        if (version >= FIRST_TOPIC_ID_VERSION)
        {
            require(position + UUID_BYTES, limit);
            topicIdMsb[t] = buffer.getLong(position, ByteOrder.BIG_ENDIAN);
            topicIdLsb[t] = buffer.getLong(position + 8, ByteOrder.BIG_ENDIAN);
            topicNameOffset[t] = -1;
            topicNameLength[t] = -1;
            position += UUID_BYTES;
        }
        else
        {
            final int nameLength = compactLength(position, limit);
            position += varintLength[0];
            if (nameLength < 0)
            {
                throw new MalformedRequestException("null topic name");
            }
            topicNameOffset[t] = position;
            topicNameLength[t] = nameLength;
            position += nameLength;
        }
        final int partitions = compactLength(position, limit);
        position += varintLength[0];
        topicFirstPartition[t] = partitionCount;
        topicPartitionCount[t] = Math.max(partitions, 0);
        for (int p = 0; p < partitions; p++)
        {
            final int i = partitionCount;
            ensurePartitionCapacity(i + 1);
            require(position + 4, limit);
            partitionIndex[i] = buffer.getInt(position, ByteOrder.BIG_ENDIAN);
            position += 4;
            final int length = compactLength(position, limit);
            position += varintLength[0];
            recordsOffset[i] = position;
            recordsLength[i] = length;
            position += Math.max(length, 0);
            position = TaggedFields.skip(buffer, position, limit, varintLength);
            partitionCount++;
        }
        topicCount++;
        return TaggedFields.skip(buffer, position, limit, varintLength);
    }

    /** A compact length: unsigned varint N+1, where 0 means null (-1 here). Bounds-checked against the frame. */
    private int compactLength(final int position, final int limit)
    {
        final int raw = Varints.readUnsignedVarint(buffer, position, limit, varintLength);
        final int length = raw - 1;
        if (length > limit - position - varintLength[0])
        {
            throw new MalformedRequestException("length " + length + " runs past the frame");
        }
        return length;
    }

    private static void require(final int end, final int limit)
    {
        if (end > limit)
        {
            throw new MalformedRequestException("produce request is truncated");
        }
    }

    private void ensureTopicCapacity(final int n)
    {
        if (n > topicNameOffset.length)
        {
            final int size = n * 2;
            topicNameOffset = Arrays.copyOf(topicNameOffset, size);
            topicNameLength = Arrays.copyOf(topicNameLength, size);
            topicIdMsb = Arrays.copyOf(topicIdMsb, size);
            topicIdLsb = Arrays.copyOf(topicIdLsb, size);
            topicFirstPartition = Arrays.copyOf(topicFirstPartition, size);
            topicPartitionCount = Arrays.copyOf(topicPartitionCount, size);
        }
    }

    private void ensurePartitionCapacity(final int n)
    {
        if (n > partitionIndex.length)
        {
            final int size = n * 2;
            partitionIndex = Arrays.copyOf(partitionIndex, size);
            recordsOffset = Arrays.copyOf(recordsOffset, size);
            recordsLength = Arrays.copyOf(recordsLength, size);
        }
    }

    public short version()
    {
        return version;
    }

    public boolean usesTopicIds()
    {
        return version >= FIRST_TOPIC_ID_VERSION;
    }

    public boolean hasTransactionalId()
    {
        return transactionalIdLength >= 0;
    }

    public String transactionalId()
    {
        return transactionalIdLength < 0 ? null :
            buffer.getStringWithoutLengthUtf8(transactionalIdOffset, transactionalIdLength);
    }

    public short acks()
    {
        return acks;
    }

    public int timeoutMs()
    {
        return timeoutMs;
    }

    public int topicCount()
    {
        return topicCount;
    }

    public String topicName(final int topic)
    {
        return topicNameLength[topic] < 0 ? null :
            buffer.getStringWithoutLengthUtf8(topicNameOffset[topic], topicNameLength[topic]);
    }

    /** Whether topic {@code topic}'s name is exactly these UTF-8 bytes: resolves a name without decoding it to a String. */
    public boolean topicNameEquals(final int topic, final byte[] utf8)
    {
        final int length = topicNameLength[topic];
        if (length != utf8.length)
        {
            return false;
        }
        final int offset = topicNameOffset[topic];
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != utf8[i])
            {
                return false;
            }
        }
        return true;
    }

    public long topicIdMostSignificantBits(final int topic)
    {
        return topicIdMsb[topic];
    }

    public long topicIdLeastSignificantBits(final int topic)
    {
        return topicIdLsb[topic];
    }

    /** Index of the topic's first partition in the flat partition arrays. */
    public int firstPartition(final int topic)
    {
        return topicFirstPartition[topic];
    }

    public int partitionCount(final int topic)
    {
        return topicPartitionCount[topic];
    }

    public int totalPartitions()
    {
        return partitionCount;
    }

    public int partitionIndex(final int flatPartition)
    {
        return partitionIndex[flatPartition];
    }

    public int recordsOffset(final int flatPartition)
    {
        return recordsOffset[flatPartition];
    }

    /** Length of the partition's record bytes, or -1 for null records. */
    public int recordsLength(final int flatPartition)
    {
        return recordsLength[flatPartition];
    }
}
