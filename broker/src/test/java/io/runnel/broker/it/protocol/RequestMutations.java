package io.runnel.broker.it.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.Schema;

/**
 * Broken variants of one valid request body, fixed in number and, with a seeded Random,
 * reproducible: the body cut short at several points, each of a spread of its length prefixes
 * made to lie (just past the end, huge, negative other than the -1 that means null), and
 * random bytes. A truncated or lying body must be refused; a random one may, by luck, decode.
 */
final class RequestMutations
{
    /** @param mustFail a request that cannot be read: only an error response or a closed connection is right */
    record Mutation(String name, byte[] body, boolean mustFail)
    {
    }

    /** Fractions of the body kept by the truncations (0 keeps nothing; the last cut keeps all but one byte). */
    private static final double[] TRUNCATIONS = {0.0, 0.25, 0.5, 0.75};
    /** Lies per body at most, spread over its prefixes: enough to reach nested fields, bounded in count. */
    private static final int MAX_LYING_PREFIXES = 6;
    private static final int RANDOM_BODIES = 2;
    private static final int MIN_RANDOM_BODY = 16;

    private RequestMutations()
    {
    }

    static List<Mutation> of(final ApiKeys api, final short version, final byte[] body, final Random random)
    {
        final List<Mutation> mutations = new ArrayList<>();
        truncations(body, mutations);
        lies(prefixes(api, version, body), body, mutations);
        for (int i = 0; i < RANDOM_BODIES; i++)
        {
            final byte[] noise = new byte[Math.max(MIN_RANDOM_BODY, body.length)];
            random.nextBytes(noise);
            mutations.add(new Mutation("random body " + i, noise, false));
        }
        return mutations;
    }

    private static void truncations(final byte[] body, final List<Mutation> mutations)
    {
        final TreeSet<Integer> cuts = new TreeSet<>();
        for (final double kept : TRUNCATIONS)
        {
            cuts.add((int)(body.length * kept));
        }
        cuts.add(body.length - 1);
        for (final int cut : cuts)
        {
            if (cut >= 0 && cut < body.length)
            {
                mutations.add(new Mutation("truncated to " + cut + " of " + body.length + " bytes", Arrays.copyOf(body, cut), true));
            }
        }
    }

    private static List<LengthPrefixes.Prefix> prefixes(final ApiKeys api, final short version, final byte[] body)
    {
        if (api == ApiKeys.PRODUCE && version < ApiCases.FIRST_REAL_PRODUCE_VERSION)
        {
            return produceBeforeV3Prefixes(body);
        }
        final Schema schema = api.messageType.requestSchemas()[version];
        return LengthPrefixes.of(schema, body);
    }

    /** kafka-clients 4.x has no schema for Produce v0-2: the layout of {@link SweepRequests#produceBeforeV3}. */
    private static List<LengthPrefixes.Prefix> produceBeforeV3Prefixes(final byte[] body)
    {
        final int topics = 6;
        final int name = topics + 4;
        final int nameLength = ByteBuffer.wrap(body).getShort(name);
        final int partitions = name + 2 + nameLength;
        final int records = partitions + 4 + 4;
        return List.of(
            new LengthPrefixes.Prefix(topics, LengthPrefixes.Encoding.INT32, "topics[]", false),
            new LengthPrefixes.Prefix(name, LengthPrefixes.Encoding.INT16, "topics.name", false),
            new LengthPrefixes.Prefix(partitions, LengthPrefixes.Encoding.INT32, "topics.partitions[]", false),
            new LengthPrefixes.Prefix(records, LengthPrefixes.Encoding.INT32, "topics.partitions.records", true));
    }

    private static void lies(final List<LengthPrefixes.Prefix> prefixes, final byte[] body, final List<Mutation> mutations)
    {
        final int step = Math.max(1, (prefixes.size() + MAX_LYING_PREFIXES - 1) / MAX_LYING_PREFIXES);
        for (int i = 0; i < prefixes.size(); i += step)
        {
            final LengthPrefixes.Prefix prefix = prefixes.get(i);
            final int remaining = body.length - prefix.position();
            final String where = prefix.field() + " at " + prefix.position();
            mutations.add(new Mutation(where + " just past the end", withLength(body, prefix, remaining + 1), true));
            mutations.add(new Mutation(where + " huge", withLength(body, prefix, hugeLength(prefix.encoding())), true));
            // Kafka reads any negative length of a nullable field as null: there -2 is a valid null.
            mutations.add(new Mutation(where + " -2", withLength(body, prefix, -2), !prefix.nullable()));
        }
    }

    private static int hugeLength(final LengthPrefixes.Encoding encoding)
    {
        return encoding == LengthPrefixes.Encoding.INT16 ? Short.MAX_VALUE : Integer.MAX_VALUE - 1;
    }

    /** The body with the prefix at {@code prefix} saying {@code length} (a compact prefix is spliced: its width may change). */
    static byte[] withLength(final byte[] body, final LengthPrefixes.Prefix prefix, final int length)
    {
        final int at = prefix.position();
        switch (prefix.encoding())
        {
            case INT16 ->
            {
                final byte[] copy = body.clone();
                ByteBuffer.wrap(copy).putShort(at, (short)Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, length)));
                return copy;
            }
            case INT32 ->
            {
                final byte[] copy = body.clone();
                ByteBuffer.wrap(copy).putInt(at, length);
                return copy;
            }
            default ->
            {
                final ByteBuffer old = ByteBuffer.wrap(body, at, body.length - at);
                LengthPrefixes.readUnsignedVarint(old);
                final int oldEnd = old.position();
                // Compact lengths are written as length + 1 (0 is null); -2 becomes 0xFFFFFFFF.
                final byte[] lie = LengthPrefixes.unsignedVarint(length + 1);
                final ByteBuffer out = ByteBuffer.allocate(at + lie.length + body.length - oldEnd);
                out.put(body, 0, at).put(lie).put(body, oldEnd, body.length - oldEnd);
                return out.array();
            }
        }
    }
}
