package io.runnel.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.runnel.codecs.batch.BatchChecksum;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32C over an off-heap buffer: every produced batch is checksummed once on the produce path
 * (validation) and again during recovery, so this bounds how many bytes per second one core can
 * accept. 1 KiB is a small producer batch; 64 KiB is a large one (batch.size=64k with linger).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class Crc32cBenchmark
{
    @Param({"1024", "65536"})
    public int bytes;

    private UnsafeBuffer buffer;

    @Setup
    public void setup()
    {
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 64));
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < bytes; i++)
        {
            buffer.putByte(i, (byte)random.nextInt(256));
        }
    }

    @Benchmark
    public int crc32c()
    {
        return BatchChecksum.crc32c(buffer, 0, bytes);
    }
}
