package io.runnel.io.api.control;

import java.util.function.Consumer;

import io.runnel.io.api.RequestContext;
import io.runnel.kernel.conductor.TopicResult;
import io.runnel.kernel.conductor.TopicResultHandler;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * The conductor's answers for one request, gathered on the connection's shard: the response
 * goes out after the last one (at once if nothing was asked).
 */
final class ConductorAnswers
{
    private final RequestContext context;
    private final ApiMessage response;
    private int pending = 1; // held until every change is asked, so an answer given at once cannot respond early

    ConductorAnswers(final RequestContext context, final ApiMessage response)
    {
        this.context = context;
        this.response = response;
    }

    TopicResultHandler expect(final Consumer<TopicResult> onAnswer)
    {
        pending++;
        return new TopicResultHandler()
        {
            @Override
            public void onResult(final TopicResult result)
            {
                onAnswer.accept(result);
                answered();
            }

            @Override
            public void onFailure(final Throwable cause)
            {
                context.fail(cause);
            }
        };
    }

    void allAsked()
    {
        answered();
    }

    private void answered()
    {
        if (--pending == 0)
        {
            context.respond(response);
        }
    }

    /** The error for a change the conductor could not make. */
    static Errors errorOf(final TopicResult outcome)
    {
        return switch (outcome.outcome())
        {
            case DONE -> Errors.NONE;
            case ALREADY_EXISTS -> Errors.TOPIC_ALREADY_EXISTS;
            case UNKNOWN_TOPIC -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
            case INVALID_PARTITIONS -> Errors.INVALID_PARTITIONS;
            case INVALID_CONFIG -> Errors.INVALID_CONFIG;
            case INVALID_REQUEST -> Errors.INVALID_REQUEST;
            case INVALID_REPLICATION_FACTOR -> Errors.INVALID_REPLICATION_FACTOR;
            // Retriable: the client asks again, and finds the topic if the first ask was committed.
            case TIMED_OUT -> Errors.REQUEST_TIMED_OUT;
            // Retriable: the Java admin client backs off and retries (KIP-599).
            case BUSY -> Errors.THROTTLING_QUOTA_EXCEEDED;
            case ELECTION_NOT_NEEDED -> Errors.ELECTION_NOT_NEEDED;
            case NOT_ELECTABLE -> Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE;
            case INVALID_REPLICA_ASSIGNMENT -> Errors.INVALID_REPLICA_ASSIGNMENT;
            case NO_REASSIGNMENT_IN_PROGRESS -> Errors.NO_REASSIGNMENT_IN_PROGRESS;
            case FAILED -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }
}
