package io.runnel.io.api.produce;

import java.util.Arrays;

import io.runnel.codecs.protocol.ProduceRequestDecoder;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;

/**
 * The topics a shard's producers wrote to lately, found by the name bytes (or id) in the request
 * without decoding a String or making a Uuid. Valid for one registry snapshot: when topics change,
 * the registry publishes a new snapshot and the cache starts over, so a deleted or re-created topic
 * is never served stale. One per reactor; single-threaded.
 */
final class TopicCache
{
    private static final int SIZE = 16;

    private final TopicRegistry registry;
    private final Topic[] recent = new Topic[SIZE];
    private TopicRegistry.Snapshot snapshot;
    private int next;

    TopicCache(final TopicRegistry registry)
    {
        this.registry = registry;
    }

    /** The request's topic {@code t}, or null when no such topic exists. */
    Topic resolve(final ProduceRequestDecoder decoder, final int t)
    {
        final TopicRegistry.Snapshot current = registry.snapshot();
        if (current != snapshot)
        {
            Arrays.fill(recent, null);
            next = 0;
            snapshot = current;
        }
        final boolean byId = decoder.usesTopicIds();
        for (final Topic topic : recent)
        {
            if (topic == null)
            {
                break;
            }
            if (byId ? topic.id().getMostSignificantBits() == decoder.topicIdMostSignificantBits(t) &&
                topic.id().getLeastSignificantBits() == decoder.topicIdLeastSignificantBits(t) : decoder.topicNameEquals(t, topic.nameUtf8()))
            {
                return topic;
            }
        }
        // Like Kafka, only Metadata auto-creates topics; a produce to an unknown topic is an error.
        final Topic topic = byId ? current.topic(new Uuid(decoder.topicIdMostSignificantBits(t), decoder.topicIdLeastSignificantBits(t)))
            : current.topic(decoder.topicName(t));
        if (topic != null)
        {
            recent[next] = topic;
            next = (next + 1) % SIZE;
        }
        return topic;
    }
}
