package io.runnel.kernel.log;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogConfigTest
{
    @Test
    void defaultsAreTheDeclaredTopicDefaults()
    {
        final LogConfig defaults = LogConfig.defaults();
        assertEquals(TopicConfigDef.key(TopicConfigDef.SEGMENT_BYTES).defaultValue, defaults.segmentBytes());
        assertEquals(TopicConfigDef.key(TopicConfigDef.SEGMENT_MS).defaultValue, defaults.segmentMs());
        assertEquals(TopicConfigDef.key(TopicConfigDef.INDEX_INTERVAL_BYTES).defaultValue, defaults.indexIntervalBytes());
        assertEquals(TopicConfigDef.key(TopicConfigDef.SEGMENT_INDEX_BYTES).defaultValue, defaults.maxIndexBytes());
        assertEquals(TopicConfigDef.key(TopicConfigDef.MAX_MESSAGE_BYTES).defaultValue, defaults.maxMessageBytes());
        assertEquals(FlushPolicy.PAGE_CACHE, defaults.flushPolicy());
    }

    @Test
    void topicOverridesReplaceTheBrokerDefaultsOfEveryKeyALogApplies()
    {
        final LogConfig broker = LogConfig.defaults().withSegmentBytes(1 << 20).withFlushPolicy(FlushPolicy.FSYNC);
        final LogConfig topic = broker.withTopicOverrides(Map.of(
            "segment.bytes", "2048", "segment.ms", "60000", "index.interval.bytes", "1",
            "segment.index.bytes", "4096", "max.message.bytes", "100"));
        assertEquals(LogConfig.defaults().withSegmentBytes(2048).withSegmentMs(60_000).withIndexIntervalBytes(1).withMaxIndexBytes(4096)
            .withMaxMessageBytes(100).withFlushPolicy(FlushPolicy.FSYNC), topic);
    }

    @Test
    void aTopicOverrideReplacesOnlyItsOwnKey()
    {
        final LogConfig broker = LogConfig.defaults().withSegmentBytes(1 << 20);
        final LogConfig topic = broker.withTopicOverrides(Map.of("min.insync.replicas", "2"));
        assertEquals(2, topic.minInsyncReplicas());
        assertEquals(1, broker.minInsyncReplicas());
        assertEquals(broker.segmentBytes(), topic.segmentBytes());
        assertSame(LogConfig.defaults().flushPolicy(), broker.withTopicOverrides(Map.of()).flushPolicy());
    }

    @Test
    void anInvalidValueIsRefusedWithItsKey()
    {
        final IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
            () -> LogConfig.defaults().withTopicOverrides(Map.of("segment.index.bytes", "8")));
        assertTrue(tooSmall.getMessage().contains("segment.index.bytes"), tooSmall.getMessage());
        final IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
            () -> LogConfig.defaults().withTopicOverrides(Map.of("index.interval.bytes", "often")));
        assertTrue(notANumber.getMessage().contains("index.interval.bytes"), notANumber.getMessage());
    }
}
