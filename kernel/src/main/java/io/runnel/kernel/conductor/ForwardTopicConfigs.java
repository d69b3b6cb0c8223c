package io.runnel.kernel.conductor;

import java.util.Map;

import io.runnel.kernel.config.ConfigChange;
import io.runnel.kernel.config.ConfigRefusedException;
import io.runnel.kernel.log.TopicConfigDef;
import io.runnel.kernel.topic.Topic;

/**
 * A cluster member's config change of a topic: validated here as {@link AlterTopicConfigs}
 * validates it, then sent to the metadata quorum as the topic's new overrides; every broker
 * applies them when the quorum commits them ({@link ApplyTopicMetadata}), and the asking client
 * is answered once this one has ({@link AnswerFromQuorum}).
 */
final class ForwardTopicConfigs extends TopicOperation
{
    /** What this operation answers when the real answer will come from the quorum: not delivered. */
    static final TopicResult FORWARDED = TopicResult.failed(TopicResult.Outcome.FAILED, "forwarded to the metadata quorum");

    private final String name;
    private final ConfigChange change;
    private final boolean validateOnly;
    private final QuorumTopics quorum;
    private final TopicResultHandler answer;
    private final int answerShard;

    ForwardTopicConfigs(final String name, final ConfigChange change, final boolean validateOnly, final QuorumTopics quorum,
        final TopicResultHandler handler, final int replyShard)
    {
        super(unlessForwarded(handler), replyShard);
        this.name = name;
        this.change = change;
        this.validateOnly = validateOnly;
        this.quorum = quorum;
        this.answer = handler;
        this.answerShard = replyShard;
    }

    private static TopicResultHandler unlessForwarded(final TopicResultHandler handler)
    {
        return new TopicResultHandler()
        {
            @Override
            public void onResult(final TopicResult result)
            {
                if (result != FORWARDED)
                {
                    handler.onResult(result);
                }
            }

            @Override
            public void onFailure(final Throwable cause)
            {
                handler.onFailure(cause);
            }
        };
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        final Topic existing = conductor.registry().snapshot().topic(name);
        final Map<String, String> overrides;
        try
        {
            overrides = change.applyTo(existing == null ? Map.of() : existing.configs(), TopicConfigDef::key);
            AlterTopicConfigs.validated(conductor, overrides);
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
        quorum.alterTopicConfigs(name, existing.configs(), overrides,
            result -> conductor.offer(new AnswerFromQuorum(name, false, result, answer, answerShard)));
        return FORWARDED;
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        return FORWARDED;
    }

    @Override
    void abandon(final Conductor conductor)
    {
    }
}
