package io.runnel.kernel.threading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The Aeron threads' backoff: adaptive spin and yield phases (as the shards'), then parks that
 * double from the shortest to the longest and start again after work. Driven as an AgentRunner
 * drives it, idle(workCount) after every duty cycle, with microsecond parks so the test is quick.
 */
class AdaptiveBackoffIdleStrategyTest
{
    private static final int SPINS = 10;
    private static final int YIELDS = 4;
    private static final long MIN_PARK_NS = 1_000;
    private static final long MAX_PARK_NS = 8_000;

    private final AdaptiveBackoffIdleStrategy idle = new AdaptiveBackoffIdleStrategy(SPINS, YIELDS, MIN_PARK_NS, MAX_PARK_NS);

    private void emptyCycles(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            idle.idle(0);
        }
    }

    @Test
    void parksDoubleUpToTheLongestAfterThePhases()
    {
        idle.idle(1);
        emptyCycles(SPINS + YIELDS);
        assertEquals(MIN_PARK_NS, idle.nextParkNs(), "no park during the spin and yield phases");
        emptyCycles(1);
        assertEquals(2 * MIN_PARK_NS, idle.nextParkNs());
        emptyCycles(2);
        assertEquals(MAX_PARK_NS, idle.nextParkNs());
        emptyCycles(3);
        assertEquals(MAX_PARK_NS, idle.nextParkNs(), "never beyond the longest");
    }

    @Test
    void workStartsTheParksAgainFromTheShortest()
    {
        idle.idle(1);
        emptyCycles(SPINS + YIELDS + 3);
        idle.idle(1);
        assertEquals(MIN_PARK_NS, idle.nextParkNs());
    }

    @Test
    void phasesThatEndInAParkHalveAndPhasesThatFindWorkGrowBack()
    {
        idle.idle(1);
        emptyCycles(SPINS + YIELDS + 1);
        assertEquals(SPINS / 2, idle.phases().spinBudget());
        assertEquals(YIELDS / 2, idle.phases().yieldBudget());

        for (int i = 0; i < 10; i++)
        {
            idle.idle(1);
            emptyCycles(idle.phases().spinBudget() + idle.phases().yieldBudget() + 1);
        }
        assertEquals(1, idle.phases().spinBudget(), "never below one spin: a spin that finds work is how the phases grow back");
        assertEquals(0, idle.phases().yieldBudget());

        for (int i = 0; i < 10; i++)
        {
            idle.idle(1);
            emptyCycles(1);
            idle.idle(1);
        }
        assertEquals(SPINS, idle.phases().spinBudget());
        assertEquals(YIELDS, idle.phases().yieldBudget());
    }

    @Test
    void resetStartsAnIdlePeriodAfresh()
    {
        idle.idle(1);
        emptyCycles(SPINS + YIELDS + 2);
        idle.reset();
        assertEquals(MIN_PARK_NS, idle.nextParkNs());
    }

    @Test
    void refusesParksThatCannotDouble()
    {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveBackoffIdleStrategy(1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveBackoffIdleStrategy(1, 1, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveBackoffIdleStrategy(-1, 1, 1, 5));
    }
}
