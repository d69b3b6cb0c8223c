package io.runnel.kernel.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.common.config.ConfigDef;

/**
 * A change to one resource's configs (a topic's overrides, or the broker's dynamic keys at one
 * level), as the two Kafka APIs express it: IncrementalAlterConfigs' steps (set, delete, append to
 * or subtract from a list) or AlterConfigs' complete replacement. It is applied by the conductor
 * to the configs in force when the change runs, never to a copy read earlier, so that two changes
 * to one resource cannot lose each other's keys.
 */
public final class ConfigChange
{
    /** IncrementalAlterConfigs' operations, with the ids the protocol (and kafka-clients' AlterConfigOp.OpType) gives them. */
    public enum Operation
    {
        SET(0),
        DELETE(1),
        APPEND(2),
        SUBTRACT(3);

        private final byte id;

        Operation(final int id)
        {
            this.id = (byte)id;
        }

        /** @return the operation of that id, or null if there is none */
        public static Operation forId(final byte id)
        {
            for (final Operation operation : values())
            {
                if (operation.id == id)
                {
                    return operation;
                }
            }
            return null;
        }
    }

    /**
     * One step of an incremental change.
     *
     * @param key       the config key
     * @param operation what to do with it
     * @param value     the value to set, append or subtract; ignored by DELETE
     */
    public record Step(String key, Operation operation, String value)
    {
    }

    private final List<Step> steps;
    private final Map<String, String> replacement;

    private ConfigChange(final List<Step> steps, final Map<String, String> replacement)
    {
        this.steps = steps;
        this.replacement = replacement;
    }

    /** IncrementalAlterConfigs: the steps, applied in order to the configs in force. */
    public static ConfigChange incremental(final List<Step> steps)
    {
        return new ConfigChange(List.copyOf(steps), null);
    }

    /** AlterConfigs: these configs replace every config the resource sets (a key left out is deleted). */
    public static ConfigChange replaceAll(final Map<String, String> configs)
    {
        return new ConfigChange(null, Collections.unmodifiableMap(new LinkedHashMap<>(configs)));
    }

    /**
     * The configs after this change.
     *
     * @param current      the configs the resource sets now
     * @param declarations the declared key of a name, or null if the name is not declared; APPEND and
     *                     SUBTRACT start from the declared default when the resource does not set the key
     * @throws ConfigRefusedException (INVALID_CONFIG) for APPEND or SUBTRACT on a key that is not a list
     */
    public Map<String, String> applyTo(final Map<String, String> current, final Function<String, DeclaredKey> declarations)
    {
        if (replacement != null)
        {
            return replacement;
        }
        final Map<String, String> next = new LinkedHashMap<>(current);
        for (final Step step : steps)
        {
            switch (step.operation())
            {
                case SET -> next.put(step.key(), step.value());
                case DELETE -> next.remove(step.key());
                case APPEND, SUBTRACT ->
                {
                    final DeclaredKey key = declarations.apply(step.key());
                    if (key == null || key.type != ConfigDef.Type.LIST)
                    {
                        throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_CONFIG,
                            "Can't " + step.operation() + " to key " + step.key() + " because its type is not LIST.");
                    }
                    final String base = next.containsKey(step.key()) ? next.get(step.key()) :
                        key.defaultValue == null ? null : ConfigDef.convertToString(key.defaultValue, ConfigDef.Type.LIST);
                    final List<String> items = items(base);
                    for (final String item : items(step.value()))
                    {
                        if (step.operation() == Operation.SUBTRACT)
                        {
                            items.remove(item);
                        }
                        else if (!items.contains(item))
                        {
                            items.add(item);
                        }
                    }
                    next.put(step.key(), String.join(",", items));
                }
            }
        }
        return next;
    }

    private static List<String> items(final String list)
    {
        final List<String> items = new ArrayList<>();
        if (list != null)
        {
            for (final String item : list.split(","))
            {
                if (!item.isBlank())
                {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }
}
