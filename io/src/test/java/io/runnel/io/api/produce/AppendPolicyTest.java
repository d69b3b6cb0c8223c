package io.runnel.io.api.produce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.runnel.codecs.batch.BatchRecompressor;
import io.runnel.codecs.batch.BatchValidator;
import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.LogConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * A topic's configs as the owner applies them to one batch: timestamp limits at their exact
 * boundaries, LogAppendTime, the codec and its level, and max.message.bytes before and after a
 * re-encode. Batches are kafka-clients' own, validated by the broker's validator as on receipt.
 */
class AppendPolicyTest
{
    private static final long NOW = 1_800_000_000_000L;

    private final AppendPolicy policy = new AppendPolicy();
    private final BatchValidator validator = new BatchValidator(true);
    private UnsafeBuffer frame;
    private ByteBuffer bytes;

    @Test
    void producerCodecLeavesTheBatchsBytesUntouched()
    {
        receive(Compression.gzip().build(), NOW, NOW);

        assertEquals(Errors.NONE.code(), policy.apply(LogConfig.defaults(), NOW, validator.batch(), bytes, validator.minTimestamp(),
            validator.maxTimestamp()));
        assertSame(bytes, policy.bytes(), "zero-copy: the frame's own bytes are appended");
        assertSame(validator.batch(), policy.batch());
        assertFalse(policy.logAppendTime());
    }

    @Test
    void batchAlreadyInTheTopicsCodecIsNotReencoded()
    {
        receive(Compression.zstd().build(), NOW, NOW);

        assertEquals(Errors.NONE.code(), apply(config(Map.of("compression.type", "zstd"))));
        assertSame(bytes, policy.bytes());
    }

    @Test
    void afterMaxMsAllowsExactlyTheLimitAndRefusesOneMillisecondMore()
    {
        final LogConfig config = config(Map.of("message.timestamp.after.max.ms", "60000"));
        receive(Compression.NONE, NOW, NOW + 60_000);
        assertEquals(Errors.NONE.code(), apply(config));
        receive(Compression.NONE, NOW, NOW + 60_001);
        assertEquals(Errors.INVALID_TIMESTAMP.code(), apply(config));
    }

    @Test
    void beforeMaxMsAllowsExactlyTheLimitAndRefusesOneMillisecondMore()
    {
        final LogConfig config = config(Map.of("message.timestamp.before.max.ms", "60000"));
        receive(Compression.lz4().build(), NOW - 60_000, NOW);
        assertEquals(Errors.NONE.code(), apply(config));
        receive(Compression.lz4().build(), NOW - 60_001, NOW);
        assertEquals(Errors.INVALID_TIMESTAMP.code(), apply(config));
    }

    @Test
    void recordsWithoutATimestampAreNotHeldToTheLimits()
    {
        receive(Compression.NONE, BatchValidator.NO_TIMESTAMP, BatchValidator.NO_TIMESTAMP);

        assertEquals(Errors.NONE.code(), apply(config(Map.of("message.timestamp.before.max.ms", "0", "message.timestamp.after.max.ms", "0"))));
    }

    @Test
    void logAppendTimeStampsTheBatchAndIgnoresTheLimits()
    {
        receive(Compression.snappy().build(), NOW - 10_000_000_000L, NOW + 10_000_000_000L);

        assertEquals(Errors.NONE.code(), apply(config(Map.of("message.timestamp.type", "LogAppendTime",
            "message.timestamp.before.max.ms", "0", "message.timestamp.after.max.ms", "0"))));
        assertTrue(policy.logAppendTime());
        assertTrue(policy.batch().isLogAppendTime());
        assertEquals(NOW, policy.batch().maxTimestamp());
        assertEquals(policy.batch().crc(), policy.batch().computeCrc());
    }

    @Test
    void logAppendTimeTopicRefusesABatchItsProducerMarkedLogAppendTime()
    {
        receive(Compression.NONE, TimestampType.LOG_APPEND_TIME, NOW, NOW);

        assertEquals(Errors.INVALID_TIMESTAMP.code(), apply(config(Map.of("message.timestamp.type", "LogAppendTime"))));
    }

    @Test
    void reencodingUsesTheTopicsLevelForItsCodec() throws IOException
    {
        receive(Compression.NONE, NOW, NOW);
        final ByteBuffer fast = copyOf(reencode(config(Map.of("compression.type", "gzip", "compression.gzip.level", "1"))));
        final ByteBuffer best = copyOf(reencode(config(Map.of("compression.type", "gzip", "compression.gzip.level", "9"))));

        final BatchRecompressor reference = new BatchRecompressor();
        assertEquals(copyOf(reference.recompress(frame, 0, bytes.remaining(), Compression.gzip().level(1).build())), fast);
        assertEquals(copyOf(reference.recompress(frame, 0, bytes.remaining(), Compression.gzip().level(9).build())), best);
        assertNotEquals(fast, best, "the level reaches the codec");

        final ByteBuffer zstd = copyOf(reencode(config(Map.of("compression.type", "zstd", "compression.zstd.level", "19"))));
        assertEquals(copyOf(reference.recompress(frame, 0, bytes.remaining(), Compression.zstd().level(19).build())), zstd);
        final ByteBuffer lz4 = copyOf(reencode(config(Map.of("compression.type", "lz4", "compression.lz4.level", "1"))));
        assertEquals(copyOf(reference.recompress(frame, 0, bytes.remaining(), Compression.lz4().level(1).build())), lz4);
    }

    @Test
    void maxMessageBytesIsCheckedOnTheBatchAsReceivedAndAsStored()
    {
        receive(Compression.gzip().build(), NOW, NOW, new byte[50_000]);
        final int received = bytes.remaining();
        assertTrue(received < 5_000, "zeros compress well: " + received);

        assertEquals(Errors.MESSAGE_TOO_LARGE.code(), apply(config(Map.of("max.message.bytes", Integer.toString(received - 1)))));
        assertEquals(Errors.NONE.code(), apply(config(Map.of("max.message.bytes", Integer.toString(received)))));
        assertEquals(Errors.MESSAGE_TOO_LARGE.code(), apply(config(Map.of("max.message.bytes", "20000", "compression.type", "uncompressed"))));
        assertEquals(Errors.NONE.code(), apply(config(Map.of("max.message.bytes", "200000", "compression.type", "uncompressed"))));
        assertEquals(0, policy.batch().compressionId());
    }

    @Test
    void compressedRecordsThatCannotBeDecompressedAreCorruptWhenTheyMustBeReencoded()
    {
        receive(Compression.zstd().build(), NOW, NOW);
        for (int i = RecordBatch.HEADER_SIZE; i < bytes.remaining(); i++)
        {
            frame.putByte(i, (byte)0x33); // as a producer could send it with runnel.validate.compressed.records=false
        }

        assertEquals(Errors.CORRUPT_MESSAGE.code(), apply(config(Map.of("compression.type", "gzip"))));
    }

    private short apply(final LogConfig config)
    {
        final RecordBatch batch = new RecordBatch().wrap(frame, 0);
        return policy.apply(config, NOW, batch, bytes, validator.minTimestamp(), validator.maxTimestamp());
    }

    private ByteBuffer reencode(final LogConfig config)
    {
        assertEquals(Errors.NONE.code(), apply(config));
        assertNotEquals(0, policy.batch().compressionId());
        return policy.bytes();
    }

    private static LogConfig config(final Map<String, String> topicConfigs)
    {
        return LogConfig.defaults().withTopicOverrides(topicConfigs);
    }

    private void receive(final Compression compression, final long oldest, final long newest)
    {
        receive(compression, TimestampType.CREATE_TIME, oldest, newest);
    }

    private void receive(final Compression compression, final long oldest, final long newest, final byte[] value)
    {
        receive(MemoryRecords.withRecords(compression, new SimpleRecord(oldest, null, value), new SimpleRecord(newest, null, value)));
    }

    private void receive(final Compression compression, final TimestampType timestampType, final long oldest, final long newest)
    {
        final SimpleRecord[] records = new SimpleRecord[20];
        for (int i = 0; i < records.length; i++)
        {
            final long timestamp = i == 3 ? oldest : i == 11 ? newest : oldest == BatchValidator.NO_TIMESTAMP ? oldest : (oldest + newest) / 2;
            records[i] = new SimpleRecord(timestamp, ("key-" + i).getBytes(StandardCharsets.UTF_8),
                ("a value that compresses differently at different levels " + i * 7919).getBytes(StandardCharsets.UTF_8));
        }
        receive(MemoryRecords.withRecords(RecordBatch.MAGIC_V2, 0L, compression, timestampType, -1L, (short)-1, -1, 0, false, records));
    }

    private void receive(final MemoryRecords records)
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(records.sizeInBytes());
        direct.put(records.buffer().duplicate()).flip();
        frame = new UnsafeBuffer(direct);
        bytes = direct.duplicate();
        assertEquals(BatchValidator.Result.OK, validator.validate(frame, 0, records.sizeInBytes(), Integer.MAX_VALUE));
    }

    private static ByteBuffer copyOf(final ByteBuffer bytes)
    {
        final ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes.duplicate()).flip();
        return copy;
    }
}
