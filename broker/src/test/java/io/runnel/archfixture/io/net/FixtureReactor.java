package io.runnel.archfixture.io.net;

import io.runnel.archfixture.io.api.FixtureRouter;

/** Violates "net knows no API" and, with {@link FixtureRouter}, closes the cycle io.net -> io.api -> io.net. */
public final class FixtureReactor
{
    private final FixtureRouter router = new FixtureRouter();

    public boolean isOpen()
    {
        return router != null;
    }
}
