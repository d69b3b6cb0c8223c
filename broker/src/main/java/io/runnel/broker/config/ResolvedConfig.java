package io.runnel.broker.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.runnel.io.DescribedConfigs;
import io.runnel.kernel.config.DeclaredKey;
import io.runnel.kernel.log.FlushPolicy;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.TopicConfigDef;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * The broker's configured values read against {@link BrokerConfigDef}, in Kafka's layers, highest
 * precedence first: dynamic keys set for this broker (DYNAMIC_BROKER_CONFIG), dynamic keys set as
 * the cluster-wide default (DYNAMIC_DEFAULT_BROKER_CONFIG), {@code server.properties} and
 * {@code --override} (STATIC_BROKER_CONFIG), and the declared defaults (DEFAULT_CONFIG). It gives
 * each key's typed value, the default each topic key gets from its broker synonyms, and all of it
 * as DescribeConfigs reports it. Immutable: a dynamic change makes a new one ({@link #withDynamic}).
 *
 * <p>Synonyms ({@code log.retention.ms}, {@code .minutes}, {@code .hours}) resolve as Kafka's do: the
 * highest layer that sets any of them wins, and within a layer the first in precedence order, so a
 * dynamic {@code log.retention.hours} beats a static {@code log.retention.ms}.
 */
public final class ResolvedConfig
{
    /** The layers that can set a value, highest precedence first. */
    private enum Layer
    {
        NODE(ConfigSource.DYNAMIC_BROKER_CONFIG),
        CLUSTER(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG),
        STATIC(ConfigSource.STATIC_BROKER_CONFIG);

        private final ConfigSource source;

        Layer(final ConfigSource source)
        {
            this.source = source;
        }
    }

    private final Map<Layer, Map<String, String>> layers = new java.util.EnumMap<>(Layer.class);
    private final Map<String, Object> values;

    /**
     * @param configured keys as set, values trimmed; blank values count as unset
     * @throws IllegalArgumentException naming the first unknown key or the first invalid value
     */
    public ResolvedConfig(final Map<String, String> configured)
    {
        this(configured, Map.of(), Map.of());
    }

    /**
     * @param configured     keys set in server.properties or by --override
     * @param clusterDynamic dynamic keys set as the cluster-wide default (resource name "")
     * @param nodeDynamic    dynamic keys set for this broker (resource name node.id)
     * @throws IllegalArgumentException naming the first unknown key or the first invalid value
     */
    public ResolvedConfig(final Map<String, String> configured, final Map<String, String> clusterDynamic,
        final Map<String, String> nodeDynamic)
    {
        layers.put(Layer.NODE, checked(nodeDynamic));
        layers.put(Layer.CLUSTER, checked(clusterDynamic));
        layers.put(Layer.STATIC, checked(configured));
        final Map<String, String> merged = new LinkedHashMap<>(layers.get(Layer.STATIC));
        merged.putAll(layers.get(Layer.CLUSTER));
        merged.putAll(layers.get(Layer.NODE));
        try
        {
            this.values = Collections.unmodifiableMap(BrokerConfigDef.def().parse(merged));
        }
        catch (final ConfigException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    private static Map<String, String> checked(final Map<String, String> configured)
    {
        final Map<String, String> set = new LinkedHashMap<>();
        configured.forEach((key, value) ->
        {
            if (BrokerConfigDef.key(key) == null)
            {
                throw new IllegalArgumentException("unknown configuration key '" + key + "'");
            }
            if (value != null && !value.isBlank())
            {
                set.put(key, value.trim());
            }
        });
        return Collections.unmodifiableMap(set);
    }

    /** These static settings with other dynamic ones (each map replaces its layer). */
    public ResolvedConfig withDynamic(final Map<String, String> clusterDynamic, final Map<String, String> nodeDynamic)
    {
        return new ResolvedConfig(layers.get(Layer.STATIC), clusterDynamic, nodeDynamic);
    }

    /** The keys set in server.properties or by --override. */
    public Map<String, String> configured()
    {
        return layers.get(Layer.STATIC);
    }

    /** The dynamic keys set as the cluster-wide default. */
    public Map<String, String> clusterDynamic()
    {
        return layers.get(Layer.CLUSTER);
    }

    /** The dynamic keys set for this broker. */
    public Map<String, String> nodeDynamic()
    {
        return layers.get(Layer.NODE);
    }

    /** Set in any layer (not only defaulted). */
    public boolean isSet(final String key)
    {
        return layerOf(key) != null;
    }

    /** The key's typed value: from the highest layer that sets it, else its default (null if it has none). */
    @SuppressWarnings("unchecked")
    public <T> T value(final String key)
    {
        if (!values.containsKey(key))
        {
            throw new IllegalArgumentException("not a broker key: " + key);
        }
        return (T)values.get(key);
    }

    /** Every broker key's typed value in force. */
    public Map<String, Object> values()
    {
        return values;
    }

    /** The value of the first of {@code keys} that is set (highest layer first), else of the first that has a default. */
    public <T> T first(final String... keys)
    {
        for (final Layer layer : Layer.values())
        {
            for (final String key : keys)
            {
                if (layers.get(layer).containsKey(key))
                {
                    return value(key);
                }
            }
        }
        for (final String key : keys)
        {
            if (value(key) != null)
            {
                return value(key);
            }
        }
        return null;
    }

    /** The default every topic gets for {@code topicKey}: its broker synonym that wins (see the class comment), else the topic key's own default. */
    public Object topicDefault(final String topicKey)
    {
        final DeclaredKey synonym = supplier(topicKey);
        return synonym == null ? TopicConfigDef.key(topicKey).defaultValue : synonym.toTopicUnits(value(synonym.name));
    }

    /** Every topic key's default as configured on this broker, as strings in the topic keys' units. */
    public Map<String, String> topicDefaults()
    {
        final Map<String, String> defaults = new LinkedHashMap<>();
        for (final DeclaredKey key : TopicConfigDef.keys())
        {
            defaults.put(key.name, ConfigDef.convertToString(topicDefault(key.name), key.type));
        }
        return defaults;
    }

    /**
     * The settings every partition log starts from: the topic defaults above and the flush policy.
     *
     * @throws IllegalArgumentException if the defaults do not make a valid log config
     */
    public LogConfig logDefaults()
    {
        return LogConfig.defaults().withTopicOverrides(topicDefaults()).withFlushPolicy(FlushPolicy.parse(value(BrokerConfigDef.FLUSH_POLICY)));
    }

    /** The broker key that supplies {@code topicKey}'s default on this broker, or null if the topic key's own default applies. */
    private DeclaredKey supplier(final String topicKey)
    {
        final List<DeclaredKey> synonyms = BrokerConfigDef.synonymsOf(topicKey);
        for (final Layer layer : Layer.values())
        {
            for (final DeclaredKey synonym : synonyms)
            {
                if (layers.get(layer).containsKey(synonym.name))
                {
                    return synonym;
                }
            }
        }
        for (final DeclaredKey synonym : synonyms)
        {
            if (value(synonym.name) != null)
            {
                return synonym;
            }
        }
        return null;
    }

    private Layer layerOf(final String key)
    {
        for (final Layer layer : Layer.values())
        {
            if (layers.get(layer).containsKey(key))
            {
                return layer;
            }
        }
        return null;
    }

    private ConfigSource sourceOf(final String key)
    {
        final Layer layer = layerOf(key);
        return layer == null ? ConfigSource.DEFAULT_CONFIG : layer.source;
    }

    /** Broker keys and topic defaults as DescribeConfigs and CreateTopics report them. */
    public DescribedConfigs described()
    {
        final List<DescribedConfigs.Entry> broker = new ArrayList<>();
        final List<DescribedConfigs.Entry> clusterDefaults = new ArrayList<>();
        for (final DeclaredKey key : BrokerConfigDef.keys())
        {
            final List<DeclaredKey> group = key.topicSynonym() != null ? BrokerConfigDef.synonymsOf(key.topicSynonym().name) : List.of(key);
            final List<DescribedConfigs.Synonym> synonyms = synonyms(group);
            broker.add(entry(key, shown(key, value(key.name)), sourceOf(key.name), synonyms));
            if (clusterDynamic().containsKey(key.name))
            {
                // Kafka's cluster-default resource ("") lists only what is set at that level, with only those synonyms.
                clusterDefaults.add(entry(key, shown(key, parsed(key, clusterDynamic().get(key.name))), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                    synonyms.stream().filter(s -> s.source() == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG).toList()));
            }
        }
        final Map<String, DescribedConfigs.Entry> topicDefaults = new LinkedHashMap<>();
        for (final DeclaredKey key : TopicConfigDef.keys())
        {
            final DeclaredKey supplier = supplier(key.name);
            final ConfigSource source = supplier == null ? ConfigSource.DEFAULT_CONFIG : sourceOf(supplier.name);
            topicDefaults.put(key.name, entry(key, shown(key, topicDefault(key.name)), source, synonyms(BrokerConfigDef.synonymsOf(key.name))));
        }
        return new DescribedConfigs(Collections.unmodifiableList(broker), Collections.unmodifiableMap(topicDefaults),
            Collections.unmodifiableList(clusterDefaults));
    }

    /** Kafka lists every source with a value for the group, in precedence order: layer by layer, each in the group's order, then the defaults. */
    private List<DescribedConfigs.Synonym> synonyms(final List<DeclaredKey> group)
    {
        final List<DescribedConfigs.Synonym> synonyms = new ArrayList<>();
        for (final Layer layer : Layer.values())
        {
            for (final DeclaredKey key : group)
            {
                final String set = layers.get(layer).get(key.name);
                if (set != null)
                {
                    synonyms.add(new DescribedConfigs.Synonym(key.name, shown(key, parsed(key, set)), layer.source));
                }
            }
        }
        for (final DeclaredKey key : group)
        {
            if (key.defaultValue != null)
            {
                synonyms.add(new DescribedConfigs.Synonym(key.name, shown(key, key.defaultValue), ConfigSource.DEFAULT_CONFIG));
            }
        }
        return Collections.unmodifiableList(synonyms);
    }

    /** A value as set in one layer, typed (every layer's values were validated when this was made). */
    private static Object parsed(final DeclaredKey key, final String value)
    {
        return ConfigDef.parseType(key.name, value, key.type);
    }

    private static DescribedConfigs.Entry entry(final DeclaredKey key, final String value, final ConfigSource source,
        final List<DescribedConfigs.Synonym> synonyms)
    {
        return new DescribedConfigs.Entry(key.name, value, source, key.type, key.dynamic(), key.sensitive(), key.documentation, synonyms);
    }

    private static String shown(final DeclaredKey key, final Object value)
    {
        return key.sensitive() || value == null ? null : ConfigDef.convertToString(value, key.type);
    }
}
