package io.runnel.bench.jmh;

import java.util.concurrent.TimeUnit;

import io.runnel.codecs.batch.RecordBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The RecordBatch flyweight (SBE-generated header codec underneath): the broker wraps every batch,
 * reads the fields validation and producer-state checks need, and patches baseOffset and
 * partitionLeaderEpoch in place on append. This must cost a handful of nanoseconds and no bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class RecordBatchHeaderBenchmark
{
    private final RecordBatch batch = new RecordBatch();
    private UnsafeBuffer buffer;
    private long nextOffset;

    @Setup
    public void setup()
    {
        // Idempotent, so producer id / epoch / sequence hold real values: 10 records of 100 bytes.
        buffer = new UnsafeBuffer(KafkaBatches.direct(KafkaBatches.idempotentBatch(4242L, (short)3, 100, 10, 100)));
    }

    /** The fields the produce path reads: sizes, magic, attributes, offsets, producer fields. */
    @Benchmark
    public void wrapAndReadFields(final Blackhole bh)
    {
        batch.wrap(buffer, 0);
        bh.consume(batch.sizeInBytes());
        bh.consume(batch.magic());
        bh.consume(batch.compressionId());
        bh.consume(batch.isTransactional());
        bh.consume(batch.isControl());
        bh.consume(batch.recordsCount());
        bh.consume(batch.lastOffsetDelta());
        bh.consume(batch.maxTimestamp());
        bh.consume(batch.producerId());
        bh.consume(batch.producerEpoch());
        bh.consume(batch.baseSequence());
        bh.consume(batch.lastSequence());
    }

    /** What the owning shard does on append: stamp the offset and epoch (CRC stays valid). */
    @Benchmark
    public long wrapAndAssignOffset()
    {
        batch.wrap(buffer, 0);
        batch.assignOffsetAndEpoch(nextOffset, 7);
        nextOffset += 10;
        return batch.lastOffset();
    }
}
