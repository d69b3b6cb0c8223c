package io.runnel.bench.omb;

/** A workload or driver file, or a flag, that cannot be used: reported as one line, no stack trace. */
public final class BenchConfigException extends RuntimeException
{
    public BenchConfigException(final String message)
    {
        super(message, null, false, false);
    }
}
