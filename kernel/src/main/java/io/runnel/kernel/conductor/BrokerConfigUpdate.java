package io.runnel.kernel.conductor;

import java.util.Map;

import io.runnel.kernel.log.LogConfig;

/**
 * A change to the broker's dynamic keys, as the assembly that knows the broker's keys carries it
 * out. The conductor runs it on its own thread, one change at a time among all topic and config
 * changes, so it reads and replaces the settings in force without racing another change.
 */
@FunctionalInterface
public interface BrokerConfigUpdate
{
    /**
     * Validates the change against the settings in force and, unless it only validates, persists
     * it and makes it visible (DescribeConfigs).
     *
     * @return what changed ({@link Applied#NOTHING} when validating only)
     * @throws io.runnel.kernel.config.ConfigRefusedException if the change is refused; nothing changed
     */
    Applied apply();

    /**
     * What a broker config change changed.
     *
     * @param changed       the broker keys whose value in force changed, with their new values (see
     *                      {@link io.runnel.kernel.config.BrokerConfigListener})
     * @param topicDefaults the topic defaults now in force; every log is reconfigured if they differ from before
     */
    record Applied(Map<String, Object> changed, LogConfig topicDefaults)
    {
        public static final Applied NOTHING = new Applied(Map.of(), null);
    }
}
