package io.runnel.broker.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.runnel.io.DescribedConfigs;
import io.runnel.kernel.config.DeclaredKey;
import io.runnel.kernel.log.TopicConfigDef;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * The broker's configured values read against {@link BrokerConfigDef}: each key's typed value,
 * which keys were set (in {@code server.properties} or by {@code --override}), the default each
 * topic key gets from its broker synonyms, and all of it as DescribeConfigs reports it.
 */
public final class ResolvedConfig
{
    private final Map<String, String> configured;
    private final Map<String, Object> values;

    /**
     * @param configured keys as set, values trimmed; blank values count as unset
     * @throws IllegalArgumentException naming the first unknown key or the first invalid value
     */
    public ResolvedConfig(final Map<String, String> configured)
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
        this.configured = Collections.unmodifiableMap(set);
        try
        {
            this.values = Collections.unmodifiableMap(BrokerConfigDef.def().parse(set));
        }
        catch (final ConfigException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }

    public boolean isSet(final String key)
    {
        return configured.containsKey(key);
    }

    /** The key's typed value: as configured, else its default (null if it has none). */
    @SuppressWarnings("unchecked")
    public <T> T value(final String key)
    {
        if (!values.containsKey(key))
        {
            throw new IllegalArgumentException("not a broker key: " + key);
        }
        return (T)values.get(key);
    }

    /** The value of the first of {@code keys} that is set, else of the first that has a default. */
    public <T> T first(final String... keys)
    {
        for (final String key : keys)
        {
            if (isSet(key))
            {
                return value(key);
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

    /** The default every topic gets for {@code topicKey}: its highest-precedence broker synonym that is set, else that has a default. */
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

    /** The broker key that supplies {@code topicKey}'s default on this broker, or null if the topic key's own default applies. */
    private DeclaredKey supplier(final String topicKey)
    {
        final List<DeclaredKey> synonyms = BrokerConfigDef.synonymsOf(topicKey);
        for (final DeclaredKey synonym : synonyms)
        {
            if (isSet(synonym.name))
            {
                return synonym;
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

    /** Broker keys and topic defaults as DescribeConfigs and CreateTopics report them. */
    public DescribedConfigs described()
    {
        final List<DescribedConfigs.Entry> broker = new ArrayList<>();
        for (final DeclaredKey key : BrokerConfigDef.keys())
        {
            final List<DeclaredKey> group = key.topicSynonym() != null ? BrokerConfigDef.synonymsOf(key.topicSynonym().name) : List.of(key);
            broker.add(entry(key, shown(key, value(key.name)), isSet(key.name) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG,
                synonyms(group)));
        }
        final Map<String, DescribedConfigs.Entry> topicDefaults = new LinkedHashMap<>();
        for (final DeclaredKey key : TopicConfigDef.keys())
        {
            final DeclaredKey supplier = supplier(key.name);
            final ConfigSource source = supplier != null && isSet(supplier.name) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
            topicDefaults.put(key.name, entry(key, shown(key, topicDefault(key.name)), source, synonyms(BrokerConfigDef.synonymsOf(key.name))));
        }
        return new DescribedConfigs(Collections.unmodifiableList(broker), Collections.unmodifiableMap(topicDefaults));
    }

    /** Kafka lists, for each synonym in precedence order, where it is set and then its default. */
    private List<DescribedConfigs.Synonym> synonyms(final List<DeclaredKey> group)
    {
        final List<DescribedConfigs.Synonym> synonyms = new ArrayList<>();
        for (final DeclaredKey key : group)
        {
            if (isSet(key.name))
            {
                synonyms.add(new DescribedConfigs.Synonym(key.name, shown(key, value(key.name)), ConfigSource.STATIC_BROKER_CONFIG));
            }
            if (key.defaultValue != null)
            {
                synonyms.add(new DescribedConfigs.Synonym(key.name, shown(key, key.defaultValue), ConfigSource.DEFAULT_CONFIG));
            }
        }
        return Collections.unmodifiableList(synonyms);
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
