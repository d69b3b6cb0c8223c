package io.runnel.broker.config;

import java.util.Locale;

/** {@code runnel.idle.strategy}: how an idle shard waits. */
public enum IdleStrategyType
{
    BACKOFF, BUSY_SPIN;

    public static IdleStrategyType parse(final String value)
    {
        return switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "backoff" -> BACKOFF;
            case "busy-spin", "busyspin", "busy_spin" -> BUSY_SPIN;
            default -> throw new IllegalArgumentException("must be backoff or busy-spin");
        };
    }
}
