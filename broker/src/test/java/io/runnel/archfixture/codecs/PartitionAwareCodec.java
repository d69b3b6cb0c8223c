package io.runnel.archfixture.codecs;

import io.runnel.archfixture.kernel.log.FixtureLog;

/** Violates layering and "codecs knows nothing about partitions": a codec that uses the kernel. */
public final class PartitionAwareCodec
{
    public long encode(final FixtureLog log)
    {
        return log.endOffset();
    }
}
