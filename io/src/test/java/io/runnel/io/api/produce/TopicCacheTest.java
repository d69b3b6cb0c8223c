package io.runnel.io.api.produce;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.runnel.codecs.protocol.ProduceRequestDecoder;
import io.runnel.kernel.topic.PartitionPlacement;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The produce path's topic cache must never answer with a topic the registry no longer has: a deleted
 * topic is unknown at once, and a re-created one is the new topic (new id, new partitions), not the cached one.
 */
class TopicCacheTest
{
    @TempDir
    Path logDir;

    private TopicRegistry registry;
    private TopicCache cache;
    private final ProduceRequestDecoder decoder = new ProduceRequestDecoder();

    @BeforeEach
    void openRegistry()
    {
        registry = new TopicRegistry(logDir, new PartitionPlacement(2));
        registry.load();
        cache = new TopicCache(registry);
    }

    @Test
    void findsTopicsByNameAndReusesTheCachedOne()
    {
        final Topic orders = create("orders", 3, Map.of());
        create("payments", 1, Map.of());

        decodeByName("orders", "payments");
        assertSame(orders, cache.resolve(decoder, 0));
        assertSame(registry.snapshot().topic("payments"), cache.resolve(decoder, 1));
        decodeByName("orders");
        assertSame(orders, cache.resolve(decoder, 0));
    }

    @Test
    void aDeletedTopicIsUnknownAndARecreatedOneIsTheNewTopic()
    {
        final Topic first = create("orders", 3, Map.of());
        decodeByName("orders");
        assertSame(first, cache.resolve(decoder, 0));

        registry.delete("orders");
        assertNull(cache.resolve(decoder, 0), "a deleted topic must not be served from the cache");

        final Topic second = create("orders", 5, Map.of());
        final Topic resolved = cache.resolve(decoder, 0);
        assertNotSame(first, resolved);
        assertSame(second, resolved);
    }

    @Test
    void findsTopicsById()
    {
        final Topic orders = create("orders", 1, Map.of());
        decodeById(orders.id());
        assertSame(orders, cache.resolve(decoder, 0));
        assertSame(orders, cache.resolve(decoder, 0));

        decodeById(Uuid.randomUuid());
        assertNull(cache.resolve(decoder, 0));
    }

    @Test
    void aNameThatIsAPrefixOfACachedOneIsNotConfusedWithIt()
    {
        create("orders-eu", 1, Map.of());
        decodeByName("orders-eu");
        cache.resolve(decoder, 0);

        decodeByName("orders");
        assertNull(cache.resolve(decoder, 0));
    }

    private void decodeByName(final String... names)
    {
        final TopicProduceDataCollection topics = new TopicProduceDataCollection();
        for (final String name : names)
        {
            topics.add(new TopicProduceData().setName(name).setPartitionData(new ArrayList<>(List.of(new PartitionProduceData().setIndex(0)))));
        }
        decode(new ProduceRequestData().setAcks((short)1).setTimeoutMs(1000).setTopicData(topics), (short)11);
    }

    private void decodeById(final Uuid id)
    {
        final TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setTopicId(id).setPartitionData(new ArrayList<>(List.of(new PartitionProduceData().setIndex(0)))));
        decode(new ProduceRequestData().setAcks((short)1).setTimeoutMs(1000).setTopicData(topics), (short)13);
    }

    private void decode(final ProduceRequestData request, final short version)
    {
        final ObjectSerializationCache sizes = new ObjectSerializationCache();
        final ByteBuffer body = ByteBuffer.allocateDirect(request.size(sizes, version));
        request.write(new ByteBufferAccessor(body), sizes, version);
        body.flip();
        decoder.decode(new UnsafeBuffer(body), 0, body.remaining(), version);
    }

    /** What the conductor does for a new topic, without its logs: prepare, then publish. */
    private Topic create(final String name, final int partitions, final Map<String, String> configs)
    {
        final Topic topic = registry.prepare(name, partitions, configs);
        registry.publish(topic);
        return topic;
    }
}
