package io.runnel.cluster.metadata;

import org.apache.kafka.common.protocol.Errors;

/**
 * A command that cannot be decoded. Carries the command's correlation id when even that could not
 * be read ({@link #NO_CORRELATION_ID}): such a command cannot be answered and is dropped.
 */
public final class MalformedCommandException extends Exception
{
    /** The correlation id of a command too short or too foreign to have one. */
    public static final long NO_CORRELATION_ID = Long.MIN_VALUE;

    private static final long serialVersionUID = 1L;

    private final long correlationId;
    private final transient Errors error;

    public MalformedCommandException(final long correlationId, final Errors error, final String message)
    {
        super(message, null, false, false);
        this.correlationId = correlationId;
        this.error = error;
    }

    public long correlationId()
    {
        return correlationId;
    }

    public boolean answerable()
    {
        return correlationId != NO_CORRELATION_ID;
    }

    public Errors error()
    {
        return error;
    }
}
