package io.runnel.broker.it.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.protocol.types.ArrayOf;
import org.apache.kafka.common.protocol.types.BoundField;
import org.apache.kafka.common.protocol.types.CompactArrayOf;
import org.apache.kafka.common.protocol.types.NullableSchema;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Type;

/**
 * Where the length prefixes of a request body are: the body is walked along kafka-clients'
 * schema of its version (the same schema the generated class writes), and every string, bytes,
 * records and array prefix is noted with its position and encoding, for the hostile sweep to
 * make it lie.
 */
final class LengthPrefixes
{
    /** How a prefix is written: int16 (strings), int32 (arrays, bytes, records) or an unsigned varint of length + 1 (compact). */
    enum Encoding
    {
        INT16, INT32, UNSIGNED_VARINT
    }

    /** @param nullable a negative length means null here (Kafka's readers take any negative so) */
    record Prefix(int position, Encoding encoding, String field, boolean nullable)
    {
    }

    private static final Set<Type> INT16_PREFIXED = Set.of(Type.STRING, Type.NULLABLE_STRING);
    private static final Set<Type> INT32_PREFIXED = Set.of(Type.BYTES, Type.NULLABLE_BYTES, Type.RECORDS, Type.NULLABLE_RECORDS);
    private static final Set<Type> NULLABLE = Set.of(Type.NULLABLE_STRING, Type.COMPACT_NULLABLE_STRING, Type.NULLABLE_BYTES,
        Type.COMPACT_NULLABLE_BYTES, Type.NULLABLE_RECORDS, Type.COMPACT_NULLABLE_RECORDS);
    private static final Set<Type> VARINT_PREFIXED = Set.of(Type.COMPACT_STRING, Type.COMPACT_NULLABLE_STRING, Type.COMPACT_BYTES,
        Type.COMPACT_NULLABLE_BYTES, Type.COMPACT_RECORDS, Type.COMPACT_NULLABLE_RECORDS);

    private LengthPrefixes()
    {
    }

    static List<Prefix> of(final Schema schema, final byte[] body)
    {
        final List<Prefix> prefixes = new ArrayList<>();
        final ByteBuffer buffer = ByteBuffer.wrap(body);
        walk(schema, "", buffer, prefixes);
        if (buffer.hasRemaining())
        {
            throw new IllegalStateException("schema walk stopped " + buffer.remaining() + " bytes before the end");
        }
        return prefixes;
    }

    private static void walk(final Type type, final String field, final ByteBuffer buffer, final List<Prefix> prefixes)
    {
        final int position = buffer.position();
        if (type instanceof NullableSchema)
        {
            // A nullable struct has a marker byte, not a length: nothing to lie about in the marker itself.
            type.read(buffer);
        }
        else if (type instanceof Schema schema)
        {
            for (final BoundField bound : schema.fields())
            {
                walk(bound.def.type, field.isEmpty() ? bound.def.name : field + "." + bound.def.name, buffer, prefixes);
            }
        }
        else if (type instanceof ArrayOf array)
        {
            final int count = buffer.getInt();
            prefixes.add(new Prefix(position, Encoding.INT32, field + "[]", array.isNullable()));
            elements(array.arrayElementType().orElseThrow(), field, count, buffer, prefixes);
        }
        else if (type instanceof CompactArrayOf array)
        {
            final int count = readUnsignedVarint(buffer) - 1;
            prefixes.add(new Prefix(position, Encoding.UNSIGNED_VARINT, field + "[]", array.isNullable()));
            elements(array.arrayElementType().orElseThrow(), field, count, buffer, prefixes);
        }
        else
        {
            if (INT16_PREFIXED.contains(type))
            {
                prefixes.add(new Prefix(position, Encoding.INT16, field, NULLABLE.contains(type)));
            }
            else if (INT32_PREFIXED.contains(type))
            {
                prefixes.add(new Prefix(position, Encoding.INT32, field, NULLABLE.contains(type)));
            }
            else if (VARINT_PREFIXED.contains(type))
            {
                prefixes.add(new Prefix(position, Encoding.UNSIGNED_VARINT, field, NULLABLE.contains(type)));
            }
            // Fixed-size fields and tagged-field sections: the type reads past itself.
            type.read(buffer);
        }
    }

    private static void elements(final Type element, final String field, final int count, final ByteBuffer buffer,
        final List<Prefix> prefixes)
    {
        for (int i = 0; i < count; i++)
        {
            walk(element, field + "[" + i + "]", buffer, prefixes);
        }
    }

    static int readUnsignedVarint(final ByteBuffer buffer)
    {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            final byte b = buffer.get();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new IllegalStateException("varint longer than 5 bytes");
    }

    static byte[] unsignedVarint(final int value)
    {
        final ByteBuffer out = ByteBuffer.allocate(5);
        int v = value;
        while ((v & ~0x7F) != 0)
        {
            out.put((byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte)v);
        final byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }
}
