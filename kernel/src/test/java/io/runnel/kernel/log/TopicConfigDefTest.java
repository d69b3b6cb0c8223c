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
    void valuesRunnelDoesNotImplementAreRefusedWithTheReason()
    {
        assertEquals("Invalid value gzip for configuration compression.type: only 'producer' is supported: "
            + "Runnel stores batches as their producers compressed them", TopicConfigDef.validate("compression.type", "gzip"));
        assertTrue(TopicConfigDef.validate("message.timestamp.type", "LogAppendTime").contains("only CreateTime is supported"));
        assertNull(TopicConfigDef.validate("compression.type", "producer"));
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
    void aKeyThatIsNotEnforcedSaysSoInItsDocumentation()
    {
        final DeclaredKey replicas = TopicConfigDef.key("min.insync.replicas");
        assertFalse(replicas.enforced());
        assertTrue(replicas.documentation.endsWith("Accepted and reported; not enforced yet (a single node holds one replica of each partition)."),
            replicas.documentation);
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
