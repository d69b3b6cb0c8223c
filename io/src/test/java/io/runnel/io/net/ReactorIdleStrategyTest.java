package io.runnel.io.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.Selector;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The adaptive spin: phases that end in a block without work halve, down to a single spin;
 * phases that find work double back, up to the configured lengths. Driven as an AgentRunner drives
 * it (idle(workCount) after every duty cycle), on a selector with nothing registered, so each block
 * is a 1 ms select that times out.
 */
class ReactorIdleStrategyTest
{
    private static final int SPINS = 100;
    private static final int YIELDS = 20;
    private Selector selector;
    private ReactorIdleStrategy idle;

    @BeforeEach
    void open() throws IOException
    {
        selector = Selector.open();
        idle = new ReactorIdleStrategy(selector, () -> false, () -> 1L, SPINS, YIELDS);
    }

    @AfterEach
    void close() throws IOException
    {
        selector.close();
    }

    /** A duty cycle with work, then empty ones until the strategy has blocked once. */
    private void workThenNothingUntilBlocked()
    {
        idle.idle(1);
        final int phases = idle.spinBudget() + idle.yieldBudget();
        for (int i = 0; i <= phases; i++)
        {
            idle.idle(0);
        }
    }

    /** A duty cycle with work, {@code emptyCycles} without, then work again: the spin found it. */
    private void workFoundWhileSpinning(final int emptyCycles)
    {
        idle.idle(1);
        for (int i = 0; i < emptyCycles; i++)
        {
            idle.idle(0);
        }
        idle.idle(1);
    }

    @Test
    void startsAtTheConfiguredLengths()
    {
        assertEquals(SPINS, idle.spinBudget());
        assertEquals(YIELDS, idle.yieldBudget());
    }

    @Test
    void phasesEndingInABlockHalveDownToASingleSpin()
    {
        workThenNothingUntilBlocked();
        assertEquals(50, idle.spinBudget());
        assertEquals(10, idle.yieldBudget());

        for (int i = 0; i < 20; i++)
        {
            workThenNothingUntilBlocked();
        }
        assertEquals(1, idle.spinBudget(), "never below one spin: a spin that finds work is how the phases grow back");
        assertEquals(0, idle.yieldBudget());
    }

    @Test
    void aSpinThatFindsWorkDoublesThePhasesBackUpToTheirLengths()
    {
        for (int i = 0; i < 20; i++)
        {
            workThenNothingUntilBlocked();
        }
        workFoundWhileSpinning(1);
        assertEquals(3, idle.spinBudget());
        workFoundWhileSpinning(1);
        assertEquals(6, idle.spinBudget());

        for (int i = 0; i < 20; i++)
        {
            workFoundWhileSpinning(1);
        }
        assertEquals(SPINS, idle.spinBudget());
        assertEquals(YIELDS, idle.yieldBudget());
    }

    @Test
    void consecutiveBusyCyclesAndRepeatedBlocksChangeNothingMore()
    {
        for (int i = 0; i < 1_000; i++)
        {
            idle.idle(1);
        }
        assertEquals(SPINS, idle.spinBudget(), "work without idle cycles between is not a spin that found work");

        workThenNothingUntilBlocked();
        for (int i = 0; i < 5; i++)
        {
            idle.idle(0);
        }
        assertEquals(50, idle.spinBudget(), "one halving per phase, not per timed-out block after it");
    }

    @Test
    void noSpinsAndNoYieldsConfiguredStayNone()
    {
        idle = new ReactorIdleStrategy(selector, () -> false, () -> 1L, 0, 0);
        workThenNothingUntilBlocked();
        workFoundWhileSpinning(0);
        assertEquals(0, idle.spinBudget());
        assertEquals(0, idle.yieldBudget());
    }
}
