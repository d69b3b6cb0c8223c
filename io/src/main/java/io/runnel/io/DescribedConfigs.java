package io.runnel.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * The broker's settings as DescribeConfigs and CreateTopics report them, resolved by the broker
 * from the declarations (the broker's keys and the topic keys) and the values configured and set at
 * run time (a new one after each dynamic change). The network layer only renders these; it knows
 * no key and no default of its own.
 *
 * @param broker          every broker key, in declaration order, as this broker (resource name node.id) reports it
 * @param topicDefaults   every topic key as it applies to a topic that does not override it, in declaration order
 * @param clusterDefaults the broker keys set as the cluster-wide dynamic default, as the resource named "" reports them
 */
public record DescribedConfigs(List<Entry> broker, Map<String, Entry> topicDefaults, List<Entry> clusterDefaults)
{
    /** Nothing to describe (tools that run the network layer without a broker declaration). */
    public static final DescribedConfigs EMPTY = new DescribedConfigs(List.of(), Map.of());

    /** Without dynamic cluster-wide defaults. */
    public DescribedConfigs(final List<Entry> broker, final Map<String, Entry> topicDefaults)
    {
        this(broker, topicDefaults, List.of());
    }

    /**
     * One source a value could come from, in Kafka's precedence order.
     *
     * @param name   the key at that source (a broker synonym carries the broker key's name and unit)
     * @param value  the value there; null if sensitive
     * @param source where it is set
     */
    public record Synonym(String name, String value, ConfigSource source)
    {
    }

    /**
     * One key as described.
     *
     * @param name          the key
     * @param value         the value in effect; null if unset or sensitive
     * @param source        where the value in effect comes from
     * @param type          the declared type
     * @param dynamic       the key can be changed at run time (IncrementalAlterConfigs, AlterConfigs)
     * @param sensitive     the value is never reported
     * @param documentation the key's declared documentation
     * @param synonyms      every source with a value for it, highest precedence first
     */
    public record Entry(String name, String value, ConfigSource source, ConfigDef.Type type, boolean dynamic, boolean sensitive,
        String documentation, List<Synonym> synonyms)
    {
        /** This key as a topic override sets it: the override comes first among the synonyms. */
        public Entry overriddenBy(final String override)
        {
            final List<Synonym> withOverride = new ArrayList<>(synonyms.size() + 1);
            withOverride.add(new Synonym(name, sensitive ? null : override, ConfigSource.TOPIC_CONFIG));
            withOverride.addAll(synonyms);
            return new Entry(name, sensitive ? null : override, ConfigSource.TOPIC_CONFIG, type, dynamic, sensitive, documentation,
                Collections.unmodifiableList(withOverride));
        }
    }

    /** Every topic key for a topic with these overrides: its own value where it sets one, the broker's default elsewhere. */
    public List<Entry> topic(final Map<String, String> overrides)
    {
        final List<Entry> entries = new ArrayList<>(topicDefaults.size());
        for (final Entry fallback : topicDefaults.values())
        {
            final String override = overrides.get(fallback.name());
            entries.add(override != null ? fallback.overriddenBy(override) : fallback);
        }
        return entries;
    }
}
