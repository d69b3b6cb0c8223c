package io.runnel.io;

import io.runnel.kernel.conductor.BrokerConfigUpdate;
import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.config.ConfigRefusedException;

/**
 * The broker's settings as they are now, and how its dynamic keys change: what the network layer
 * needs of the broker's config store, which knows the keys (io knows none).
 */
public interface BrokerConfigs
{
    /** Every broker key and topic default as DescribeConfigs reports them now. */
    DescribedConfigs described();

    /**
     * A change to the dynamic broker keys at one level, for the conductor to run ({@link
     * io.runnel.kernel.conductor.ConductorProxy#alterBrokerConfigs}).
     *
     * @param resourceName "" for the cluster-wide default, else this broker's node.id (checked by the caller)
     * @param change       the change, applied to the keys set at that level when it runs
     * @param validateOnly check the change, change nothing
     */
    BrokerConfigUpdate update(String resourceName, ConfigChange change, boolean validateOnly);

    /** Settings that never change (tools and tests that run the network layer without a broker's store). */
    static BrokerConfigs fixed(final DescribedConfigs described)
    {
        return new BrokerConfigs()
        {
            @Override
            public DescribedConfigs described()
            {
                return described;
            }

            @Override
            public BrokerConfigUpdate update(final String resourceName, final ConfigChange change, final boolean validateOnly)
            {
                return () ->
                {
                    throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_REQUEST, "this broker's configs cannot change at run time");
                };
            }
        };
    }
}
