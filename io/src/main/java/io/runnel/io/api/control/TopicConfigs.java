package io.runnel.io.api.control;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Topic-level configuration keys Runnel understands, each with the broker key that supplies its
 * default and Kafka's own default. Keys outside this table are refused (INVALID_CONFIG) rather
 * than silently ignored.
 */
final class TopicConfigs
{
    record Key(String topicKey, String brokerKey, String kafkaDefault, boolean numeric)
    {
    }

    static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static
    {
        add("cleanup.policy", "log.cleanup.policy", "delete", false);
        add("compression.type", "compression.type", "producer", false);
        add("index.interval.bytes", "log.index.interval.bytes", "4096", true);
        add("max.message.bytes", "message.max.bytes", "1048588", true);
        add("message.timestamp.type", "log.message.timestamp.type", "CreateTime", false);
        add("min.insync.replicas", "min.insync.replicas", "1", true);
        add("retention.bytes", "log.retention.bytes", "-1", true);
        add("retention.ms", "log.retention.ms", "604800000", true);
        add("segment.bytes", "log.segment.bytes", "1073741824", true);
        add("segment.index.bytes", "log.index.size.max.bytes", "10485760", true);
        add("segment.ms", "log.roll.ms", "604800000", true);
    }

    private TopicConfigs()
    {
    }

    private static void add(final String topicKey, final String brokerKey, final String kafkaDefault, final boolean numeric)
    {
        KEYS.put(topicKey, new Key(topicKey, brokerKey, kafkaDefault, numeric));
    }

    /** @return null if the value is acceptable, else why not. */
    static String validate(final String key, final String value)
    {
        final Key known = KEYS.get(key);
        if (known == null)
        {
            return "unknown or unsupported topic config " + key;
        }
        if (value == null)
        {
            return "null value for " + key;
        }
        if (known.numeric())
        {
            try
            {
                final long number = Long.parseLong(value.trim());
                if (key.equals("segment.bytes") && number < 1024)
                {
                    return "segment.bytes must be at least 1024";
                }
                if ((key.equals("segment.bytes") || key.equals("max.message.bytes") || key.equals("segment.index.bytes")) && number > Integer.MAX_VALUE)
                {
                    return key + " must fit in an int";
                }
            }
            catch (final NumberFormatException ex)
            {
                return key + " must be a number, was " + value;
            }
        }
        return switch (key)
        {
            case "compression.type" -> value.equals("producer") ? null :
                "compression.type must be 'producer': Runnel stores batches as producers compressed them";
            case "cleanup.policy" -> value.equals("delete") ? null : "cleanup.policy " + value + " is not supported yet";
            case "message.timestamp.type" -> value.equals("CreateTime") ? null : "only CreateTime timestamps are supported yet";
            default -> null;
        };
    }
}
