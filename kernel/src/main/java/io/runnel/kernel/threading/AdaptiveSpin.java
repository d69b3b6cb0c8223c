package io.runnel.kernel.threading;

/**
 * The spin and yield phases of an idle strategy, adapted to the traffic: each time they end without
 * having found work (the thread blocks or parks next), both are halved for the next time, down to a
 * single spin; each time they find work they are doubled back, up to the configured lengths. Under
 * sparse traffic, where the next message comes long after any spin would have ended, a thread then
 * stops spinning for nothing; under dense traffic the spins keep finding work and keep their length.
 *
 * <p>Shards ({@code ReactorIdleStrategy}) and the Aeron threads ({@link AdaptiveBackoffIdleStrategy})
 * share it. Not thread-safe: each strategy, and so each thread, has its own.
 */
public final class AdaptiveSpin
{
    private final int spins;
    private final int yields;
    /**
     * The most halvings: the one that leaves a single spin (or yield). Never none: a spin that finds
     * work is how the phases grow back.
     */
    private final int maxBackoffLevel;
    /** How far the phases are shortened now: they halve per level. */
    private int backoffLevel;
    /** Empty duty cycles in the current idle period. */
    private int idleCycles;
    private int spinBudget;
    private int yieldBudget;

    /**
     * @param spins  the longest spin phase, in empty duty cycles
     * @param yields the longest yield phase, in empty duty cycles
     */
    public AdaptiveSpin(final int spins, final int yields)
    {
        if (spins < 0 || yields < 0)
        {
            throw new IllegalArgumentException("spins and yields must not be negative: " + spins + ", " + yields);
        }
        this.spins = spins;
        this.yields = yields;
        this.spinBudget = spins;
        this.yieldBudget = yields;
        this.maxBackoffLevel = Math.max(0, 31 - Integer.numberOfLeadingZeros(Math.max(spins, yields)));
    }

    /** Empty duty cycles to spin through now before yielding. */
    public int spinBudget()
    {
        return spinBudget;
    }

    /** Empty duty cycles to yield through now before blocking. */
    public int yieldBudget()
    {
        return yieldBudget;
    }

    /**
     * One empty duty cycle: spins or yields and returns true while the idle period is within the
     * phases; past them returns false, and the caller blocks (or parks). The first cycle past them
     * shortens the phases for the next time.
     */
    public boolean spinOrYield()
    {
        if (idleCycles < Integer.MAX_VALUE) // a thread idle for weeks must not wrap round into spinning
        {
            idleCycles++;
        }
        if (idleCycles <= spinBudget)
        {
            Thread.onSpinWait();
            return true;
        }
        if (idleCycles <= spinBudget + yieldBudget)
        {
            Thread.yield();
            return true;
        }
        if (idleCycles == spinBudget + yieldBudget + 1 && backoffLevel < maxBackoffLevel)
        {
            backoffLevel(backoffLevel + 1); // spinning and yielding found nothing: spin less next time
        }
        return false;
    }

    /** A duty cycle with work: if a spin or yield found it, lengthen the phases; the next idle period starts afresh. */
    public void onWork()
    {
        if (idleCycles > 0 && idleCycles <= spinBudget + yieldBudget && backoffLevel > 0)
        {
            backoffLevel(backoffLevel - 1);
        }
        idleCycles = 0;
    }

    /** Starts the next idle period afresh, as after work, without counting it as found by a spin. */
    public void reset()
    {
        idleCycles = 0;
    }

    private void backoffLevel(final int level)
    {
        backoffLevel = level;
        spinBudget = spins >> level;
        yieldBudget = yields >> level;
    }
}
