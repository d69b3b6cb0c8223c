package io.runnel.coordinator.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The key/value formats of the records Runnel keeps in {@code __consumer_offsets}: committed
 * offsets and group metadata. Big-endian, length-prefixed strings and bytes (length -1 = null);
 * a record with a null value deletes its key. Runnel's own layout, versioned per record: the
 * topic is internal and never read by clients.
 */
final class GroupRecords
{
    static final short OFFSET_KEY = 0;
    static final short GROUP_KEY = 1;
    private static final short VALUE_VERSION = 0;

    record OffsetKey(String group, String topic, int partition)
    {
    }

    record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestamp)
    {
    }

    record MemberValue(String memberId, String instanceId, String clientId, String clientHost,
        int sessionTimeoutMs, int rebalanceTimeoutMs, byte[] subscription, byte[] assignment)
    {
    }

    record GroupValue(String protocolType, int generation, String protocolName, String leader, List<MemberValue> members)
    {
    }

    private GroupRecords()
    {
    }

    static byte[] offsetKey(final String group, final String topic, final int partition)
    {
        final byte[] g = utf8(group);
        final byte[] t = utf8(topic);
        return ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4)
            .putShort(OFFSET_KEY).putShort((short)g.length).put(g).putShort((short)t.length).put(t).putInt(partition).array();
    }

    static byte[] groupKey(final String group)
    {
        final byte[] g = utf8(group);
        return ByteBuffer.allocate(2 + 2 + g.length).putShort(GROUP_KEY).putShort((short)g.length).put(g).array();
    }

    static short keyType(final ByteBuffer key)
    {
        return key.getShort(key.position());
    }

    static OffsetKey readOffsetKey(final ByteBuffer key)
    {
        final ByteBuffer in = key.duplicate();
        in.getShort();
        return new OffsetKey(readString(in), readString(in), in.getInt());
    }

    static String readGroupKey(final ByteBuffer key)
    {
        final ByteBuffer in = key.duplicate();
        in.getShort();
        return readString(in);
    }

    static byte[] offsetValue(final OffsetValue value)
    {
        final byte[] metadata = value.metadata() == null ? null : utf8(value.metadata());
        final ByteBuffer out = ByteBuffer.allocate(2 + 8 + 4 + 4 + (metadata == null ? 0 : metadata.length) + 8);
        out.putShort(VALUE_VERSION).putLong(value.offset()).putInt(value.leaderEpoch());
        putBytes(out, metadata);
        return out.putLong(value.commitTimestamp()).array();
    }

    static OffsetValue readOffsetValue(final ByteBuffer value)
    {
        final ByteBuffer in = value.duplicate();
        in.getShort();
        final long offset = in.getLong();
        final int epoch = in.getInt();
        final byte[] metadata = readBytes(in);
        return new OffsetValue(offset, epoch, metadata == null ? null : new String(metadata, StandardCharsets.UTF_8), in.getLong());
    }

    static byte[] groupValue(final GroupValue value)
    {
        final List<byte[]> parts = new ArrayList<>();
        int size = 2 + 4 + 4;
        for (final String s : new String[] {value.protocolType(), value.protocolName(), value.leader()})
        {
            final byte[] bytes = s == null ? null : utf8(s);
            parts.add(bytes);
            size += 4 + (bytes == null ? 0 : bytes.length);
        }
        for (final MemberValue member : value.members())
        {
            for (final String s : new String[] {member.memberId(), member.instanceId(), member.clientId(), member.clientHost()})
            {
                final byte[] bytes = s == null ? null : utf8(s);
                parts.add(bytes);
                size += 4 + (bytes == null ? 0 : bytes.length);
            }
            parts.add(member.subscription());
            parts.add(member.assignment());
            size += 8 + 8 + len(member.subscription()) + len(member.assignment());
        }
        final ByteBuffer out = ByteBuffer.allocate(size);
        out.putShort(VALUE_VERSION).putInt(value.generation());
        int part = 0;
        putBytes(out, parts.get(part++));
        putBytes(out, parts.get(part++));
        putBytes(out, parts.get(part++));
        out.putInt(value.members().size());
        for (final MemberValue member : value.members())
        {
            for (int i = 0; i < 4; i++)
            {
                putBytes(out, parts.get(part++));
            }
            out.putInt(member.sessionTimeoutMs()).putInt(member.rebalanceTimeoutMs());
            putBytes(out, parts.get(part++));
            putBytes(out, parts.get(part++));
        }
        return out.array();
    }

    static GroupValue readGroupValue(final ByteBuffer value)
    {
        final ByteBuffer in = value.duplicate();
        in.getShort();
        final int generation = in.getInt();
        final String protocolType = readString4(in);
        final String protocolName = readString4(in);
        final String leader = readString4(in);
        final int count = in.getInt();
        final List<MemberValue> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final String memberId = readString4(in);
            final String instanceId = readString4(in);
            final String clientId = readString4(in);
            final String clientHost = readString4(in);
            final int session = in.getInt();
            final int rebalance = in.getInt();
            members.add(new MemberValue(memberId, instanceId, clientId, clientHost, session, rebalance, readBytes(in), readBytes(in)));
        }
        return new GroupValue(protocolType, generation, protocolName, leader, members);
    }

    private static int len(final byte[] bytes)
    {
        return bytes == null ? 0 : bytes.length;
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putBytes(final ByteBuffer out, final byte[] bytes)
    {
        if (bytes == null)
        {
            out.putInt(-1);
        }
        else
        {
            out.putInt(bytes.length).put(bytes);
        }
    }

    private static byte[] readBytes(final ByteBuffer in)
    {
        final int length = in.getInt();
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private static String readString4(final ByteBuffer in)
    {
        final byte[] bytes = readBytes(in);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String readString(final ByteBuffer in)
    {
        final byte[] bytes = new byte[in.getShort()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
