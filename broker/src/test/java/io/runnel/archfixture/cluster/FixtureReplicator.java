package io.runnel.archfixture.cluster;

import io.runnel.archfixture.bench.FixtureLoad;
import io.runnel.archfixture.io.api.FixtureRouter;

/** Violates layering twice: cluster uses io (io and cluster do not depend on each other) and bench (nothing does). */
public final class FixtureReplicator
{
    public Object[] parts(final FixtureRouter router, final FixtureLoad load)
    {
        return new Object[] {router, load};
    }
}
