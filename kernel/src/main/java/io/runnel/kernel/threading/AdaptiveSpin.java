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

    /** Whether an idle period this many empty cycles long is still in the spin or yield phase. */
    public boolean spinningOrYielding(final int idleCycles)
    {
        return idleCycles <= spinBudget + yieldBudget;
    }

    /** Work came after {@code idleCycles} empty duty cycles: if a spin or yield found it, lengthen the phases. */
    public void onWork(final int idleCycles)
    {
        if (idleCycles > 0 && spinningOrYielding(idleCycles) && backoffLevel > 0)
        {
            backoffLevel(backoffLevel - 1);
        }
    }

    /** The spin and yield phases ended without work (the thread blocks now): shorten them for next time. */
    public void onPhasesEndedEmpty()
    {
        if (backoffLevel < maxBackoffLevel)
        {
            backoffLevel(backoffLevel + 1);
        }
    }

    private void backoffLevel(final int level)
    {
        backoffLevel = level;
        spinBudget = spins >> level;
        yieldBudget = yields >> level;
    }
}
