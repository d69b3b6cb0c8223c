package io.runnel.kernel.conductor;

import java.util.Map;

import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.config.ConfigRefusedException;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.TopicConfigDef;
import io.runnel.kernel.topic.Topic;

/**
 * Changes a topic's config overrides at run time: the change is applied to the overrides in force
 * and validated against {@link TopicConfigDef}; the topic's new overrides are persisted
 * (write-temp-then-rename, as for every topic change) and published; then each partition's owning
 * shard swaps in the new {@link LogConfig}, resolved here, and the change is answered once every
 * shard has. A crash after the persist leaves the new overrides, which the next start-up applies.
 */
final class AlterTopicConfigs extends TopicOperation
{
    private final String name;
    private final ConfigChange change;
    private final boolean validateOnly;
    private Topic reconfigured;

    AlterTopicConfigs(final String name, final ConfigChange change, final boolean validateOnly, final TopicResultHandler handler,
        final int replyShard)
    {
        super(handler, replyShard);
        this.name = name;
        this.change = change;
        this.validateOnly = validateOnly;
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        final Topic existing = conductor.registry().snapshot().topic(name);
        final Map<String, String> overrides;
        final LogConfig config;
        try
        {
            // As Kafka's controller: the configs are validated first, the topic's existence after.
            overrides = change.applyTo(existing == null ? Map.of() : existing.configs(), TopicConfigDef::key);
            config = validated(conductor, overrides);
        }
        catch (final ConfigRefusedException ex)
        {
            return TopicResult.failed(ex.reason() == ConfigRefusedException.Reason.INVALID_REQUEST ? TopicResult.Outcome.INVALID_REQUEST :
                TopicResult.Outcome.INVALID_CONFIG, ex.getMessage());
        }
        if (existing == null)
        {
            return TopicResult.failed(TopicResult.Outcome.UNKNOWN_TOPIC, "no topic " + name);
        }
        if (validateOnly || overrides.equals(existing.configs()))
        {
            return TopicResult.done(existing);
        }
        reconfigured = conductor.registry().prepareConfigs(existing, overrides);
        conductor.registry().publish(reconfigured);
        reconfigurePartitions(conductor, reconfigured, config);
        return null;
    }

    /** Every key declared and valid, and the whole a valid log config over the broker's defaults. */
    static LogConfig validated(final Conductor conductor, final Map<String, String> overrides)
    {
        for (final Map.Entry<String, String> entry : overrides.entrySet())
        {
            if (TopicConfigDef.key(entry.getKey()) == null)
            {
                throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_CONFIG, "Unknown topic config name: " + entry.getKey());
            }
            final String refusal = TopicConfigDef.validate(entry.getKey(), entry.getValue());
            if (refusal != null)
            {
                throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_CONFIG, refusal);
            }
        }
        final LogConfig config;
        try
        {
            config = conductor.logConfigFor(overrides);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_CONFIG, ex.getMessage());
        }
        final String conflict = config.conflict();
        if (conflict != null)
        {
            throw new ConfigRefusedException(ConfigRefusedException.Reason.INVALID_CONFIG, conflict);
        }
        return config;
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        if (shardFailure != null)
        {
            return TopicResult.failed(TopicResult.Outcome.FAILED, "the configs of " + name + " are saved, but a shard could not apply them: "
                + shardFailure + "; they apply at the next start");
        }
        return TopicResult.done(reconfigured);
    }

    @Override
    void abandon(final Conductor conductor)
    {
        // The persist is the one step that changes anything, and it is atomic: nothing to undo.
    }
}
