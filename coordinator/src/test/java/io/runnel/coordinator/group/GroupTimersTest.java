package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.List;

import io.runnel.coordinator.group.GroupTimers.Kind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's timers on Agrona's DeadlineTimerWheel, driven by a clock the test sets. */
class GroupTimersTest
{
    private static final long START = 5_000_000;

    private final GroupTimers timers = new GroupTimers(START);
    private final List<String> fired = new ArrayList<>();

    private GroupTimers.Task record(final String name)
    {
        return now ->
        {
            fired.add(name + "@" + now);
            return new CoordinatorResult<>();
        };
    }

    private void poll(final long now)
    {
        timers.poll(now, result -> { });
    }

    @Test
    void aTimerFiresOnTheFirstPollAtOrAfterItsDeadlineAndOnlyOnce()
    {
        timers.schedule(Kind.CLASSIC_SESSION, "g", "m", START + 1_000, record("session"));
        poll(START + 999);
        assertEquals(List.of(), fired);
        poll(START + 1_000);
        assertEquals(List.of("session@" + (START + 1_000)), fired);
        poll(START + 5_000);
        assertEquals(1, fired.size());
        assertFalse(timers.isScheduled(Kind.CLASSIC_SESSION, "g", "m"));
    }

    @Test
    void schedulingAKeyAgainReplacesItsDeadline()
    {
        timers.schedule(Kind.CONSUMER_SESSION, "g", "m", START + 1_000, record("first"));
        timers.schedule(Kind.CONSUMER_SESSION, "g", "m", START + 3_000, record("renewed"));
        poll(START + 2_000);
        assertEquals(List.of(), fired);
        poll(START + 3_000);
        assertEquals(List.of("renewed@" + (START + 3_000)), fired);
    }

    @Test
    void aCancelledTimerNeverFires()
    {
        timers.schedule(Kind.CLASSIC_REBALANCE, "g", null, START + 100, record("rebalance"));
        timers.cancel(Kind.CLASSIC_REBALANCE, "g", null);
        poll(START + 10_000);
        assertEquals(List.of(), fired);
        assertEquals(0, timers.size());
    }

    @Test
    void oneLatePollAfterALongPauseFiresEverythingThatIsDueAndNothingElse()
    {
        timers.schedule(Kind.CLASSIC_SESSION, "g", "a", START + 45_000, record("a"));
        timers.schedule(Kind.CLASSIC_SESSION, "g", "b", START + 200_000, record("b"));
        timers.schedule(Kind.CLASSIC_SESSION, "g", "c", START + 100, record("c"));
        poll(START + 120_000);
        assertEquals(List.of("c@" + (START + 120_000), "a@" + (START + 120_000)), fired);
        assertTrue(timers.isScheduled(Kind.CLASSIC_SESSION, "g", "b"));
    }

    @Test
    void aTaskMaySchedulePastDeadlinesWhichFireOnTheNextPoll()
    {
        timers.schedule(Kind.OFFSETS_RETENTION, "", null, START + 10, now ->
        {
            timers.schedule(Kind.OFFSETS_RETENTION, "", null, now, record("again"));
            return new CoordinatorResult<>();
        });
        poll(START + 10);
        assertEquals(List.of(), fired);
        poll(START + 11);
        assertEquals(List.of("again@" + (START + 11)), fired);
    }
}
