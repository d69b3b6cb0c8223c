package io.runnel.broker;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import io.runnel.io.net.ReactorIdleStrategy;
import io.runnel.coordinator.group.GroupConfig;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.log.LogConfig;

/**
 * Broker settings from a {@code server.properties} file and {@code --override key=value}
 * arguments, with Kafka's key names wherever Kafka has one and {@code runnel.*} for our own.
 * Every key has a default; {@link #parse} validates them all once, at start-up, and refuses keys
 * it does not know so that a typo is not silently ignored.
 */
public final class BrokerConfig
{
    public enum IdleStrategyType
    {
        BACKOFF, BUSY_SPIN
    }

    private static final long HOUR_MS = 60L * 60 * 1000;
    private static final Set<String> KNOWN_KEYS = Set.of(
        "listeners", "advertised.listeners", "node.id", "broker.id", "log.dirs", "log.dir", "num.partitions",
        "log.segment.bytes", "log.roll.ms", "log.roll.hours", "log.index.interval.bytes", "log.index.size.max.bytes",
        "log.retention.ms", "log.retention.minutes", "log.retention.hours", "log.retention.bytes",
        "log.retention.check.interval.ms", "auto.create.topics.enable", "message.max.bytes", "socket.request.max.bytes",
        "cluster.id", "process.roles", "runnel.shards", "runnel.idle.strategy", "runnel.idle.spins", "runnel.idle.yields", "runnel.flush.policy",
        "runnel.validate.compressed.records", "offsets.topic.num.partitions", "offsets.topic.replication.factor",
        "group.min.session.timeout.ms", "group.max.session.timeout.ms", "group.initial.rebalance.delay.ms",
        "offsets.retention.minutes", "offset.metadata.max.bytes", "group.max.size",
        "group.consumer.session.timeout.ms", "group.consumer.heartbeat.interval.ms", "offsets.retention.check.interval.ms");

    private final Map<String, String> values;
    private final String host;
    private final int port;
    private final String advertisedHost;
    private final int advertisedPort;
    private final int nodeId;
    private final Path logDir;
    private final int numPartitions;
    private final LogConfig logConfig;
    private final boolean autoCreateTopics;
    private final int socketRequestMaxBytes;
    private final int shards;
    private final IdleStrategyType idleStrategy;
    private final int idleSpins;
    private final int idleYields;
    private final boolean validateCompressedRecords;
    private final String clusterId;
    private final GroupConfig groupConfig;

    private BrokerConfig(final Map<String, String> values)
    {
        this.values = Map.copyOf(values);
        final URI listener = listener(get("listeners", "PLAINTEXT://127.0.0.1:9092"), "listeners");
        host = listener.getHost() == null ? "127.0.0.1" : listener.getHost();
        port = listener.getPort();
        final URI advertised = listener(get("advertised.listeners", get("listeners", "PLAINTEXT://127.0.0.1:9092")), "advertised.listeners");
        advertisedHost = advertised.getHost() == null || advertised.getHost().equals("0.0.0.0") ? "127.0.0.1" : advertised.getHost();
        advertisedPort = advertised.getPort();
        nodeId = intValue(values.containsKey("node.id") ? "node.id" : "broker.id", 0, 0, Integer.MAX_VALUE);
        logDir = Path.of(get("log.dirs", get("log.dir", "./data")).split(",")[0].trim());
        numPartitions = intValue("num.partitions", 1, 1, 10_000);
        final long rollMs = values.containsKey("log.roll.ms") ? longValue("log.roll.ms", 0, 1, Long.MAX_VALUE) :
            longValue("log.roll.hours", 168, 1, Long.MAX_VALUE / HOUR_MS) * HOUR_MS;
        final int messageMaxBytes = intValue("message.max.bytes", LogConfig.DEFAULT_MAX_MESSAGE_BYTES, 0, Integer.MAX_VALUE);
        logConfig = new LogConfig(
            intValue("log.segment.bytes", LogConfig.DEFAULT_SEGMENT_BYTES, 1024, Integer.MAX_VALUE),
            rollMs,
            intValue("log.index.interval.bytes", LogConfig.DEFAULT_INDEX_INTERVAL_BYTES, 0, Integer.MAX_VALUE),
            intValue("log.index.size.max.bytes", LogConfig.DEFAULT_MAX_INDEX_BYTES, 64, Integer.MAX_VALUE),
            messageMaxBytes,
            FlushPolicy.parse(get("runnel.flush.policy", "pagecache")));
        autoCreateTopics = bool("auto.create.topics.enable", true);
        socketRequestMaxBytes = intValue("socket.request.max.bytes", 104_857_600, 1024, Integer.MAX_VALUE);
        shards = intValue("runnel.shards", Runtime.getRuntime().availableProcessors(), 1, 1024);
        idleStrategy = switch (get("runnel.idle.strategy", "backoff").trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "backoff" -> IdleStrategyType.BACKOFF;
            case "busy-spin", "busyspin", "busy_spin" -> IdleStrategyType.BUSY_SPIN;
            default -> throw new IllegalArgumentException("runnel.idle.strategy must be backoff or busy-spin, was " + get("runnel.idle.strategy", ""));
        };
        idleSpins = intValue("runnel.idle.spins", ReactorIdleStrategy.DEFAULT_SPINS, 0, 1_000_000);
        idleYields = intValue("runnel.idle.yields", ReactorIdleStrategy.DEFAULT_YIELDS, 0, 1_000_000);
        validateCompressedRecords = bool("runnel.validate.compressed.records", true);
        clusterId = values.get("cluster.id");
        final int minSession = intValue("group.min.session.timeout.ms", 6_000, 1, Integer.MAX_VALUE);
        groupConfig = new GroupConfig(
            intValue("offsets.topic.num.partitions", 50, 1, 10_000),
            minSession,
            intValue("group.max.session.timeout.ms", 1_800_000, minSession, Integer.MAX_VALUE),
            intValue("group.initial.rebalance.delay.ms", 3_000, 0, Integer.MAX_VALUE),
            longValue("offsets.retention.minutes", 10_080, 1, Long.MAX_VALUE / 60_000) * 60_000,
            longValue("offsets.retention.check.interval.ms", 600_000, 1, Long.MAX_VALUE),
            intValue("offset.metadata.max.bytes", 4096, 0, Integer.MAX_VALUE),
            intValue("group.max.size", Integer.MAX_VALUE, 1, Integer.MAX_VALUE),
            intValue("group.consumer.session.timeout.ms", 45_000, 1, Integer.MAX_VALUE),
            intValue("group.consumer.heartbeat.interval.ms", 5_000, 1, Integer.MAX_VALUE));
        if (values.containsKey("offsets.topic.replication.factor"))
        {
            intValue("offsets.topic.replication.factor", 1, 1, 1);
        }
        if (values.containsKey("log.retention.bytes"))
        {
            longValue("log.retention.bytes", -1, -1, Long.MAX_VALUE);
        }
    }

    /** Reads {@code file} (if not null) and applies {@code overrides} on top. */
    public static BrokerConfig parse(final Path file, final Map<String, String> overrides)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        if (file != null)
        {
            final Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                properties.load(reader);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + file, ex);
            }
            properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key).trim()));
        }
        values.putAll(overrides);
        for (final String key : values.keySet())
        {
            if (!KNOWN_KEYS.contains(key))
            {
                throw new IllegalArgumentException("unknown configuration key '" + key + "'");
            }
        }
        return new BrokerConfig(values);
    }

    public static BrokerConfig of(final Map<String, String> values)
    {
        return parse(null, values);
    }

    private String get(final String key, final String fallback)
    {
        final String value = values.get(key);
        return value == null || value.isBlank() ? fallback : value;
    }

    private int intValue(final String key, final int fallback, final int min, final int max)
    {
        return (int)longValue(key, fallback, min, max);
    }

    private long longValue(final String key, final long fallback, final long min, final long max)
    {
        final String raw = values.get(key);
        if (raw == null)
        {
            return fallback;
        }
        final long value;
        try
        {
            value = Long.parseLong(raw.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " must be a number, was '" + raw + "'");
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    private boolean bool(final String key, final boolean fallback)
    {
        final String raw = values.get(key);
        if (raw == null)
        {
            return fallback;
        }
        if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false"))
        {
            throw new IllegalArgumentException(key + " must be true or false, was '" + raw + "'");
        }
        return Boolean.parseBoolean(raw);
    }

    private static URI listener(final String value, final String key)
    {
        final String first = value.split(",")[0].trim();
        final URI uri;
        try
        {
            uri = URI.create(first.replace("://:", "://0.0.0.0:"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(key + " must look like PLAINTEXT://host:port, was '" + value + "'");
        }
        if (!"PLAINTEXT".equalsIgnoreCase(uri.getScheme()) || uri.getPort() < 0 || uri.getPort() > 65535)
        {
            throw new IllegalArgumentException(key + " must be a PLAINTEXT://host:port listener (TLS and SASL come later), was '" + value + "'");
        }
        return uri;
    }

    /** Settings as DescribeConfigs reports them for the broker: Kafka key names, effective values. */
    public Map<String, String> describe()
    {
        final Map<String, String> described = new LinkedHashMap<>();
        described.put("listeners", "PLAINTEXT://" + host + ":" + port);
        described.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + advertisedPort);
        described.put("node.id", Integer.toString(nodeId));
        described.put("log.dirs", logDir.toString());
        described.put("num.partitions", Integer.toString(numPartitions));
        described.put("log.segment.bytes", Integer.toString(logConfig.segmentBytes()));
        described.put("log.roll.ms", Long.toString(logConfig.segmentMs()));
        described.put("log.index.interval.bytes", Integer.toString(logConfig.indexIntervalBytes()));
        described.put("log.index.size.max.bytes", Integer.toString(logConfig.maxIndexBytes()));
        described.put("message.max.bytes", Integer.toString(logConfig.maxMessageBytes()));
        described.put("log.retention.ms", Long.toString(retentionMs()));
        described.put("log.retention.bytes", get("log.retention.bytes", "-1"));
        described.put("auto.create.topics.enable", Boolean.toString(autoCreateTopics));
        described.put("socket.request.max.bytes", Integer.toString(socketRequestMaxBytes));
        described.put("runnel.shards", Integer.toString(shards));
        described.put("runnel.idle.strategy", idleStrategy == IdleStrategyType.BACKOFF ? "backoff" : "busy-spin");
        described.put("runnel.idle.spins", Integer.toString(idleSpins));
        described.put("runnel.idle.yields", Integer.toString(idleYields));
        described.put("runnel.flush.policy", logConfig.flushPolicy() == FlushPolicy.FSYNC ? "fsync" : "pagecache");
        described.put("runnel.validate.compressed.records", Boolean.toString(validateCompressedRecords));
        described.put("offsets.topic.num.partitions", Integer.toString(groupConfig.offsetsTopicPartitions()));
        described.put("group.min.session.timeout.ms", Integer.toString(groupConfig.minSessionTimeoutMs()));
        described.put("group.max.session.timeout.ms", Integer.toString(groupConfig.maxSessionTimeoutMs()));
        described.put("group.initial.rebalance.delay.ms", Integer.toString(groupConfig.initialRebalanceDelayMs()));
        described.put("offsets.retention.minutes", Long.toString(groupConfig.offsetsRetentionMs() / 60_000));
        described.put("offsets.retention.check.interval.ms", Long.toString(groupConfig.offsetsRetentionCheckMs()));
        described.put("offset.metadata.max.bytes", Integer.toString(groupConfig.maxMetadataBytes()));
        described.put("group.max.size", Integer.toString(groupConfig.maxGroupSize()));
        described.put("group.consumer.session.timeout.ms", Integer.toString(groupConfig.consumerSessionTimeoutMs()));
        described.put("group.consumer.heartbeat.interval.ms", Integer.toString(groupConfig.consumerHeartbeatIntervalMs()));
        return described;
    }

    /** log.retention.ms, else minutes, else hours (Kafka's precedence); reported, not yet enforced. */
    public long retentionMs()
    {
        if (values.containsKey("log.retention.ms"))
        {
            return longValue("log.retention.ms", 0, -1, Long.MAX_VALUE);
        }
        if (values.containsKey("log.retention.minutes"))
        {
            return longValue("log.retention.minutes", 0, -1, Long.MAX_VALUE / 60_000) * 60_000;
        }
        return longValue("log.retention.hours", 168, -1, Long.MAX_VALUE / HOUR_MS) * HOUR_MS;
    }

    public GroupConfig groupConfig()
    {
        return groupConfig;
    }

    public String host()
    {
        return host;
    }

    public int port()
    {
        return port;
    }

    public String advertisedHost()
    {
        return advertisedHost;
    }

    /** The advertised port; 0 means "whatever port the listener bound". */
    public int advertisedPort()
    {
        return advertisedPort;
    }

    public int nodeId()
    {
        return nodeId;
    }

    public Path logDir()
    {
        return logDir;
    }

    public int numPartitions()
    {
        return numPartitions;
    }

    public LogConfig logConfig()
    {
        return logConfig;
    }

    public boolean autoCreateTopics()
    {
        return autoCreateTopics;
    }

    public int socketRequestMaxBytes()
    {
        return socketRequestMaxBytes;
    }

    public int shards()
    {
        return shards;
    }

    public IdleStrategyType idleStrategy()
    {
        return idleStrategy;
    }

    /** Backoff idle strategy: empty duty cycles spent spinning, then yielding, before the shard blocks in its selector. */
    public int idleSpins()
    {
        return idleSpins;
    }

    public int idleYields()
    {
        return idleYields;
    }

    public boolean validateCompressedRecords()
    {
        return validateCompressedRecords;
    }

    /** cluster.id if configured; otherwise the broker uses the one stored in its log directory. */
    public String clusterId()
    {
        return clusterId;
    }
}
