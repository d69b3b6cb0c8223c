package io.runnel.archfixture.bench;

/** Breaks nothing itself: bench may use anything, but nothing may use bench. */
public final class FixtureLoad
{
}
