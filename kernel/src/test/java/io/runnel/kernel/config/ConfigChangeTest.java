package io.runnel.kernel.config;

import java.util.List;
import java.util.Map;

import io.runnel.kernel.log.TopicConfigDef;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** IncrementalAlterConfigs' operations and AlterConfigs' replacement, applied to a resource's configs as Kafka applies them. */
class ConfigChangeTest
{
    @Test
    void setAndDeleteChangeOnlyTheirKeys()
    {
        final ConfigChange change = ConfigChange.incremental(List.of(step("retention.ms", ConfigChange.Operation.SET, "1000"),
            step("segment.ms", ConfigChange.Operation.DELETE, null)));
        assertEquals(Map.of("retention.ms", "1000", "max.message.bytes", "2048"),
            change.applyTo(Map.of("segment.ms", "60000", "max.message.bytes", "2048"), TopicConfigDef::key));
    }

    @Test
    void appendStartsFromTheDeclaredDefaultAndAddsOnlyWhatIsMissing()
    {
        final ConfigChange append = ConfigChange.incremental(List.of(step("cleanup.policy", ConfigChange.Operation.APPEND, "compact,delete")));
        assertEquals(Map.of("cleanup.policy", "delete,compact"), append.applyTo(Map.of(), TopicConfigDef::key));
        assertEquals(Map.of("cleanup.policy", "compact,delete"), append.applyTo(Map.of("cleanup.policy", "compact"), TopicConfigDef::key));
    }

    @Test
    void subtractRemovesItemsAndMayLeaveAnEmptyList()
    {
        final ConfigChange subtract = ConfigChange.incremental(List.of(step("cleanup.policy", ConfigChange.Operation.SUBTRACT, "delete")));
        assertEquals(Map.of("cleanup.policy", "compact"), subtract.applyTo(Map.of("cleanup.policy", "delete,compact"), TopicConfigDef::key));
        assertEquals(Map.of("cleanup.policy", ""), subtract.applyTo(Map.of(), TopicConfigDef::key));
    }

    @Test
    void appendOrSubtractOnAKeyThatIsNotAListIsAnInvalidConfig()
    {
        final ConfigChange append = ConfigChange.incremental(List.of(step("segment.bytes", ConfigChange.Operation.APPEND, "1")));
        final ConfigRefusedException refused = assertThrows(ConfigRefusedException.class, () -> append.applyTo(Map.of(), TopicConfigDef::key));
        assertEquals(ConfigRefusedException.Reason.INVALID_CONFIG, refused.reason());
        final ConfigChange unknown = ConfigChange.incremental(List.of(step("no.such.key", ConfigChange.Operation.SUBTRACT, "1")));
        assertThrows(ConfigRefusedException.class, () -> unknown.applyTo(Map.of(), TopicConfigDef::key));
    }

    @Test
    void replaceAllDropsEveryKeyItLeavesOut()
    {
        final ConfigChange replace = ConfigChange.replaceAll(Map.of("max.message.bytes", "4096"));
        assertEquals(Map.of("max.message.bytes", "4096"), replace.applyTo(Map.of("retention.ms", "1", "segment.ms", "2"), TopicConfigDef::key));
    }

    @Test
    void operationsHaveTheProtocolsIds()
    {
        assertEquals(ConfigChange.Operation.SET, ConfigChange.Operation.forId((byte)0));
        assertEquals(ConfigChange.Operation.SUBTRACT, ConfigChange.Operation.forId((byte)3));
        assertEquals(null, ConfigChange.Operation.forId((byte)4));
    }

    private static ConfigChange.Step step(final String key, final ConfigChange.Operation operation, final String value)
    {
        return new ConfigChange.Step(key, operation, value);
    }
}
