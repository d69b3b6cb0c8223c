package io.runnel.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.CoordinatorRecordType;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.junit.jupiter.api.Test;

import static io.runnel.coordinator.group.GroupCoordinatorTestContext.owned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records are the source of truth: what a handler decided is visible only through the replay of
 * its records, and loading the log of records (as a restart does) reproduces the same state. The
 * records are Kafka's, read back with Kafka's own serde.
 */
class ReplayTest
{
    private static final String TOPIC = "events";

    private final GroupCoordinatorTestContext context = new GroupCoordinatorTestContext(GroupCoordinatorTestContext.config());
    private final Uuid topicId = context.topics.create(TOPIC, 4);

    /** After every step, a coordinator that loads the log from scratch shows exactly what the running one shows. */
    private void assertReloadShowsTheSameState(final String afterWhat)
    {
        assertEquals(context.visibleState(), context.reloaded().visibleState(), "after " + afterWhat);
    }

    @Test
    void loadingTheLogReproducesClassicGroupsAndOffsetsStepByStep()
    {
        final JoinGroupResponseData first = context.joinNew("classic", "s1".getBytes()).get();
        context.sync("classic", first.memberId(), 1, Map.of(first.memberId(), "a1".getBytes())).get();
        assertReloadShowsTheSameState("the first generation");

        assertEquals(List.of(Errors.NONE), context.commit("classic", 1, first.memberId(), TOPIC, 2, 77).get());
        assertEquals(List.of(Errors.NONE), context.commit("standalone", -1, "", TOPIC, 3, 5).get());
        assertReloadShowsTheSameState("commits");

        final GroupCoordinatorTestContext.Pending<JoinGroupResponseData> newcomer = context.joinNew("classic", "s2".getBytes());
        assertEquals(GroupState.PREPARING_REBALANCE, context.coordinator.describe("classic").state());
        final GroupCoordinator.GroupView afterRestart = context.reloaded().coordinator.describe("classic");
        assertEquals(GroupState.STABLE, afterRestart.state(), "a rebalance in flight is not written, as in Kafka");
        assertEquals(1, afterRestart.members().size(), "a restarted broker has generation 1, whose member rejoins");
        final JoinGroupResponseData leaderAgain = context.join("classic", first.memberId(), null, "s1".getBytes()).get();
        final String follower = newcomer.get().memberId();
        context.sync("classic", first.memberId(), leaderAgain.generationId(),
            Map.of(first.memberId(), "b1".getBytes(), follower, "b2".getBytes())).get();
        assertReloadShowsTheSameState("a second generation with two members");

        context.leave("classic", follower).get();
        context.leave("classic", first.memberId()).get();
        assertReloadShowsTheSameState("everyone left");

        context.coordinator.deleteGroup("standalone", error -> assertEquals(Errors.NONE, error));
        assertReloadShowsTheSameState("a group deleted");
        assertTrue(context.reloaded().coordinator.list().stream().noneMatch(g -> g.groupId().equals("standalone")));
    }

    @Test
    void loadingTheLogReproducesConsumerGroupsWithTheirEpochsAndAssignments()
    {
        final ConsumerGroupHeartbeatResponseData a = context.consumerJoin("kip848", null, TOPIC);
        assertReloadShowsTheSameState("one member");
        final ConsumerGroupHeartbeatResponseData b = context.consumerJoin("kip848", "static-b", TOPIC);
        assertReloadShowsTheSameState("a second member, partitions not yet released");
        final ConsumerGroupHeartbeatResponseData revoking = context.consumerHeartbeat("kip848", a.memberId(), 1, owned(a));
        assertReloadShowsTheSameState("a revocation in progress");
        context.consumerHeartbeat("kip848", a.memberId(), 1, owned(revoking));
        context.consumerHeartbeat("kip848", b.memberId(), b.memberEpoch(), Map.of());
        assertReloadShowsTheSameState("both reconciled");
        context.commit("kip848", 2, a.memberId(), TOPIC, 0, 9).get();
        assertReloadShowsTheSameState("a commit");
    }

    @Test
    void afterARestartAConsumerGroupMemberHeartbeatsOnWithItsEpochAndKeepsItsPartitions()
    {
        final ConsumerGroupHeartbeatResponseData joined = context.consumerJoin("kip848", null, TOPIC);
        final GroupCoordinatorTestContext restarted = context.reloaded();
        final ConsumerGroupHeartbeatResponseData after = restarted.consumerHeartbeat("kip848", joined.memberId(), joined.memberEpoch(), owned(joined));
        assertEquals(Errors.NONE.code(), after.errorCode());
        assertEquals(joined.memberEpoch(), after.memberEpoch(), "no new epoch, no rebalance");
        assertEquals(1, restarted.coordinator.describeConsumerGroup("kip848").groupEpoch());
        assertEquals(Map.of(topicId, List.of(0, 1, 2, 3)), restarted.coordinator.describeConsumerGroup("kip848").members().get(0)
            .assignment().topicPartitions().stream().collect(java.util.stream.Collectors.toMap(t -> t.topicId(), t -> t.partitions())));
    }

    @Test
    void afterARestartAClassicMemberHeartbeatsOnInItsGenerationAndSessionsRestartInFull()
    {
        final JoinGroupResponseData joined = context.joinNew("classic", "s".getBytes()).get();
        context.sync("classic", joined.memberId(), 1, Map.of(joined.memberId(), "a".getBytes())).get();
        context.advance(9_000);
        final GroupCoordinatorTestContext restarted = context.reloaded();
        restarted.advance(9_000);
        assertEquals(Errors.NONE, restarted.heartbeat("classic", joined.memberId(), 1), "a full 10 s session from the load");
        restarted.advance(10_001);
        assertEquals(Errors.UNKNOWN_MEMBER_ID, restarted.heartbeat("classic", joined.memberId(), 1), "then it expires as usual");
    }

    @Test
    void aHandlersDecisionChangesNothingUntilItsRecordsAreReplayed()
    {
        final int before = context.log.size();
        final GroupStateMachine machine = context.coordinator.stateMachine("g");
        final CoordinatorResult<List<Errors>> result = machine.commitOffsets("g", -1, "", null,
            List.of(new GroupCoordinator.CommitRequest(TOPIC, 1, 10, -1, "")), context.clock.time());
        assertEquals(1, result.records().size());
        assertEquals(-1, context.committed("g", TOPIC, 1), "the handler alone changed nothing");
        machine.replay(result.records().get(0).record());
        assertEquals(10, context.committed("g", TOPIC, 1), "its record, replayed, did");
        assertEquals(before, context.log.size());
    }

    @Test
    void theResponseAHandlerBuiltIsWhatItsReplayedRecordsSay()
    {
        final ConsumerGroupHeartbeatResponseData first = context.consumerJoin("kip848", null, TOPIC);
        final ConsumerGroupHeartbeatResponseData second = context.consumerJoin("kip848", null, TOPIC);
        final ConsumerGroupHeartbeatResponseData revoking = context.consumerHeartbeat("kip848", first.memberId(), 1, owned(first));
        for (final ConsumerGroupHeartbeatResponseData response : List.of(second, revoking))
        {
            final var member = context.coordinator.describeConsumerGroup("kip848").members().stream()
                .filter(m -> m.memberId().equals(response.memberId())).findFirst().orElseThrow();
            assertEquals(response.memberEpoch(), member.memberEpoch());
            final Map<Uuid, List<Integer>> replayed = new java.util.TreeMap<>();
            member.assignment().topicPartitions().forEach(tp -> replayed.put(tp.topicId(), tp.partitions()));
            assertEquals(owned(response), replayed, "the partitions the response hands out are the replayed current assignment");
        }
    }

    @Test
    void theRecordsAreKafkasAndKafkasSerdeReadsThem()
    {
        final JoinGroupResponseData joined = context.joinNew("classic", "s".getBytes()).get();
        context.sync("classic", joined.memberId(), 1, Map.of(joined.memberId(), "a".getBytes())).get();
        context.commit("classic", 1, joined.memberId(), TOPIC, 0, 123).get();
        context.consumerJoin("kip848", null, TOPIC);

        final GroupCoordinatorRecordSerde serde = new GroupCoordinatorRecordSerde();
        final List<CoordinatorRecordType> types = new ArrayList<>();
        for (final byte[][] bytes : context.log.all())
        {
            final CoordinatorRecord record = serde.deserialize(ByteBuffer.wrap(bytes[0]), bytes[1] == null ? null : ByteBuffer.wrap(bytes[1]));
            types.add(CoordinatorRecordType.fromId(ByteBuffer.wrap(bytes[0]).getShort()));
            if (record.key() instanceof OffsetCommitKey key)
            {
                assertEquals("classic", key.group());
                assertEquals(123, ((OffsetCommitValue)record.value().message()).offset());
                assertEquals(4, record.value().version(), "Kafka 4.4 writes OffsetCommitValue v4");
            }
            if (record.value() != null && record.value().message() instanceof GroupMetadataValue value)
            {
                assertEquals(3, record.value().version());
                assertEquals(joined.memberId(), value.leader());
            }
            if (record.value() != null && record.value().message() instanceof ConsumerGroupCurrentMemberAssignmentValue value)
            {
                assertEquals(1, value.memberEpoch());
            }
        }
        assertEquals(List.of(CoordinatorRecordType.GROUP_METADATA, CoordinatorRecordType.OFFSET_COMMIT,
            CoordinatorRecordType.CONSUMER_GROUP_MEMBER_METADATA, CoordinatorRecordType.CONSUMER_GROUP_METADATA,
            CoordinatorRecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER, CoordinatorRecordType.CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA,
            CoordinatorRecordType.CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT), types);
    }

    @Test
    void tombstonesDeleteOffsetsAndTheyStayDeletedAfterALoad()
    {
        context.commit("g", -1, "", TOPIC, 0, 1).get();
        context.commit("g", -1, "", TOPIC, 1, 2).get();
        final OffsetDeleteRequestData request = new OffsetDeleteRequestData().setGroupId("g");
        final OffsetDeleteRequestData.OffsetDeleteRequestTopic topic = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC);
        topic.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
        request.topics().add(topic);
        final OffsetDeleteResponseData[] response = new OffsetDeleteResponseData[1];
        context.coordinator.deleteOffsets(request, r -> response[0] = r);
        assertEquals(Errors.NONE.code(), response[0].topics().find(TOPIC).partitions().find(0).errorCode());
        assertNull(context.log.records().get(context.log.size() - 1).value(), "a tombstone");
        final GroupCoordinatorTestContext restarted = context.reloaded();
        assertEquals(-1, restarted.committed("g", TOPIC, 0));
        assertEquals(2, restarted.committed("g", TOPIC, 1));
    }

    @Test
    void recordsThatAreNotKafkasFormatAreSkippedOnLoad()
    {
        context.commit("g", -1, "", TOPIC, 0, 1).get();
        // The layout Runnel wrote before it used Kafka's: a group key of type 1 with only a group id.
        context.log.appendRaw(new byte[] {0, 1, 0, 1, 'g'}, new byte[] {0, 0, 1});
        final GroupCoordinatorTestContext restarted = context.reloaded();
        assertEquals(1, restarted.committed("g", TOPIC, 0));
    }

    @Test
    void recordsOfOneHandlerGoToTheirGroupsPartitionInOneBatch()
    {
        final int batches = context.log.batches();
        context.consumerJoin("kip848", null, TOPIC);
        assertEquals(batches + 1, context.log.batches(), "a heartbeat's five records are one batch");
    }
}
