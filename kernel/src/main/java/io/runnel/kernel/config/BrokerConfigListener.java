package io.runnel.kernel.config;

import java.util.Map;

/**
 * Told when broker keys change at run time (IncrementalAlterConfigs or AlterConfigs on a broker
 * resource), after the change is persisted and every partition log has its new settings. Called
 * on the conductor's thread: it must not block (hand heavy work to its own thread).
 */
@FunctionalInterface
public interface BrokerConfigListener
{
    /**
     * @param changed every broker key whose value in force changed, with that value now, typed as
     *                its declaration parses it (null if the key is now unset and has no default)
     */
    void onBrokerConfigChange(Map<String, Object> changed);
}
