package io.runnel.bench.jmh;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.runnel.codecs.batch.BatchValidator;
import io.runnel.codecs.protocol.ProduceRequestDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The produce-request decode path: a Produce body as kafka-clients writes it, decoded in place by
 * our flyweight decoder, then the partition's batch validated in place (magic, sizes, CRC32C,
 * record framing). Every produce request pays this before any byte reaches a log, so it must be
 * cheap and allocate ~0 B/op. The request is one topic, one partition, one idempotent batch of 10
 * 100-byte records. {@code version} picks the encoding: 11 (flexible, the Java producer's) by
 * default; 3-8 are the classic encoding librdkafka, kafka-python and KafkaJS use.
 * {@code compression} is none by default; with a codec the batch is decompressed and its records
 * walked, as the broker does by default ({@code runnel.validate.compressed.records=true}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {JvmArgs.EXPORT_MISC, JvmArgs.OPEN_ZIP, JvmArgs.XMS, JvmArgs.XMX})
public class ProduceDecodeBenchmark
{
    /** The Produce version the request is written and decoded at. */
    @Param({"11"})
    public short version;

    /** The batch's codec: none, gzip, snappy, lz4 or zstd. */
    @Param({"none"})
    public String compression;

    private final ProduceRequestDecoder decoder = new ProduceRequestDecoder();
    private final BatchValidator validator = new BatchValidator(true);
    private UnsafeBuffer request;
    private int requestLength;

    @Setup
    public void setup()
    {
        final Compression codec = "none".equals(compression) ? Compression.NONE : Compression.of(compression).build();
        final MemoryRecords records = MemoryRecords.readableRecords(
            KafkaBatches.idempotentBatch(codec, 1000L, (short)0, 0, 10, 100));
        final ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
            .setName("bench-topic")
            .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        final ProduceRequestData data = new ProduceRequestData()
            .setTransactionalId(null)
            .setAcks((short)-1)
            .setTimeoutMs(30_000)
            .setTopicData(topics);

        final ObjectSerializationCache cache = new ObjectSerializationCache();
        requestLength = data.size(cache, version);
        final ByteBuffer heap = ByteBuffer.allocate(requestLength);
        data.write(new ByteBufferAccessor(heap), cache, version);
        heap.flip();
        request = new UnsafeBuffer(KafkaBatches.direct(heap));

        // Fail in setup, not silently in the measurement, if the bytes do not decode and validate.
        final BatchValidator.Result result = decodeAndValidate();
        if (result != BatchValidator.Result.OK || !"bench-topic".equals(decoder.topicName(0)) || decoder.acks() != -1)
        {
            throw new IllegalStateException("produce request did not decode/validate: " + result);
        }
    }

    @Benchmark
    public void decodeAndValidate(final Blackhole bh)
    {
        bh.consume(decodeAndValidate());
        bh.consume(decoder.partitionIndex(0));
    }

    private BatchValidator.Result decodeAndValidate()
    {
        decoder.decode(request, 0, requestLength, version);
        return validator.validate(request, decoder.recordsOffset(0), decoder.recordsLength(0), Integer.MAX_VALUE);
    }
}
