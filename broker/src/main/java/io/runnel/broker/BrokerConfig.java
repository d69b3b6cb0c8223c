package io.runnel.broker;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.config.BrokerConfigDef;
import io.runnel.broker.config.ClusterRoleConfig;
import io.runnel.broker.config.ClusterRoleResolver;
import io.runnel.broker.config.IdleStrategyType;
import io.runnel.broker.config.ListenerEndpoint;
import io.runnel.broker.config.NodeListeners;
import io.runnel.broker.config.ResolvedConfig;
import io.runnel.io.DescribedConfigs;
import io.runnel.kernel.cleaner.CleanerConfig;
import io.runnel.coordinator.group.GroupConfig;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.TopicConfigDef;

import static io.runnel.broker.config.BrokerConfigDef.AUTO_CREATE_TOPICS_ENABLE;
import static io.runnel.broker.config.BrokerConfigDef.BROKER_ID;
import static io.runnel.broker.config.BrokerConfigDef.CLUSTER_ID;
import static io.runnel.broker.config.BrokerConfigDef.GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS;
import static io.runnel.broker.config.BrokerConfigDef.GROUP_CONSUMER_SESSION_TIMEOUT_MS;
import static io.runnel.broker.config.BrokerConfigDef.GROUP_INITIAL_REBALANCE_DELAY_MS;
import static io.runnel.broker.config.BrokerConfigDef.GROUP_MAX_SESSION_TIMEOUT_MS;
import static io.runnel.broker.config.BrokerConfigDef.GROUP_MAX_SIZE;
import static io.runnel.broker.config.BrokerConfigDef.GROUP_MIN_SESSION_TIMEOUT_MS;
import static io.runnel.broker.config.BrokerConfigDef.OFFSETS_TOPIC_REPLICATION_FACTOR;
import static io.runnel.broker.config.BrokerConfigDef.IDLE_SPINS;
import static io.runnel.broker.config.BrokerConfigDef.WRITEBACK_BYTES;
import static io.runnel.broker.config.BrokerConfigDef.IDLE_STRATEGY;
import static io.runnel.broker.config.BrokerConfigDef.IDLE_YIELDS;
import static io.runnel.broker.config.BrokerConfigDef.LOG_CLEANER_BACKOFF_MS;
import static io.runnel.broker.config.BrokerConfigDef.LOG_CLEANER_DEDUPE_BUFFER_SIZE;
import static io.runnel.broker.config.BrokerConfigDef.LOG_CLEANER_ENABLE;
import static io.runnel.broker.config.BrokerConfigDef.LOG_CLEANER_IO_BUFFER_LOAD_FACTOR;
import static io.runnel.broker.config.BrokerConfigDef.LOG_CLEANER_IO_BUFFER_SIZE;
import static io.runnel.broker.config.BrokerConfigDef.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND;
import static io.runnel.broker.config.BrokerConfigDef.LOG_CLEANER_THREADS;
import static io.runnel.broker.config.BrokerConfigDef.LOG_DIR;
import static io.runnel.broker.config.BrokerConfigDef.LOG_DIRS;
import static io.runnel.broker.config.BrokerConfigDef.LOG_RETENTION_CHECK_INTERVAL_MS;
import static io.runnel.broker.config.BrokerConfigDef.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS;
import static io.runnel.broker.config.BrokerConfigDef.NODE_ID;
import static io.runnel.broker.config.BrokerConfigDef.NUM_PARTITIONS;
import static io.runnel.broker.config.BrokerConfigDef.OFFSETS_RETENTION_CHECK_INTERVAL_MS;
import static io.runnel.broker.config.BrokerConfigDef.OFFSETS_RETENTION_MINUTES;
import static io.runnel.broker.config.BrokerConfigDef.OFFSETS_TOPIC_NUM_PARTITIONS;
import static io.runnel.broker.config.BrokerConfigDef.OFFSET_METADATA_MAX_BYTES;
import static io.runnel.broker.config.BrokerConfigDef.SHARDS;
import static io.runnel.broker.config.BrokerConfigDef.SOCKET_REQUEST_MAX_BYTES;
import static io.runnel.broker.config.BrokerConfigDef.VALIDATE_COMPRESSED_RECORDS;

/**
 * Broker settings from a {@code server.properties} file and {@code --override key=value}
 * arguments, read against the declaration of every key ({@link BrokerConfigDef}, and
 * {@link TopicConfigDef} for the topic defaults): Kafka's key names wherever Kafka has one and
 * {@code runnel.*} for our own. {@link #parse} validates every value once, at start-up, and refuses
 * keys it does not know so that a typo is not silently ignored.
 */
public final class BrokerConfig
{
    /** An empty listener host binds every interface. */
    private static final String ALL_INTERFACES = "0.0.0.0";

    private final ResolvedConfig resolved;
    private final String host;
    private final int port;
    private final String advertisedHost;
    private final int advertisedPort;
    private final int nodeId;
    private final ClusterRoleConfig clusterRole;
    private final Path logDir;
    private final int numPartitions;
    private final LogConfig logConfig;
    private final boolean autoCreateTopics;
    private final int socketRequestMaxBytes;
    private final int fetchSessionCacheSlots;
    private final long retentionCheckIntervalMs;
    private final CleanerConfig cleanerConfig;
    private final int shards;
    private final IdleStrategyType idleStrategy;
    private final int idleSpins;
    private final int idleYields;
    private final boolean validateCompressedRecords;
    private final int writebackBytes;
    private final String clusterId;
    private final GroupConfig groupConfig;

    private BrokerConfig(final ResolvedConfig resolved)
    {
        this.resolved = resolved;
        nodeId = resolved.<Integer>first(NODE_ID, BROKER_ID);
        logDir = Path.of(resolved.<String>first(LOG_DIRS, LOG_DIR).split(",")[0].trim());
        clusterRole = ClusterRoleResolver.resolve(resolved, logDir);
        final ListenerEndpoint served = servedListener(clusterRole.listeners());
        host = served.host().isEmpty() ? ALL_INTERFACES : served.host();
        port = served.port();
        final ListenerEndpoint advertised = advertisedListener(clusterRole.listeners(), served);
        advertisedHost = advertised.host();
        advertisedPort = advertised.port();
        numPartitions = resolved.<Integer>value(NUM_PARTITIONS);
        logConfig = resolved.logDefaults();
        autoCreateTopics = resolved.<Boolean>value(AUTO_CREATE_TOPICS_ENABLE);
        socketRequestMaxBytes = resolved.<Integer>value(SOCKET_REQUEST_MAX_BYTES);
        fetchSessionCacheSlots = resolved.<Integer>value(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS);
        retentionCheckIntervalMs = resolved.<Long>value(LOG_RETENTION_CHECK_INTERVAL_MS);
        cleanerConfig = new CleanerConfig(
            resolved.<Boolean>value(LOG_CLEANER_ENABLE),
            resolved.<Integer>value(LOG_CLEANER_THREADS),
            resolved.<Long>value(LOG_CLEANER_DEDUPE_BUFFER_SIZE),
            resolved.<Double>value(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR),
            resolved.<Integer>value(LOG_CLEANER_IO_BUFFER_SIZE),
            resolved.<Double>value(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND),
            resolved.<Long>value(LOG_CLEANER_BACKOFF_MS));
        shards = resolved.isSet(SHARDS) ? resolved.<Integer>value(SHARDS) : Runtime.getRuntime().availableProcessors();
        idleStrategy = IdleStrategyType.parse(resolved.value(IDLE_STRATEGY));
        idleSpins = resolved.<Integer>value(IDLE_SPINS);
        idleYields = resolved.<Integer>value(IDLE_YIELDS);
        validateCompressedRecords = resolved.<Boolean>value(VALIDATE_COMPRESSED_RECORDS);
        writebackBytes = resolved.<Integer>value(WRITEBACK_BYTES);
        clusterId = resolved.value(CLUSTER_ID);
        final int minSession = resolved.<Integer>value(GROUP_MIN_SESSION_TIMEOUT_MS);
        final int maxSession = resolved.<Integer>value(GROUP_MAX_SESSION_TIMEOUT_MS);
        if (maxSession < minSession)
        {
            throw new IllegalArgumentException(GROUP_MAX_SESSION_TIMEOUT_MS + " must be at least " + GROUP_MIN_SESSION_TIMEOUT_MS +
                " (" + minSession + "), was " + maxSession);
        }
        groupConfig = new GroupConfig(
            resolved.<Integer>value(OFFSETS_TOPIC_NUM_PARTITIONS),
            minSession,
            maxSession,
            resolved.<Integer>value(GROUP_INITIAL_REBALANCE_DELAY_MS),
            TimeUnit.MINUTES.toMillis(resolved.<Integer>value(OFFSETS_RETENTION_MINUTES)),
            resolved.<Long>value(OFFSETS_RETENTION_CHECK_INTERVAL_MS),
            resolved.<Integer>value(OFFSET_METADATA_MAX_BYTES),
            resolved.<Integer>value(GROUP_MAX_SIZE),
            resolved.<Integer>value(GROUP_CONSUMER_SESSION_TIMEOUT_MS),
            resolved.<Integer>value(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS),
            resolved.<Short>value(OFFSETS_TOPIC_REPLICATION_FACTOR));
    }

    /**
     * The listener the broker serves clients on: its first broker listener. A controller-only node
     * has none and serves no clients: this is then its first controller listener (what the node is known by).
     */
    private static ListenerEndpoint servedListener(final NodeListeners listeners)
    {
        return listeners.broker().isEmpty() ? listeners.controller().get(0) : listeners.broker().get(0);
    }

    /** What Metadata advertises for {@code served}: its advertised entry, else the first advertised broker listener. */
    private static ListenerEndpoint advertisedListener(final NodeListeners listeners, final ListenerEndpoint served)
    {
        final List<ListenerEndpoint> advertised = listeners.broker().isEmpty() ? listeners.advertisedController() : listeners.advertisedBroker();
        return advertised.stream().filter(listener -> listener.name().equals(served.name())).findFirst().orElse(advertised.get(0));
    }

    /**
     * Reads {@code file} (if not null) and applies {@code overrides} on top.
     *
     * @throws IllegalArgumentException naming the first unknown key or invalid value
     */
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
            properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
        }
        values.putAll(overrides);
        return new BrokerConfig(new ResolvedConfig(values));
    }

    public static BrokerConfig of(final Map<String, String> values)
    {
        return parse(null, values);
    }

    /** The values as configured (server.properties and --override), before any dynamic change. */
    public ResolvedConfig resolved()
    {
        return resolved;
    }

    /** Every broker key and topic default as DescribeConfigs and CreateTopics report them (as configured, before dynamic changes). */
    public DescribedConfigs describedConfigs()
    {
        return resolved.described();
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

    /** The node's roles, listeners and quorum settings (KRaft's keys); {@link ClusterRoleConfig#singleNode()} without a quorum. */
    public ClusterRoleConfig clusterRole()
    {
        return clusterRole;
    }

    public Path logDir()
    {
        return logDir;
    }

    public int numPartitions()
    {
        return numPartitions;
    }

    /** The topic defaults as configured; the broker starts its logs from these with its stored dynamic changes over them. */
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

    /** The log cleaner's settings (log.cleaner.*). */
    public CleanerConfig cleanerConfig()
    {
        return cleanerConfig;
    }

    /** How often segments past retention are looked for (log.retention.check.interval.ms). */
    public long retentionCheckIntervalMs()
    {
        return retentionCheckIntervalMs;
    }

    public int fetchSessionCacheSlots()
    {
        return fetchSessionCacheSlots;
    }

    public int shards()
    {
        return shards;
    }

    public IdleStrategyType idleStrategy()
    {
        return idleStrategy;
    }

    /** Page-cache policy: bytes of a segment written back at a time by a background thread; 0 leaves it to the kernel. */
    public int writebackBytes()
    {
        return writebackBytes;
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
