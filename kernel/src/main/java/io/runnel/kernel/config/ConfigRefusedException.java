package io.runnel.kernel.config;

/**
 * A config change that is refused as a whole, with the reason Kafka gives for it: a value or key
 * that is not valid ({@link Reason#INVALID_CONFIG}), or a request that cannot be carried out at all,
 * such as a key that cannot change at run time ({@link Reason#INVALID_REQUEST}).
 */
public final class ConfigRefusedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why a change is refused; the network layer answers each with the Kafka error of the same name. */
    public enum Reason
    {
        INVALID_CONFIG,
        INVALID_REQUEST
    }

    private final Reason reason;

    public ConfigRefusedException(final Reason reason, final String message)
    {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason()
    {
        return reason;
    }
}
