package io.runnel.codecs.protocol;

import java.nio.ByteOrder;
import java.util.Arrays;

import io.runnel.codecs.Varints;
import org.agrona.DirectBuffer;

/**
 * Decodes a Produce request body (versions 0 to 13) in place. One pass records, for every topic
 * and partition, where its record bytes lie in the frame; no record byte is copied and, once the
 * index arrays have grown to the request's shape, nothing is allocated.
 *
 * <p>One loop reads both encodings through a few primitives ({@link #arrayLength},
 * {@link #stringLength}, {@link #bytesLength}, {@link #skipTaggedFields}): versions 0-8 use int16
 * string lengths, int32 array and bytes lengths and no tagged fields; versions 9+ (flexible, KIP-482)
 * use unsigned-varint compact lengths (N+1, 0 for null) and a tagged-field section after every
 * struct. Versions 0-2 have no transactional id (Runnel decodes them only to answer
 * UNSUPPORTED_VERSION, as Kafka 4 no longer accepts them); versions 9-12 name topics, version 13
 * identifies them by topic id (KIP-516).
 */
public final class ProduceRequestDecoder
{
    /** The oldest version this decoder reads; the broker refuses 0-2 with UNSUPPORTED_VERSION after reading them. */
    public static final short MIN_VERSION = 0;
    public static final short MAX_VERSION = 13;
    /** The oldest version Kafka 4 (and Runnel) accepts records at. */
    public static final short MIN_ACCEPTED_VERSION = 3;
    public static final short FIRST_FLEXIBLE_VERSION = 9;
    private static final short FIRST_TRANSACTIONAL_ID_VERSION = 3;
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    private static final int UUID_BYTES = 16;
    private static final int NULL_LENGTH = -1;

    private final int[] varintLength = new int[1];
    private DirectBuffer buffer;
    private int position;
    private int limit;
    private short version;
    private boolean flexible;
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

    /**
     * @param offset where the body starts (just after the request header)
     * @param limit  where the frame ends; nothing at or beyond it is read
     */
    public void decode(final DirectBuffer buffer, final int offset, final int limit, final short version)
    {
        if (version < MIN_VERSION || version > MAX_VERSION)
        {
            throw new MalformedRequestException("produce v" + version + " is not decoded here");
        }
        this.buffer = buffer;
        this.position = offset;
        this.limit = limit;
        this.version = version;
        this.flexible = version >= FIRST_FLEXIBLE_VERSION;
        topicCount = 0;
        partitionCount = 0;
        try
        {
            if (version >= FIRST_TRANSACTIONAL_ID_VERSION)
            {
                transactionalIdLength = stringLength();
                transactionalIdOffset = position;
                position += Math.max(transactionalIdLength, 0);
            }
            else
            {
                transactionalIdLength = NULL_LENGTH;
                transactionalIdOffset = position;
            }
            require(6);
            acks = buffer.getShort(position, ByteOrder.BIG_ENDIAN);
            timeoutMs = buffer.getInt(position + 2, ByteOrder.BIG_ENDIAN);
            position += 6;

            final int topics = arrayLength();
            for (int t = 0; t < topics; t++)
            {
                decodeTopic();
            }
            skipTaggedFields();
        }
        catch (final Varints.MalformedVarintException ex)
        {
            throw new MalformedRequestException(ex.getMessage());
        }
    }

    private void decodeTopic()
    {
        final int t = topicCount;
        ensureTopicCapacity(t + 1);
        if (version >= FIRST_TOPIC_ID_VERSION)
        {
            require(UUID_BYTES);
            topicIdMsb[t] = buffer.getLong(position, ByteOrder.BIG_ENDIAN);
            topicIdLsb[t] = buffer.getLong(position + 8, ByteOrder.BIG_ENDIAN);
            topicNameOffset[t] = -1;
            topicNameLength[t] = -1;
            position += UUID_BYTES;
        }
        else
        {
            final int nameLength = stringLength();
            if (nameLength < 0)
            {
                throw new MalformedRequestException("null topic name");
            }
            topicNameOffset[t] = position;
            topicNameLength[t] = nameLength;
            topicIdMsb[t] = 0;
            topicIdLsb[t] = 0;
            position += nameLength;
        }
        final int partitions = arrayLength();
        topicFirstPartition[t] = partitionCount;
        topicPartitionCount[t] = partitions;
        for (int p = 0; p < partitions; p++)
        {
            final int i = partitionCount;
            ensurePartitionCapacity(i + 1);
            require(4);
            partitionIndex[i] = buffer.getInt(position, ByteOrder.BIG_ENDIAN);
            position += 4;
            final int length = bytesLength();
            recordsOffset[i] = position;
            recordsLength[i] = length;
            position += Math.max(length, 0);
            skipTaggedFields();
            partitionCount++;
        }
        topicCount++;
        skipTaggedFields();
    }

    // ---------------------------------------------------------------------------------------
    // The primitives: the only code that knows which encoding the version uses.
    // ---------------------------------------------------------------------------------------

    /** A (non-nullable) array's element count: int32, or compact (N+1). Each element takes at least a byte. */
    private int arrayLength()
    {
        final int count = flexible ? compactLength() : int32Length();
        if (count < 0)
        {
            throw new MalformedRequestException("null or negative array length " + count);
        }
        if (count > limit - position)
        {
            throw new MalformedRequestException("array of " + count + " elements in " + (limit - position) + " bytes");
        }
        return count;
    }

    /** A nullable string's length (-1 for null): int16, or compact (N+1). */
    private int stringLength()
    {
        final int length;
        if (flexible)
        {
            length = compactLength();
        }
        else
        {
            require(2);
            length = buffer.getShort(position, ByteOrder.BIG_ENDIAN);
            position += 2;
        }
        return checked(length);
    }

    /** A nullable bytes (records) length (-1 for null): int32, or compact (N+1). */
    private int bytesLength()
    {
        return checked(flexible ? compactLength() : int32Length());
    }

    private void skipTaggedFields()
    {
        if (flexible)
        {
            position = TaggedFields.skip(buffer, position, limit, varintLength);
        }
    }

    private int int32Length()
    {
        require(4);
        final int length = buffer.getInt(position, ByteOrder.BIG_ENDIAN);
        position += 4;
        return length;
    }

    /** A compact length: unsigned varint N+1, where 0 means null (-1 here). */
    private int compactLength()
    {
        final int raw = Varints.readUnsignedVarint(buffer, position, limit, varintLength);
        position += varintLength[0];
        return raw - 1;
    }

    /** -1 (null) or a length that fits in what is left of the frame; anything else is a lie. */
    private int checked(final int length)
    {
        if (length < NULL_LENGTH)
        {
            throw new MalformedRequestException("negative length " + length);
        }
        if (length > limit - position)
        {
            throw new MalformedRequestException("length " + length + " runs past the frame");
        }
        return length;
    }

    private void require(final int bytes)
    {
        if (bytes > limit - position)
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

    /** Whether Kafka 4 still accepts records at this version (3+); 0-2 are answered UNSUPPORTED_VERSION. */
    public boolean isAcceptedVersion()
    {
        return version >= MIN_ACCEPTED_VERSION;
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
