package io.runnel.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.runnel.codecs.Varints;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Kafka varints: compact lengths and tagged fields (unsigned) in every flexible request, and the
 * zig-zag varints/varlongs inside every record that batch validation walks. Values are a seeded
 * mix of 1- to 5-byte (10-byte for varlongs) encodings so that branch prediction does not learn
 * one length; each invocation writes then reads back {@value #VALUES} values, and the score is
 * per value (write + read).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class VarintBenchmark
{
    static final int VALUES = 1024;

    private final int[] ints = new int[VALUES];
    private final int[] signedInts = new int[VALUES];
    private final long[] signedLongs = new long[VALUES];
    private final int[] length = new int[1];
    private UnsafeBuffer buffer;

    @Setup
    public void setup()
    {
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(VALUES * Varints.MAX_VARLONG_BYTES, 64));
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < VALUES; i++)
        {
            // Uniform over bit widths rather than over values, or nearly every value would take 5 bytes.
            final int bits = random.nextInt(1, 32);
            ints[i] = random.nextInt(1 << (bits - 1), bits == 31 ? Integer.MAX_VALUE : 1 << bits);
            signedInts[i] = random.nextBoolean() ? ints[i] : -ints[i];
            final int longBits = random.nextInt(1, 63);
            final long magnitude = random.nextLong(1L << (longBits - 1), 1L << longBits);
            signedLongs[i] = random.nextBoolean() ? magnitude : -magnitude;
        }
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public int unsignedVarint()
    {
        int position = 0;
        for (int i = 0; i < VALUES; i++)
        {
            position += Varints.writeUnsignedVarint(buffer, position, ints[i]);
        }
        final int limit = position;
        int sum = 0;
        position = 0;
        for (int i = 0; i < VALUES; i++)
        {
            sum += Varints.readUnsignedVarint(buffer, position, limit, length);
            position += length[0];
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public int zigZagVarint()
    {
        int position = 0;
        for (int i = 0; i < VALUES; i++)
        {
            position += Varints.writeVarint(buffer, position, signedInts[i]);
        }
        final int limit = position;
        int sum = 0;
        position = 0;
        for (int i = 0; i < VALUES; i++)
        {
            sum += Varints.readVarint(buffer, position, limit, length);
            position += length[0];
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public long zigZagVarlong()
    {
        int position = 0;
        for (int i = 0; i < VALUES; i++)
        {
            position += Varints.writeVarlong(buffer, position, signedLongs[i]);
        }
        final int limit = position;
        long sum = 0;
        position = 0;
        for (int i = 0; i < VALUES; i++)
        {
            sum += Varints.readVarlong(buffer, position, limit, length);
            position += length[0];
        }
        return sum;
    }
}
