package io.runnel.io.api;

import java.util.Collection;
import java.util.Map;

import io.runnel.kernel.conductor.TopicResult;
import io.runnel.kernel.conductor.TopicResultHandler;

/**
 * Topics a request needs created before it can be answered (auto-creation on Metadata, the
 * offsets topic on first group use): the conductor is asked for each, and the request continues
 * on its shard once every answer is in. A topic someone else created meanwhile counts as created;
 * the continuation reads the registry for what now exists.
 */
public final class TopicCreation
{
    private TopicCreation()
    {
    }

    /** Asks for {@code names} to be created, then runs {@code then} on this shard; a failure in it answers {@code context} with an error. */
    public static void createThen(final ApiShard local, final RequestContext context, final Collection<String> names, final int partitions,
        final Map<String, String> configs, final Runnable then)
    {
        createThen(local, context, names, partitions, (short)1, configs, then);
    }

    /** As {@link #createThen(ApiShard, RequestContext, Collection, int, Map, Runnable)}, each partition with {@code replicationFactor} replicas. */
    public static void createThen(final ApiShard local, final RequestContext context, final Collection<String> names, final int partitions,
        final short replicationFactor, final Map<String, String> configs, final Runnable then)
    {
        if (names.isEmpty())
        {
            then.run();
            return;
        }
        // Held one above the asks until all are made, so an answer given at once (BUSY) cannot continue early.
        final Gather gather = new Gather(context, names.size() + 1, then);
        for (final String name : names)
        {
            local.conductor().createTopic(name, partitions, replicationFactor, configs, gather);
        }
        gather.onResult(null);
    }

    /** Counts the conductor's answers (all on this shard's thread) and continues after the last. */
    private static final class Gather implements TopicResultHandler
    {
        private final RequestContext context;
        private final Runnable then;
        private int pending;

        Gather(final RequestContext context, final int pending, final Runnable then)
        {
            this.context = context;
            this.pending = pending;
            this.then = then;
        }

        @Override
        public void onResult(final TopicResult result)
        {
            if (--pending == 0)
            {
                then.run();
            }
        }

        @Override
        public void onFailure(final Throwable cause)
        {
            context.fail(cause);
        }
    }
}
