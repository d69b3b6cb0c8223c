package io.runnel.codecs.protocol;

import io.runnel.codecs.Varints;
import org.agrona.DirectBuffer;

/** Tagged-field sections of flexible versions (KIP-482): skipped, since Runnel reads none yet. */
public final class TaggedFields
{
    private TaggedFields()
    {
    }

    /** @return the position after the tagged-field section that starts at {@code position}. */
    public static int skip(final DirectBuffer buffer, final int position, final int limit, final int[] varintLength)
    {
        int cursor = position;
        try
        {
            final int count = Varints.readUnsignedVarint(buffer, cursor, limit, varintLength);
            cursor += varintLength[0];
            for (int i = 0; i < count; i++)
            {
                Varints.readUnsignedVarint(buffer, cursor, limit, varintLength); // tag
                cursor += varintLength[0];
                final int size = Varints.readUnsignedVarint(buffer, cursor, limit, varintLength);
                cursor += varintLength[0];
                if (size < 0 || size > limit - cursor)
                {
                    throw new MalformedRequestException("tagged field runs past the frame");
                }
                cursor += size;
            }
        }
        catch (final Varints.MalformedVarintException ex)
        {
            throw new MalformedRequestException(ex.getMessage());
        }
        return cursor;
    }
}
