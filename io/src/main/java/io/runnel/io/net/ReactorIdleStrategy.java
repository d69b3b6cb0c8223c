package io.runnel.io.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.agrona.concurrent.IdleStrategy;

/**
 * Backoff for a shard whose work arrives on sockets as well as in its inbox: spin, then yield,
 * then block in the reactor's selector, so an idle shard costs no CPU yet wakes on the next
 * packet at once. Inbox offers wake it through {@link #wakeup()}, which touches the selector only
 * while the shard is actually blocked.
 */
public final class ReactorIdleStrategy implements IdleStrategy
{
    public static final int DEFAULT_SPINS = 100;
    public static final int DEFAULT_YIELDS = 20;

    private final Selector selector;
    private final BooleanSupplier hasPendingCommands;
    private final LongSupplier maxBlockMs;
    private final int spins;
    private final int yields;
    private volatile boolean blocked;
    private int idleCycles;

    /**
     * @param maxBlockMs how long the selector may block now: short while fetches are parked (their
     *                   partitions' high watermarks are polled), long otherwise (sockets and inbox
     *                   offers wake the selector).
     * @param spins      empty duty cycles to spin through before yielding; each one polls the sockets (a selectNow
     *                   system call), so spinning trades CPU for the wake-up latency of a blocked selector
     * @param yields     empty duty cycles that yield the core before the shard blocks
     */
    public ReactorIdleStrategy(final Selector selector, final BooleanSupplier hasPendingCommands, final LongSupplier maxBlockMs,
        final int spins, final int yields)
    {
        this.selector = selector;
        this.hasPendingCommands = hasPendingCommands;
        this.maxBlockMs = maxBlockMs;
        this.spins = spins;
        this.yields = yields;
    }

    /** Called by other threads after they offer a command to this shard. */
    public void wakeup()
    {
        if (blocked)
        {
            selector.wakeup();
        }
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            idleCycles = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        idleCycles++;
        if (idleCycles <= spins)
        {
            Thread.onSpinWait();
        }
        else if (idleCycles <= spins + yields)
        {
            Thread.yield();
        }
        else
        {
            blocked = true;
            try
            {
                // Re-check after announcing we block: an offer made before 'blocked' was visible is seen here.
                if (!hasPendingCommands.getAsBoolean())
                {
                    selector.select(maxBlockMs.getAsLong());
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                blocked = false;
            }
        }
    }

    @Override
    public void reset()
    {
        idleCycles = 0;
    }

    @Override
    public String alias()
    {
        return "reactor-backoff";
    }
}
