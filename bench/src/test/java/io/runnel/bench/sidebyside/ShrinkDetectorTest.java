package io.runnel.bench.sidebyside;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShrinkDetectorTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final long START = 1_000 * SECOND;

    private static ShrinkDetector detector()
    {
        return new ShrinkDetector(START, 1000, Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    @Test
    void waitsForTheFirstShrinkThenSettlesOnceTheSizeHoldsForTheSettleTime()
    {
        final ShrinkDetector d = detector();
        assertEquals(ShrinkDetector.State.WAITING, d.sample(START + SECOND, 1000));
        assertEquals(ShrinkDetector.State.WAITING, d.sample(START + 10 * SECOND, 1000));
        assertEquals(ShrinkDetector.State.SHRINKING, d.sample(START + 12 * SECOND, 900));
        // A pause between two shrinks shorter than the settle time does not end the clean.
        assertEquals(ShrinkDetector.State.SHRINKING, d.sample(START + 16 * SECOND, 900));
        assertEquals(ShrinkDetector.State.SHRINKING, d.sample(START + 17 * SECOND, 300));
        assertEquals(ShrinkDetector.State.SHRINKING, d.sample(START + 21 * SECOND, 300));
        assertEquals(ShrinkDetector.State.SETTLED, d.sample(START + 22 * SECOND, 300));
        assertTrue(d.state().finished());
        assertEquals(1000, d.sizeBefore());
        assertEquals(300, d.smallestSize());
        assertEquals(12.0, d.secondsToFirstShrink(), 1e-9);
        assertEquals(17.0, d.secondsToLastShrink(), 1e-9);
        assertEquals(START + 17 * SECOND, d.lastShrinkNanos());
    }

    @Test
    void aLogThatNeverShrinksIsGivenUpOnAtTheStartTimeout()
    {
        final ShrinkDetector d = detector();
        assertEquals(ShrinkDetector.State.WAITING, d.sample(START + 59 * SECOND, 1000));
        assertEquals(ShrinkDetector.State.NEVER_SHRANK, d.sample(START + 60 * SECOND, 1000));
        assertFalse(d.shrank());
        assertTrue(Double.isNaN(d.secondsToFirstShrink()));
        assertTrue(Double.isNaN(d.secondsToLastShrink()));
        assertEquals(1000, d.smallestSize());
    }

    @Test
    void growthIsNotProgressAndDoesNotRestartTheSettleClock()
    {
        final ShrinkDetector d = detector();
        d.sample(START + SECOND, 800);
        // A size above the smallest seen (a read racing a segment swap) neither counts as a shrink nor resets anything.
        assertEquals(ShrinkDetector.State.SHRINKING, d.sample(START + 3 * SECOND, 850));
        assertEquals(ShrinkDetector.State.SHRINKING, d.sample(START + 4 * SECOND, 800));
        assertEquals(ShrinkDetector.State.SETTLED, d.sample(START + 6 * SECOND, 820));
        assertEquals(800, d.smallestSize());
        assertEquals(1.0, d.secondsToLastShrink(), 1e-9);
    }

    @Test
    void aFinishedWatchIgnoresLaterSamples()
    {
        final ShrinkDetector d = detector();
        d.sample(START + SECOND, 500);
        assertEquals(ShrinkDetector.State.SETTLED, d.sample(START + 6 * SECOND, 500));
        assertEquals(ShrinkDetector.State.SETTLED, d.sample(START + 7 * SECOND, 100));
        assertEquals(500, d.smallestSize());
    }

    @Test
    void aShrinkSeenAtTheVeryLastMomentOfTheStartTimeoutStillCounts()
    {
        final ShrinkDetector d = detector();
        assertEquals(ShrinkDetector.State.SHRINKING, d.sample(START + 60 * SECOND, 999));
        assertEquals(60.0, d.secondsToFirstShrink(), 1e-9);
    }
}
