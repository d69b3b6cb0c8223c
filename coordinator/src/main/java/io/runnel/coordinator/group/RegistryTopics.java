package io.runnel.coordinator.group;

import java.util.function.Supplier;

import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;

/** The topic registry's snapshots as {@link TopicsImage}s: one image per snapshot, so a new image means topics changed. */
final class RegistryTopics implements Supplier<TopicsImage>
{
    private final TopicRegistry registry;
    private TopicRegistry.Snapshot lastSnapshot;
    private TopicsImage lastImage;

    RegistryTopics(final TopicRegistry registry)
    {
        this.registry = registry;
    }

    @Override
    public TopicsImage get()
    {
        final TopicRegistry.Snapshot snapshot = registry.snapshot();
        if (snapshot != lastSnapshot)
        {
            lastSnapshot = snapshot;
            lastImage = new Image(snapshot);
        }
        return lastImage;
    }

    private record Image(TopicRegistry.Snapshot snapshot) implements TopicsImage
    {
        @Override
        public Uuid topicId(final String name)
        {
            final Topic topic = snapshot.topic(name);
            return topic == null ? null : topic.id();
        }

        @Override
        public String topicName(final Uuid id)
        {
            final Topic topic = snapshot.topic(id);
            return topic == null ? null : topic.name();
        }

        @Override
        public int partitionCount(final String name)
        {
            final Topic topic = snapshot.topic(name);
            return topic == null ? -1 : topic.partitionCount();
        }
    }
}
