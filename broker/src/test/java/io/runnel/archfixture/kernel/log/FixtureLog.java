package io.runnel.archfixture.kernel.log;

/** Breaks nothing: a kernel class that io may use. */
public final class FixtureLog
{
    public long endOffset()
    {
        return 0;
    }
}
