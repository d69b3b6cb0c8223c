package io.runnel.cluster.metadata;

import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.ConfigChange;
import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreatePartitions;
import io.runnel.cluster.metadata.MetadataCommand.DeleteTopics;
import io.runnel.cluster.metadata.MetadataCommand.PartitionCount;
import io.runnel.cluster.metadata.MetadataCommand.SubscribeImage;
import io.runnel.cluster.metadata.MetadataCommand.TopicConfigChanges;
import io.runnel.cluster.metadata.MetadataCommand.TopicReference;
import io.runnel.cluster.metadata.MetadataTestContext.Event;
import io.runnel.cluster.metadata.MetadataTestContext.Kind;
import io.runnel.codecs.metadata.ImageBeginDecoder;
import io.runnel.codecs.metadata.ImageEndDecoder;
import io.runnel.codecs.metadata.MessageHeaderDecoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageSubscriptionTest
{
    private static final long SUBSCRIBER = 55;

    private final MetadataTestContext context = new MetadataTestContext();

    @Test
    void subscriptionGetsTheWholeImageBetweenImageBeginAndImageEnd()
    {
        context.startBrokers(3, "r1", "r2");
        context.createTopic("orders", 3, 2, new ConfigEntry("retention.ms", "5000"));
        context.createTopic("payments", 2, 1);
        final int from = context.out.events.size();

        context.send(SUBSCRIBER, new SubscribeImage(4242));

        final List<byte[]> replies = repliesTo(SUBSCRIBER, from);
        assertEquals(ImageBeginDecoder.TEMPLATE_ID, templateId(replies.get(0)));
        assertEquals(ImageEndDecoder.TEMPLATE_ID, templateId(replies.get(replies.size() - 1)));
        assertEquals(4242, new ImageEndDecoder().wrap(new UnsafeBuffer(replies.get(replies.size() - 1)), MessageHeaderDecoder.ENCODED_LENGTH,
            ImageEndDecoder.BLOCK_LENGTH, 0).correlationId());
        assertEquals(context.image(), apply(new MetadataImageBuilder(), replies));
        assertTrue(context.out.broadcastsSince(from).isEmpty(), "a subscription changes nothing");
    }

    @Test
    void subscriberThatAppliesTheImageThenEveryBroadcastKeepsTheMachinesImage()
    {
        context.startBrokers(3);
        context.createTopic("before", 2, 2);
        final int from = context.out.events.size();
        context.send(SUBSCRIBER, new SubscribeImage(1));
        final MetadataImageBuilder subscriber = new MetadataImageBuilder();

        int applied = from;
        applied = applyOutputs(subscriber, applied);
        assertEquals(context.image(), subscriber.image());

        context.createTopic("after", 4, 3);
        applied = applyOutputs(subscriber, applied);
        assertEquals(context.image(), subscriber.image());

        context.send(new CreatePartitions(context.correlationId(), false, List.of(new PartitionCount("after", 6))));
        context.send(new io.runnel.cluster.metadata.MetadataCommand.AlterTopicConfigs(context.correlationId(), false,
            List.of(new TopicConfigChanges("after", List.of(new ConfigChange("retention.ms", "1"))))));
        context.heartbeat(2, false, true);
        context.send(new DeleteTopics(context.correlationId(), List.of(new TopicReference("before", Uuid.ZERO_UUID))));
        context.advance(MetadataTestContext.SESSION_TIMEOUT_MS + 1, 2_000, 1);
        applyOutputs(subscriber, applied);

        assertEquals(context.image(), subscriber.image());
        assertEquals(6, subscriber.image().topic("after").partitions().size());
        assertTrue(subscriber.image().broker(3).fenced());
    }

    @Test
    void aHalfAppliedChangeIsNotVisible()
    {
        context.startBrokers(1);
        final MetadataImageBuilder subscriber = new MetadataImageBuilder(context.image());
        final int from = context.out.events.size();

        context.createTopic("six", 6, 1);
        final List<byte[]> delta = context.out.broadcastsSince(from);
        for (int i = 0; i < delta.size() - 1; i++)
        {
            assertFalse(subscriber.apply(new UnsafeBuffer(delta.get(i)), 0, delta.get(i).length));
            assertEquals(null, subscriber.image().topic("six"), "not before DeltaEnd");
        }
        assertTrue(subscriber.apply(new UnsafeBuffer(delta.get(delta.size() - 1)), 0, delta.get(delta.size() - 1).length));

        assertEquals(6, subscriber.image().topic("six").partitions().size());
    }

    @Test
    void builderWaitingForAnImageIgnoresTheDeltasBeforeIt()
    {
        context.startBrokers(1);
        final MetadataImageBuilder subscriber = new MetadataImageBuilder();
        final int from = context.out.events.size();

        context.createTopic("early", 1, 1);
        for (final byte[] message : context.out.broadcastsSince(from))
        {
            assertFalse(subscriber.apply(new UnsafeBuffer(message), 0, message.length));
        }

        assertFalse(subscriber.hasImage());
        assertEquals(MetadataImage.EMPTY, subscriber.image());
    }

    @Test
    void subscriberThatMissedAChangeIsToldToSubscribeAgain()
    {
        context.startBrokers(1);
        final MetadataImageBuilder subscriber = new MetadataImageBuilder(context.image());
        context.createTopic("missed", 1, 1);
        final int from = context.out.events.size();
        context.createTopic("next", 1, 1);
        final byte[] firstOfNext = context.out.broadcastsSince(from).get(0);

        assertThrows(IllegalStateException.class, () -> subscriber.apply(new UnsafeBuffer(firstOfNext), 0, firstOfNext.length));
    }

    @Test
    void everyChangeBumpsTheVersionByOneAndRecordsCarryIt()
    {
        context.startBrokers(2);
        final long before = context.image().version();
        final int from = context.out.events.size();

        context.createTopic("versioned", 2, 1);

        assertEquals(before + 1, context.image().version());
        for (final byte[] record : context.out.broadcastsSince(from))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(record);
            assertEquals(before + 1, buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN),
                "metadataVersion is every record's first field");
        }
        assertNotEquals(0, context.image().version());
    }

    private int applyOutputs(final MetadataImageBuilder subscriber, final int from)
    {
        final List<Event> events = context.out.events;
        for (int i = from; i < events.size(); i++)
        {
            final Event event = events.get(i);
            if (event.kind() == Kind.BROADCAST || (event.kind() == Kind.REPLY && event.sessionId() == SUBSCRIBER))
            {
                subscriber.apply(new UnsafeBuffer(event.bytes()), 0, event.bytes().length);
            }
        }
        return events.size();
    }

    private List<byte[]> repliesTo(final long sessionId, final int from)
    {
        return context.out.events.subList(from, context.out.events.size()).stream()
            .filter(event -> event.kind() == Kind.REPLY && event.sessionId() == sessionId)
            .map(Event::bytes)
            .toList();
    }

    private static MetadataImage apply(final MetadataImageBuilder builder, final List<byte[]> messages)
    {
        boolean complete = false;
        for (final byte[] message : messages)
        {
            complete = builder.apply(new UnsafeBuffer(message), 0, message.length);
        }
        assertTrue(complete);
        return builder.image();
    }

    private static int templateId(final byte[] message)
    {
        return new MessageHeaderDecoder().wrap(new UnsafeBuffer(message), 0).templateId();
    }
}
