package io.runnel.kernel.log;

import io.runnel.kernel.config.DeclaredKey;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicConfigDefTest
{
    @Test
    void unknownTopicKeyIsRefusedWithItsName()
    {
        assertEquals("unknown or unsupported topic config no.such.config", TopicConfigDef.validate("no.such.config", "1"));
    }

    @Test
    void valuesAreCheckedAgainstTheDeclaredTypeAndLimits()
    {
        assertEquals("Invalid value big for configuration segment.bytes: Not a number of type INT", TopicConfigDef.validate("segment.bytes", "big"));
        assertEquals("Invalid value 100 for configuration segment.bytes: Value must be at least 1024", TopicConfigDef.validate("segment.bytes", "100"));
        assertEquals("Invalid value 4294967296 for configuration max.message.bytes: Not a number of type INT",
            TopicConfigDef.validate("max.message.bytes", "4294967296"));
        assertEquals("null value for retention.ms", TopicConfigDef.validate("retention.ms", null));
        assertNull(TopicConfigDef.validate("segment.bytes", "1048576"));
        assertNull(TopicConfigDef.validate("retention.ms", "-1"));
    }

    @Test
    void everyCodecAndTimestampTypeKafkaAcceptsIsAcceptedAndNothingElse()
    {
        for (final String codec : new String[] {"producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"})
        {
            assertNull(TopicConfigDef.validate("compression.type", codec), codec);
        }
        assertEquals("Invalid value brotli for configuration compression.type: String must be one of: producer, uncompressed, gzip, "
            + "snappy, lz4, zstd", TopicConfigDef.validate("compression.type", "brotli"));
        assertNull(TopicConfigDef.validate("compression.gzip.level", "-1"));
        assertNull(TopicConfigDef.validate("compression.gzip.level", "9"));
        assertTrue(TopicConfigDef.validate("compression.gzip.level", "0").contains("compression.gzip.level"));
        assertNull(TopicConfigDef.validate("compression.lz4.level", "17"));
        assertTrue(TopicConfigDef.validate("compression.lz4.level", "18").contains("compression.lz4.level"));
        assertNull(TopicConfigDef.validate("compression.zstd.level", "-5"));
        assertTrue(TopicConfigDef.validate("compression.zstd.level", "23").contains("compression.zstd.level"));
        assertNull(TopicConfigDef.validate("message.timestamp.type", "CreateTime"));
        assertNull(TopicConfigDef.validate("message.timestamp.type", "LogAppendTime"));
        assertTrue(TopicConfigDef.validate("message.timestamp.type", "logappendtime").contains("message.timestamp.type"),
            "case matters, as in Kafka");
    }

    @Test
    void keysFrameworksSendAreAcceptedEvenWhereNotEnforcedYet()
    {
        assertNull(TopicConfigDef.validate("cleanup.policy", "compact"));
        assertNull(TopicConfigDef.validate("cleanup.policy", "compact,delete"));
        assertNull(TopicConfigDef.validate("min.compaction.lag.ms", "0"));
        assertNull(TopicConfigDef.validate("delete.retention.ms", "86400000"));
        assertNull(TopicConfigDef.validate("min.insync.replicas", "1"));
        assertTrue(TopicConfigDef.validate("cleanup.policy", "forever").contains("cleanup.policy"));
    }

    @Test
    void everyTopicKeyIsEnforcedAndNoneSaysOtherwise()
    {
        final DeclaredKey replicas = TopicConfigDef.key("min.insync.replicas");
        assertTrue(replicas.enforced(), "acks=all refuses writes with too few in-sync replicas");
        assertFalse(replicas.documentation.contains("not enforced"), replicas.documentation);
        assertTrue(TopicConfigDef.key("delete.retention.ms").enforced());
        final DeclaredKey segmentBytes = TopicConfigDef.key("segment.bytes");
        assertTrue(segmentBytes.enforced());
        assertFalse(segmentBytes.documentation.contains("not enforced"));
    }

    @Test
    void everyTopicKeyIsDynamicAsInKafka()
    {
        TopicConfigDef.keys().forEach(key -> assertTrue(key.dynamic(), key.name));
    }
}
