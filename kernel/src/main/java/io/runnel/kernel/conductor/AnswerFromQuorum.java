package io.runnel.kernel.conductor;

import io.runnel.kernel.topic.Topic;

/**
 * The quorum's answer to a forwarded topic change, delivered through the conductor's queue: it
 * runs after every metadata change the quorum sent before its answer (they reach this broker
 * first, and the conductor runs operations in arrival order), so the asking client is answered
 * only once this broker serves the change, and a DONE answer carries the topic as applied here.
 */
final class AnswerFromQuorum extends TopicOperation
{
    private final String name;
    private final boolean deleted;
    private final TopicResult answer;

    AnswerFromQuorum(final String name, final boolean deleted, final TopicResult answer, final TopicResultHandler handler, final int replyShard)
    {
        super(handler, replyShard);
        this.name = name;
        this.deleted = deleted;
        this.answer = answer;
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        if (!answer.isDone() || deleted)
        {
            return answer;
        }
        final Topic applied = conductor.registry().snapshot().topic(name);
        return applied != null ? TopicResult.done(applied) : TopicResult.failed(TopicResult.Outcome.FAILED,
            "the quorum committed the change of " + name + " but this broker has not applied it");
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        return answer;
    }

    @Override
    void abandon(final Conductor conductor)
    {
    }
}
