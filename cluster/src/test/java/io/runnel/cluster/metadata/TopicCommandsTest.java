package io.runnel.cluster.metadata;

import java.util.List;
import java.util.Map;

import io.runnel.cluster.metadata.MetadataCommand.AlterTopicConfigs;
import io.runnel.cluster.metadata.MetadataCommand.ConfigChange;
import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreatePartitions;
import io.runnel.cluster.metadata.MetadataCommand.CreateTopics;
import io.runnel.cluster.metadata.MetadataCommand.DeleteTopics;
import io.runnel.cluster.metadata.MetadataCommand.NewTopic;
import io.runnel.cluster.metadata.MetadataCommand.PartitionCount;
import io.runnel.cluster.metadata.MetadataCommand.TopicConfigChanges;
import io.runnel.cluster.metadata.MetadataCommand.TopicReference;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.cluster.metadata.MetadataReply.TopicResult;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicCommandsTest
{
    private final MetadataTestContext context = new MetadataTestContext();

    @BeforeEach
    void threeBrokers()
    {
        context.startBrokers(3);
    }

    @Test
    void createdTopicHasItsIdConfigsAndFullyReplicatedPartitions()
    {
        final Uuid id = context.nextTopicId();
        final CommandResult result = (CommandResult)context.send(new CreateTopics(context.correlationId(), false,
            List.of(new NewTopic("orders", id, 4, (short)2, List.of(new ConfigEntry("cleanup.policy", "compact"))))));

        assertEquals(Errors.NONE, result.error());
        assertEquals(Errors.NONE, result.topics().get(0).error());
        assertEquals(id, result.topics().get(0).topicId());
        final Topic topic = context.image().topic("orders");
        assertEquals(id, topic.id());
        assertEquals(topic, context.image().topic(id));
        assertEquals(Map.of("cleanup.policy", "compact"), topic.configs());
        assertEquals(4, topic.partitions().size());
        for (final Partition partition : topic.partitions())
        {
            assertEquals(2, partition.replicas().size());
            assertEquals(partition.replicas(), partition.isr());
            assertEquals(partition.replicas().get(0), partition.leader());
            assertEquals(0, partition.leaderEpoch());
        }
    }

    @Test
    void oneCommandIsOneChangeWithOneVersion()
    {
        final long before = context.image().version();

        context.send(new CreateTopics(context.correlationId(), false, List.of(
            new NewTopic("a", context.nextTopicId(), 3, (short)1, List.of()),
            new NewTopic("b", context.nextTopicId(), 3, (short)1, List.of()))));

        assertEquals(before + 1, context.image().version());
    }

    @Test
    void existingNameIsRefusedAndOtherTopicsOfTheCommandStillCreated()
    {
        context.createTopic("orders", 1, 1);

        final CommandResult result = (CommandResult)context.send(new CreateTopics(context.correlationId(), false, List.of(
            new NewTopic("orders", context.nextTopicId(), 1, (short)1, List.of()),
            new NewTopic("payments", context.nextTopicId(), 1, (short)1, List.of()))));

        assertEquals(Errors.TOPIC_ALREADY_EXISTS, result.topics().get(0).error());
        assertEquals(Errors.NONE, result.topics().get(1).error());
        assertNotNull(context.image().topic("payments"));
    }

    @Test
    void replicationFactorAboveTheUnfencedBrokersIsRefused()
    {
        context.heartbeat(3, true, false);

        final TopicResult result = context.createTopic("orders", 1, 3).topics().get(0);

        assertEquals(Errors.INVALID_REPLICATION_FACTOR, result.error());
        assertTrue(result.message().contains("only 2 broker(s)"), result.message());
        assertNull(context.image().topic("orders"));
    }

    @Test
    void badPartitionCountsNamesAndIdsAreRefused()
    {
        final Uuid taken = context.createTopic("taken", 1, 1).topics().get(0).topicId();

        final CommandResult result = (CommandResult)context.send(new CreateTopics(context.correlationId(), false, List.of(
            new NewTopic("zero", context.nextTopicId(), 0, (short)1, List.of()),
            new NewTopic("bad/name", context.nextTopicId(), 1, (short)1, List.of()),
            new NewTopic("same-id", taken, 1, (short)1, List.of()),
            new NewTopic("reserved-id", Uuid.ZERO_UUID, 1, (short)1, List.of()),
            new NewTopic("taken", context.nextTopicId(), 1, (short)0, List.of()),
            new NewTopic("huge", context.nextTopicId(), MetadataLimits.MAX_NEW_PARTITIONS_PER_COMMAND + 1, (short)1, List.of()))));

        assertEquals(List.of(Errors.INVALID_PARTITIONS, Errors.INVALID_TOPIC_EXCEPTION, Errors.INVALID_REQUEST, Errors.INVALID_REQUEST,
            Errors.TOPIC_ALREADY_EXISTS, Errors.INVALID_PARTITIONS), result.topics().stream().map(TopicResult::error).toList());
        assertEquals(1, context.image().topics().size());
    }

    @Test
    void namesCollidingOnDotAndUnderscoreAreRefused()
    {
        context.createTopic("a.b", 1, 1);

        assertEquals(Errors.INVALID_TOPIC_EXCEPTION, context.createTopic("a_b", 1, 1).topics().get(0).error());
    }

    @Test
    void duplicateNamesInOneCommandAreRefusedBoth()
    {
        final CommandResult result = (CommandResult)context.send(new CreateTopics(context.correlationId(), false, List.of(
            new NewTopic("twice", context.nextTopicId(), 1, (short)1, List.of()),
            new NewTopic("twice", context.nextTopicId(), 1, (short)1, List.of()))));

        assertEquals(Errors.INVALID_REQUEST, result.topics().get(0).error());
        assertEquals(Errors.INVALID_REQUEST, result.topics().get(1).error());
        assertNull(context.image().topic("twice"));
    }

    @Test
    void validateOnlyChecksButChangesNothing()
    {
        final long version = context.image().version();
        final int events = context.out.events.size();

        final CommandResult result = (CommandResult)context.send(new CreateTopics(context.correlationId(), true,
            List.of(new NewTopic("dry", context.nextTopicId(), 3, (short)3, List.of()))));

        assertEquals(Errors.NONE, result.topics().get(0).error());
        assertNull(context.image().topic("dry"));
        assertEquals(version, context.image().version());
        assertTrue(context.out.broadcastsSince(events).isEmpty());
    }

    @Test
    void deleteByNameAndByIdRemovesTopicsAndReportsUnknownOnes()
    {
        context.createTopic("by-name", 1, 1);
        final Uuid id = context.createTopic("by-id", 1, 1).topics().get(0).topicId();

        final CommandResult result = (CommandResult)context.send(new DeleteTopics(context.correlationId(), List.of(
            new TopicReference("by-name", Uuid.ZERO_UUID),
            new TopicReference("", id),
            new TopicReference("missing", Uuid.ZERO_UUID),
            new TopicReference("", context.nextTopicId()))));

        assertEquals(List.of(Errors.NONE, Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_ID),
            result.topics().stream().map(TopicResult::error).toList());
        assertEquals("by-id", result.topics().get(1).name());
        assertTrue(context.image().topics().isEmpty());
        assertNull(context.image().topic(id));
    }

    @Test
    void createPartitionsAddsReplicatedPartitionsAfterTheExistingOnes()
    {
        context.createTopic("grow", 2, 2);
        final List<Partition> before = context.image().topic("grow").partitions();

        final CommandResult result = (CommandResult)context.send(new CreatePartitions(context.correlationId(), false,
            List.of(new PartitionCount("grow", 5))));

        assertEquals(Errors.NONE, result.topics().get(0).error());
        final List<Partition> after = context.image().topic("grow").partitions();
        assertEquals(5, after.size());
        assertEquals(before, after.subList(0, 2), "existing partitions are untouched");
        for (int i = 2; i < 5; i++)
        {
            assertEquals(i, after.get(i).partition());
            assertEquals(2, after.get(i).replicas().size());
        }
    }

    @Test
    void createPartitionsRefusesShrinkingSameCountAndUnknownTopics()
    {
        context.createTopic("three", 3, 1);

        final CommandResult result = (CommandResult)context.send(new CreatePartitions(context.correlationId(), false, List.of(
            new PartitionCount("three", 2), new PartitionCount("missing", 4))));
        final CommandResult same = (CommandResult)context.send(new CreatePartitions(context.correlationId(), false,
            List.of(new PartitionCount("three", 3))));

        assertEquals(Errors.INVALID_PARTITIONS, result.topics().get(0).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, result.topics().get(1).error());
        assertEquals(Errors.INVALID_PARTITIONS, same.topics().get(0).error());
        assertEquals(3, context.image().topic("three").partitions().size());
    }

    @Test
    void alterConfigsSetsAndDeletesOverrides()
    {
        context.createTopic("configured", 1, 1, new ConfigEntry("retention.ms", "1000"), new ConfigEntry("cleanup.policy", "compact"));

        final CommandResult result = (CommandResult)context.send(new AlterTopicConfigs(context.correlationId(), false, List.of(
            new TopicConfigChanges("configured", List.of(
                new ConfigChange("retention.ms", "2000"), new ConfigChange("cleanup.policy", null), new ConfigChange("segment.ms", "60000"))),
            new TopicConfigChanges("missing", List.of(new ConfigChange("retention.ms", "1"))))));

        assertEquals(Errors.NONE, result.topics().get(0).error());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, result.topics().get(1).error());
        assertEquals(Map.of("retention.ms", "2000", "segment.ms", "60000"), context.image().topic("configured").configs());
    }

    @Test
    void alterConfigsRefusesDuplicateKeysAndOversizeValues()
    {
        context.createTopic("configured", 1, 1);

        final CommandResult result = (CommandResult)context.send(new AlterTopicConfigs(context.correlationId(), false, List.of(
            new TopicConfigChanges("configured", List.of(new ConfigChange("a", "1"), new ConfigChange("a", null))))));
        final CommandResult oversize = (CommandResult)context.send(new AlterTopicConfigs(context.correlationId(), false, List.of(
            new TopicConfigChanges("configured", List.of(new ConfigChange("a", "x".repeat(MetadataLimits.MAX_CONFIG_VALUE_LENGTH + 1)))))));

        assertEquals(Errors.INVALID_REQUEST, result.topics().get(0).error());
        assertEquals(Errors.INVALID_CONFIG, oversize.topics().get(0).error());
        assertTrue(context.image().topic("configured").configs().isEmpty());
    }

    @Test
    void alterConfigsThatChangeNothingLeaveTheVersion()
    {
        context.createTopic("configured", 1, 1, new ConfigEntry("retention.ms", "1000"));
        final long version = context.image().version();

        context.send(new AlterTopicConfigs(context.correlationId(), false, List.of(new TopicConfigChanges("configured",
            List.of(new ConfigChange("retention.ms", "1000"), new ConfigChange("not.set", null))))));

        assertEquals(version, context.image().version());
    }
}
