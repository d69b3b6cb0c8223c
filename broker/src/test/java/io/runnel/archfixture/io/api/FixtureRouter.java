package io.runnel.archfixture.io.api;

import io.runnel.archfixture.io.net.FixtureReactor;
import io.runnel.archfixture.kernel.log.FixtureLog;

/** Uses the kernel (allowed) and io.net (allowed alone, but {@link FixtureReactor} uses this package: a cycle). */
public final class FixtureRouter
{
    public long route(final FixtureReactor reactor, final FixtureLog log)
    {
        return reactor.isOpen() ? log.endOffset() : -1;
    }
}
