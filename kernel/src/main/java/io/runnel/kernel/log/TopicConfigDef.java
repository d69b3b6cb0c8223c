package io.runnel.kernel.log;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.config.DeclaredKey;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.internal.CompressionType;

import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

/**
 * The topic-level configuration keys: every key CreateTopics accepts, with Kafka's names, types and
 * defaults. A key that is not declared here is refused (INVALID_CONFIG). {@link LogConfig} carries
 * every one of them today; a key accepted before it is applied would say so in its documentation
 * ({@code notEnforcedYet}).
 *
 * <p>Broker keys that supply a topic key's default ({@code log.segment.bytes} for
 * {@code segment.bytes}) are declared with the broker's keys and name the topic key they serve.
 */
public final class TopicConfigDef
{
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String COMPRESSION_GZIP_LEVEL = "compression.gzip.level";
    public static final String COMPRESSION_LZ4_LEVEL = "compression.lz4.level";
    public static final String COMPRESSION_ZSTD_LEVEL = "compression.zstd.level";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String LEADER_REPLICATION_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
    public static final String FOLLOWER_REPLICATION_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String PREALLOCATE = "preallocate";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String RETENTION_MS = "retention.ms";
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String SEGMENT_MS = "segment.ms";

    /** Smaller segments would roll on almost every batch; Runnel's tests use a few KiB. */
    static final int MIN_SEGMENT_BYTES = 1024;
    /** An index must hold a few entries of either kind (8-byte offset, 12-byte time entries). */
    static final int MIN_INDEX_BYTES = 64;
    private static final String RETENTION_ISSUE = "retention/compaction: issue 10";
    private static final String GROUP = "Topic";

    private static final ConfigDef DEF = new ConfigDef()
        .define(topicKey(CLEANUP_POLICY, LIST).defaultValue("delete").validator(ConfigDef.ValidList.in("compact", "delete"))
            .doc("delete: old segments are deleted by time or size; compact: the log cleaner keeps the newest record per key and drops tombstones after delete.retention.ms; both: both.").build())
        .define(topicKey(COMPRESSION_TYPE, STRING).defaultValue("producer")
            .validator(ConfigDef.ValidString.in("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"))
            .doc("The codec batches are stored with. producer: as the producer compressed them, byte for byte (zero-copy). "
                + "uncompressed, gzip, snappy, lz4, zstd: a batch in another codec is re-encoded in this one on produce, "
                + "on the partition's shard; a batch already in it is stored as it came.").build())
        .define(topicKey(COMPRESSION_GZIP_LEVEL, INT).defaultValue(CompressionType.GZIP.defaultLevel())
            .validator(CompressionType.GZIP.levelValidator())
            .doc("The level batches re-encoded in gzip are compressed at (compression.type=gzip); -1: zlib's default.").build())
        .define(topicKey(COMPRESSION_LZ4_LEVEL, INT).defaultValue(CompressionType.LZ4.defaultLevel())
            .validator(CompressionType.LZ4.levelValidator())
            .doc("The level batches re-encoded in lz4 are compressed at (compression.type=lz4).").build())
        .define(topicKey(COMPRESSION_ZSTD_LEVEL, INT).defaultValue(CompressionType.ZSTD.defaultLevel())
            .validator(CompressionType.ZSTD.levelValidator())
            .doc("The level batches re-encoded in zstd are compressed at (compression.type=zstd).").build())
        .define(topicKey(DELETE_RETENTION_MS, LONG).defaultValue(24L * 60 * 60 * 1000).validator(atLeast(0))
            .doc("How long tombstones are kept in a compacted topic: a tombstone is dropped by the first clean at least this long after the clean that first saw it (its batch's delete horizon, KIP-534).").build())
        .define(topicKey(FILE_DELETE_DELAY_MS, LONG).defaultValue(60_000L).validator(atLeast(0))
            .doc("How long a deleted segment's files are kept, renamed .deleted, so that reads in flight can finish.").build())
        .define(topicKey(INDEX_INTERVAL_BYTES, INT).defaultValue(4096).validator(atLeast(0))
            .doc("Bytes of log between two entries of the sparse offset index.").build())
        .define(topicKey(LEADER_REPLICATION_THROTTLED_REPLICAS, LIST).defaultValue("").validator(ThrottledReplicas.VALIDATOR)
            .doc("Replicas (partition:brokerId pairs, or * for all) that, while they lead, send followers out of the ISR batches at most "
                + "as fast as their broker's leader.replication.throttled.rate allows; kafka-reassign-partitions --throttle names a moved "
                + "partition's current replicas here.").build())
        .define(topicKey(FOLLOWER_REPLICATION_THROTTLED_REPLICAS, LIST).defaultValue("").validator(ThrottledReplicas.VALIDATOR)
            .doc("Replicas (partition:brokerId pairs, or * for all) that, while they follow out of the ISR, fetch at most as fast as "
                + "their broker's follower.replication.throttled.rate allows; kafka-reassign-partitions --throttle names the replicas "
                + "a move adds here.").build())
        .define(topicKey(MAX_COMPACTION_LAG_MS, LONG).defaultValue(Long.MAX_VALUE).defaultText("unlimited").validator(atLeast(1))
            .doc("Longest a record may stay uncompacted: a compacted log with a dirty record older than this is cleaned whatever its dirty ratio.").build())
        .define(topicKey(MAX_MESSAGE_BYTES, INT).defaultValue(1048588).validator(atLeast(0))
            .doc("The largest record batch accepted on produce (Kafka's default: 1 MiB plus batch overhead).").build())
        .define(topicKey(MESSAGE_TIMESTAMP_TYPE, STRING).defaultValue("CreateTime")
            .validator(ConfigDef.ValidString.in("CreateTime", "LogAppendTime"))
            .doc("CreateTime: records keep the timestamp their producer gave them. LogAppendTime: the broker stamps each batch "
                + "with its clock on append, and consumers, ListOffsets and the time index read that as every record's timestamp.").build())
        .define(topicKey(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, LONG).defaultValue(Long.MAX_VALUE).defaultText("unlimited").validator(atLeast(0))
            .doc("CreateTime: the furthest a record's timestamp may lie before the broker's clock; a batch with an older record "
                + "is refused whole (INVALID_TIMESTAMP). Ignored under LogAppendTime.").build())
        .define(topicKey(MESSAGE_TIMESTAMP_AFTER_MAX_MS, LONG).defaultValue(3_600_000L).validator(atLeast(0))
            .doc("CreateTime: the furthest a record's timestamp may lie after the broker's clock; a batch with a later record "
                + "is refused whole (INVALID_TIMESTAMP), as in Kafka 4 (KIP-1030). Ignored under LogAppendTime.").build())
        .define(topicKey(MIN_CLEANABLE_DIRTY_RATIO, DOUBLE).defaultValue(0.5).validator(between(0, 1))
            .doc("Share of a compacted log that must be uncompacted before it is compacted again.").build())
        .define(topicKey(MIN_COMPACTION_LAG_MS, LONG).defaultValue(0L).validator(atLeast(0))
            .doc("Shortest time a record stays uncompacted: segments holding newer records are not cleaned yet.").build())
        .define(topicKey(MIN_INSYNC_REPLICAS, INT).defaultValue(1).validator(atLeast(1))
            .doc("In-sync replicas a partition needs to take an acks=all write: with fewer, the write is refused "
                + "(NOT_ENOUGH_REPLICAS); with enough, it is answered once all of them have it.").build())
        .define(topicKey(UNCLEAN_LEADER_ELECTION_ENABLE, BOOLEAN).defaultValue(false).defaultText("unclean.leader.election.enable (false)")
            .doc("When every in-sync replica of a partition is down, give it to a live replica that is not in sync: the "
                + "partition is available again, and loses what that replica lacks, acknowledged records among it. Decided by "
                + "the metadata quorum; the broker key of the same name is the default.").build())
        .define(topicKey(PREALLOCATE, BOOLEAN).defaultValue(false)
            .doc("Allocate the active segment's disk space ahead of its appends (zeros written in 1 MiB steps), so that an fsync "
                + "finds no new blocks to record; trimmed to its data when the segment rolls or the broker stops. Meant for "
                + "runnel.flush.policy=fsync, where it made appends faster in the median (results/2026-12-02-segment-preallocation).").build())
        .define(topicKey(RETENTION_BYTES, LONG).defaultValue(-1L)
            .doc("Delete old segments once a partition is larger than this; -1: no size limit.").build())
        .define(topicKey(RETENTION_MS, LONG).defaultValue(7L * 24 * 60 * 60 * 1000).validator(atLeast(-1))
            .doc("Delete segments whose newest record is older than this; -1: no time limit.").build())
        .define(topicKey(SEGMENT_BYTES, INT).defaultValue(1 << 30).validator(atLeast(MIN_SEGMENT_BYTES))
            .doc("Roll the active segment when the next batch would make it larger than this.").build())
        .define(topicKey(SEGMENT_INDEX_BYTES, INT).defaultValue(10 * 1024 * 1024).validator(atLeast(MIN_INDEX_BYTES))
            .doc("Size each index file is preallocated to; a full index rolls the segment.").build())
        .define(topicKey(SEGMENT_MS, LONG).defaultValue(7L * 24 * 60 * 60 * 1000).validator(atLeast(1))
            .doc("Roll the active segment once it is this old (and not empty).").build());

    private TopicConfigDef()
    {
    }

    /** Topic keys are dynamic in Kafka (AlterConfigs changes them on a live topic). */
    private static DeclaredKey.Builder topicKey(final String name, final ConfigDef.Type type)
    {
        return DeclaredKey.key(name, type).group(GROUP).dynamic();
    }

    /** Every topic key, in declaration order. */
    public static List<DeclaredKey> keys()
    {
        return DeclaredKey.keysOf(DEF);
    }

    /** @return the declared key, or null if {@code name} is not a topic key. */
    public static DeclaredKey key(final String name)
    {
        return DeclaredKey.keyOf(DEF, name);
    }

    /** Every topic key's default, typed. */
    public static Map<String, Object> defaults()
    {
        return DEF.parse(Map.of());
    }

    /** @return null if {@code value} is acceptable for topic key {@code name}, else why not (one line). */
    public static String validate(final String name, final String value)
    {
        final DeclaredKey key = key(name);
        if (key == null)
        {
            return "unknown or unsupported topic config " + name;
        }
        if (value == null)
        {
            return "null value for " + name;
        }
        try
        {
            parse(key, value);
            return null;
        }
        catch (final ConfigException ex)
        {
            return ex.getMessage();
        }
    }

    /**
     * The declared keys among {@code configs}, parsed and validated; keys that are not declared are
     * left out (CreateTopics refuses them before they get this far).
     *
     * @throws ConfigException if a declared key's value is not valid
     */
    public static Map<String, Object> parseKnown(final Map<String, String> configs)
    {
        final Map<String, Object> parsed = new HashMap<>();
        configs.forEach((name, value) ->
        {
            final DeclaredKey key = key(name);
            if (key != null)
            {
                parsed.put(name, parse(key, value));
            }
        });
        return parsed;
    }

    private static Object parse(final DeclaredKey key, final String value)
    {
        final Object parsed = ConfigDef.parseType(key.name, value, key.type);
        if (key.validator != null)
        {
            key.validator.ensureValid(key.name, parsed);
        }
        return parsed;
    }
}
