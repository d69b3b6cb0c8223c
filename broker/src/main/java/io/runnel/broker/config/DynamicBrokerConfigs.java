package io.runnel.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

import io.runnel.io.BrokerConfigs;
import io.runnel.io.DescribedConfigs;
import io.runnel.kernel.conductor.BrokerConfigUpdate;
import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.config.ConfigRefusedException;
import io.runnel.kernel.config.DeclaredKey;
import io.runnel.kernel.files.AtomicFile;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.threading.ShardThreads;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's dynamic keys (those {@link BrokerConfigDef} marks dynamic), set at run time at two
 * levels as Kafka's are: the cluster-wide default (resource name "", DYNAMIC_DEFAULT_BROKER_CONFIG)
 * and this broker (resource name node.id, DYNAMIC_BROKER_CONFIG), both over
 * {@code server.properties}. They are kept in one properties file in the log directory, written
 * atomically (temp file, fsync, rename), and read at start-up over {@code server.properties}.
 *
 * <p>Changes run on the conductor's thread, one at a time ({@link #update}); readers on any thread
 * see the settings in force through {@link #resolved()} and {@link #described()}.
 *
 * <p>Refusals follow Kafka's broker: a key that cannot change at run time, a value that is not
 * valid and (unlike Kafka, which stores unknown broker keys for plugins) an unknown key are all
 * INVALID_REQUEST, and nothing changes.
 */
public final class DynamicBrokerConfigs implements BrokerConfigs
{
    /** The file in the log directory; hidden, like the topic store, so no one takes it for a partition. */
    public static final String FILE_NAME = ".runnel-broker-configs.properties";
    private static final String TEMP_SUFFIX = AtomicFile.TEMP_SUFFIX;
    /** Keys of the cluster-wide level are stored as {@code default.<key>}, those of a broker as {@code broker.<node.id>.<key>}. */
    private static final String DEFAULT_PREFIX = "default.";
    private static final String BROKER_PREFIX = "broker.";
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBrokerConfigs.class);

    private final Path file;
    private final int nodeId;
    /** Other brokers' keys found in the file (a log directory moved between node ids): kept as found. */
    private final Map<String, String> otherBrokers;
    private volatile ResolvedConfig resolved;
    private volatile DescribedConfigs described;

    private DynamicBrokerConfigs(final Path file, final int nodeId, final Map<String, String> otherBrokers, final ResolvedConfig resolved)
    {
        this.file = file;
        this.nodeId = nodeId;
        this.otherBrokers = otherBrokers;
        publish(resolved);
    }

    /**
     * Reads the dynamic keys stored in {@code logDir} over the static settings. An entry that is no
     * longer valid (an unknown or no longer dynamic key, a bad value) is left out with a warning, as
     * Kafka ignores invalid dynamic configs at start-up rather than refusing to start.
     */
    public static DynamicBrokerConfigs load(final ResolvedConfig staticConfig, final Path logDir, final int nodeId)
    {
        final Path file = logDir.resolve(FILE_NAME);
        final Map<String, String> cluster = new LinkedHashMap<>();
        final Map<String, String> node = new LinkedHashMap<>();
        final Map<String, String> others = new TreeMap<>();
        if (Files.exists(file))
        {
            final Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
            {
                properties.load(reader);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read the dynamic broker configs in " + file, ex);
            }
            final String ownPrefix = BROKER_PREFIX + nodeId + ".";
            for (final Map.Entry<String, String> stored : new TreeMap<>(propertiesAsMap(properties)).entrySet())
            {
                final String name = stored.getKey();
                final String value = stored.getValue();
                if (name.startsWith(DEFAULT_PREFIX))
                {
                    keepIfValid(cluster, name.substring(DEFAULT_PREFIX.length()), value, file);
                }
                else if (name.startsWith(ownPrefix))
                {
                    keepIfValid(node, name.substring(ownPrefix.length()), value, file);
                }
                else
                {
                    others.put(name, value);
                }
            }
        }
        ResolvedConfig resolved;
        try
        {
            resolved = staticConfig.withDynamic(cluster, node);
            resolved.logDefaults();
        }
        catch (final IllegalArgumentException ex)
        {
            LOG.warn("the dynamic broker configs in {} do not fit together ({}); starting without them", file, ex.getMessage());
            resolved = staticConfig;
        }
        return new DynamicBrokerConfigs(file, nodeId, Collections.unmodifiableMap(others), resolved);
    }

    private static Map<String, String> propertiesAsMap(final Properties properties)
    {
        final Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    private static void keepIfValid(final Map<String, String> level, final String key, final String value, final Path file)
    {
        final String refusal = refusal(key, value);
        if (refusal != null)
        {
            LOG.warn("ignoring the dynamic broker config {}={} in {}: {}", key, value, file, refusal);
            return;
        }
        level.put(key, value);
    }

    /** The settings in force: server.properties, then the cluster-wide and this broker's dynamic keys. */
    public ResolvedConfig resolved()
    {
        return resolved;
    }

    /** The topic defaults in force, for the partition logs. */
    public LogConfig logDefaults()
    {
        return resolved.logDefaults();
    }

    @Override
    public DescribedConfigs described()
    {
        return described;
    }

    @Override
    public BrokerConfigUpdate update(final String resourceName, final ConfigChange change, final boolean validateOnly)
    {
        final boolean perBroker = !resourceName.isEmpty();
        return () ->
        {
            final ResolvedConfig now = resolved;
            final Map<String, String> level = change.applyTo(perBroker ? now.nodeDynamic() : now.clusterDynamic(), BrokerConfigDef::key);
            final ResolvedConfig next = validated(now, level, perBroker);
            if (validateOnly)
            {
                return BrokerConfigUpdate.Applied.NOTHING;
            }
            persist(next);
            publish(next);
            LOG.info("dynamic broker configs {} now {}", perBroker ? "of broker " + nodeId : "(cluster default)", level);
            return new BrokerConfigUpdate.Applied(changed(now, next), next.logDefaults());
        };
    }

    /** The settings with {@code level} as the keys of one level, if every key may be set there and all of it fits together. */
    private static ResolvedConfig validated(final ResolvedConfig now, final Map<String, String> level, final boolean perBroker)
    {
        final List<String> staticOnly = new ArrayList<>();
        for (final Map.Entry<String, String> entry : level.entrySet())
        {
            final DeclaredKey key = BrokerConfigDef.key(entry.getKey());
            if (key != null && !key.dynamic())
            {
                staticOnly.add(entry.getKey());
                continue;
            }
            final String refusal = refusal(entry.getKey(), entry.getValue());
            if (refusal != null)
            {
                throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_REQUEST, refusal);
            }
        }
        if (!staticOnly.isEmpty())
        {
            // Kafka's words (DynamicBrokerConfig.validateConfigs), and its error: INVALID_REQUEST.
            throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_REQUEST,
                "Cannot update these configs dynamically: " + staticOnly);
        }
        try
        {
            final ResolvedConfig next = perBroker ? now.withDynamic(now.clusterDynamic(), level) : now.withDynamic(level, now.nodeDynamic());
            final String conflict = next.logDefaults().conflict();
            if (conflict != null)
            {
                throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_REQUEST, conflict);
            }
            return next;
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_REQUEST, ex.getMessage());
        }
    }

    /** @return null if {@code key} is a dynamic broker key and {@code value} valid for it, else why not */
    private static String refusal(final String key, final String value)
    {
        final DeclaredKey declared = BrokerConfigDef.key(key);
        if (declared == null)
        {
            return "Unknown broker config name: " + key;
        }
        if (!declared.dynamic())
        {
            return key + " cannot be updated dynamically";
        }
        try
        {
            final Object parsed = ConfigDef.parseType(key, value, declared.type);
            if (declared.validator != null)
            {
                declared.validator.ensureValid(key, parsed);
            }
            return null;
        }
        catch (final ConfigException ex)
        {
            return ex.getMessage();
        }
    }

    /** Every broker key whose value in force differs between the two. */
    private static Map<String, Object> changed(final ResolvedConfig before, final ResolvedConfig after)
    {
        final Map<String, Object> changed = new LinkedHashMap<>();
        after.values().forEach((key, value) ->
        {
            if (!Objects.equals(before.values().get(key), value))
            {
                changed.put(key, value);
            }
        });
        return Collections.unmodifiableMap(changed);
    }

    private void publish(final ResolvedConfig next)
    {
        described = next.described();
        resolved = next;
    }

    /** Both levels of this broker and the other brokers' entries as found; conductor thread only. */
    private void persist(final ResolvedConfig next)
    {
        ShardThreads.refuseOnShardThread("persisting dynamic broker configs");
        final Properties properties = new Properties();
        otherBrokers.forEach(properties::setProperty);
        next.clusterDynamic().forEach((key, value) -> properties.setProperty(DEFAULT_PREFIX + key, value));
        next.nodeDynamic().forEach((key, value) -> properties.setProperty(BROKER_PREFIX + nodeId + "." + key, value));
        AtomicFile.write(file, properties, "Runnel dynamic broker configs (IncrementalAlterConfigs, AlterConfigs); over server.properties",
            "the dynamic broker configs");
    }
}
