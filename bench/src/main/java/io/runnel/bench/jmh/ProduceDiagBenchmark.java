package io.runnel.bench.jmh;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.runnel.codecs.batch.BatchValidator;
import io.runnel.codecs.protocol.ProduceRequestDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.openjdk.jmh.annotations.*;

@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class ProduceDiagBenchmark
{
    @Param({"11"})
    public short version;
    private final ProduceRequestDecoder decoder = new ProduceRequestDecoder();
    private final BatchValidator validator = new BatchValidator(true);
    private UnsafeBuffer request;
    private int requestLength;

    @Setup
    public void setup()
    {
        final MemoryRecords records = MemoryRecords.readableRecords(KafkaBatches.idempotentBatch(1000L, (short)0, 0, 10, 100));
        final ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData().setName("bench-topic")
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        final ProduceRequestData data = new ProduceRequestData().setAcks((short)-1).setTimeoutMs(30_000).setTopicData(topics);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        requestLength = data.size(cache, version);
        final ByteBuffer heap = ByteBuffer.allocate(requestLength);
        data.write(new ByteBufferAccessor(heap), cache, version);
        heap.flip();
        request = new UnsafeBuffer(KafkaBatches.direct(heap));
        decoder.decode(request, 0, requestLength, version);
    }

    @Benchmark
    public int decodeOnly()
    {
        decoder.decode(request, 0, requestLength, version);
        return decoder.recordsOffset(0);
    }

    @Benchmark
    public BatchValidator.Result validateOnly()
    {
        return validator.validate(request, decoder.recordsOffset(0), decoder.recordsLength(0), Integer.MAX_VALUE);
    }

    @Benchmark
    public int crcOnly()
    {
        return validator.batch().wrap(request, decoder.recordsOffset(0)).computeCrc();
    }
}
