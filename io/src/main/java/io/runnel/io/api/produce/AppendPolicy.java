package io.runnel.io.api.produce;

import java.io.IOException;
import java.nio.ByteBuffer;

import io.runnel.codecs.batch.BatchRecompressor;
import io.runnel.codecs.batch.BatchValidator;
import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.LogConfig;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * What a topic's configs ask of one produced batch, applied on the partition's owning shard just
 * before the append, as Kafka's LogValidator applies them: the timestamp limits of a CreateTime
 * topic, the topic's codec, max.message.bytes on the batch as it will be stored, and the broker's
 * stamp on a LogAppendTime topic.
 *
 * <p>It runs on the owner because the owner alone reads the partition's {@link LogConfig}, which
 * AlterConfigs replaces there at run time, so a batch is always held to the settings its log has at
 * append; and because a re-encoded batch is written to the log at once, one reused buffer per owner
 * thread holds it, with nothing handed between threads. Re-encoding is CPU work on the owner's
 * thread, serialised with that shard's other partitions, as Kafka's validation runs under the
 * partition's append lock; only topics whose compression.type differs from their producers' pay it.
 * The default path (compression.type=producer, CreateTime) costs a clock read, two comparisons of
 * timestamps the validator already read and one reference comparison of the config, and leaves the
 * batch's bytes untouched for zero-copy.
 *
 * <p>One per owner thread; not thread-safe.
 */
final class AppendPolicy
{
    private final BatchRecompressor recompressor = new BatchRecompressor();
    /** The codec last built for each codec id, and the level it was built with. */
    private final Compression[] codecs = new Compression[CompressionType.values().length];
    private final int[] levels = new int[CompressionType.values().length];
    /** The config last applied and its target codec (id -1: producer), so the default path reads no String per batch. */
    private LogConfig lastConfig;
    private int lastCodecId;
    private Compression lastTarget;
    private RecordBatch batch;
    private ByteBuffer bytes;
    private boolean logAppendTime;

    /**
     * Applies {@code config} to the batch {@code batch} wraps, whose bytes are {@code bytes} and whose
     * record timestamps span [{@code minTimestamp}, {@code maxTimestamp}] as {@link BatchValidator} read
     * them. On {@link Errors#NONE} the batch to append is {@link #batch()} over {@link #bytes()}: the
     * same as given, or re-encoded in the topic's codec; on a LogAppendTime topic it is stamped with
     * {@code nowMs}.
     *
     * @return the partition's error code: NONE, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP or CORRUPT_MESSAGE
     */
    short apply(final LogConfig config, final long nowMs, final RecordBatch batch, final ByteBuffer bytes, final long minTimestamp,
        final long maxTimestamp)
    {
        this.batch = batch;
        this.bytes = bytes;
        this.logAppendTime = config.timestampType() == TimestampType.LOG_APPEND_TIME;
        if (bytes.remaining() > config.maxMessageBytes())
        {
            return Errors.MESSAGE_TOO_LARGE.code();
        }
        if (logAppendTime ? batch.isLogAppendTime() : !timestampsWithinLimits(config, nowMs, minTimestamp, maxTimestamp))
        {
            // Kafka: a producer must not set LogAppendTime; the broker stamps it.
            return Errors.INVALID_TIMESTAMP.code();
        }
        final Compression target = target(config, batch.compressionId());
        if (target != null)
        {
            try
            {
                this.bytes = recompressor.recompress(batch.buffer(), batch.offset(), bytes.remaining(), target);
                this.batch = recompressor.batch();
            }
            catch (final IOException | RuntimeException ex)
            {
                // Only a batch whose compressed records were not checked on receipt can fail here.
                return Errors.CORRUPT_MESSAGE.code();
            }
            if (this.bytes.remaining() > config.maxMessageBytes())
            {
                // Kafka checks the batch as it is stored, after re-compression.
                return Errors.MESSAGE_TOO_LARGE.code();
            }
        }
        if (logAppendTime)
        {
            this.batch.stampLogAppendTime(nowMs);
        }
        return Errors.NONE.code();
    }

    /** The batch to append after {@link #apply}. */
    RecordBatch batch()
    {
        return batch;
    }

    /** Its bytes, from position to limit. */
    ByteBuffer bytes()
    {
        return bytes;
    }

    /** Whether the last batch was stamped with the log append time, which the response then carries. */
    boolean logAppendTime()
    {
        return logAppendTime;
    }

    /**
     * Kafka's rule, per record of a CreateTime topic (records without a timestamp exempt): refused if
     * {@code now - timestamp > before.max.ms} or {@code timestamp - now > after.max.ms}. Each limit is
     * monotone in the timestamp, so the oldest and newest record decide for all of them.
     */
    private static boolean timestampsWithinLimits(final LogConfig config, final long nowMs, final long minTimestamp, final long maxTimestamp)
    {
        if (minTimestamp == Long.MAX_VALUE)
        {
            return true; // no record has a timestamp
        }
        return nowMs - minTimestamp <= config.timestampBeforeMaxMs() && maxTimestamp - nowMs <= config.timestampAfterMaxMs();
    }

    /** The codec to re-encode in, at the topic's level for it, or null to store the batch as it came. */
    private Compression target(final LogConfig config, final int batchCodec)
    {
        if (config != lastConfig)
        {
            lastConfig = config;
            lastCodecId = codecId(config.compressionType());
            lastTarget = lastCodecId < 0 ? null : codec(lastCodecId, levelOf(config, lastCodecId));
        }
        return lastCodecId < 0 || lastCodecId == batchCodec ? null : lastTarget;
    }

    private Compression codec(final int id, final int level)
    {
        Compression codec = codecs[id];
        if (codec == null || levels[id] != level)
        {
            codec = build(id, level);
            codecs[id] = codec;
            levels[id] = level;
        }
        return codec;
    }

    private static int levelOf(final LogConfig config, final int codecId)
    {
        if (codecId == CompressionType.GZIP.id)
        {
            return config.gzipLevel();
        }
        if (codecId == CompressionType.LZ4.id)
        {
            return config.lz4Level();
        }
        return codecId == CompressionType.ZSTD.id ? config.zstdLevel() : 0;
    }

    /** kafka-clients' codec for {@code codecId}, at {@code level} where the codec has levels. */
    static Compression build(final int codecId, final int level)
    {
        final CompressionType type = CompressionType.forId(codecId);
        return switch (type)
        {
            case GZIP -> Compression.gzip().level(level).build();
            case LZ4 -> Compression.lz4().level(level).build();
            case ZSTD -> Compression.zstd().level(level).build();
            default -> Compression.of(type).build();
        };
    }

    /** compression.type's value as a codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd); -1 for producer. */
    static int codecId(final String compressionType)
    {
        return switch (compressionType)
        {
            case "producer" -> -1;
            case "uncompressed" -> CompressionType.NONE.id;
            case "gzip" -> CompressionType.GZIP.id;
            case "snappy" -> CompressionType.SNAPPY.id;
            case "lz4" -> CompressionType.LZ4.id;
            case "zstd" -> CompressionType.ZSTD.id;
            default -> throw new IllegalArgumentException("not a compression.type: " + compressionType);
        };
    }
}
