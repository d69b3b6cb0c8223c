package io.runnel.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.runnel.coordinator.group.ConsumerGroup.ConsumerMember;
import io.runnel.coordinator.group.GroupCoordinator.GroupView;
import io.runnel.coordinator.group.GroupCoordinator.ListedGroup;
import io.runnel.coordinator.group.GroupCoordinator.MemberView;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataValue;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;

/**
 * The group state machine of one coordinator, socket-free (Kafka's {@code GroupCoordinatorShard}):
 * request and timer handlers validate and return a {@link CoordinatorResult} with the records to
 * append; {@link #replay} is the only code that changes group state, at load and after each
 * append alike. Classic groups, KIP-848 consumer groups and committed offsets each have their
 * manager; this class routes to them and answers what spans them (commits, deletes, listings).
 */
final class GroupStateMachine
{
    private final GroupConfig config;
    private final Supplier<TopicsImage> topics;
    private final GroupTimers timers;
    private final ClassicGroupManager classic;
    private final ConsumerGroupManager consumer;
    private final OffsetManager offsets;

    GroupStateMachine(final GroupConfig config, final Supplier<TopicsImage> topics, final GroupTimers timers, final long nowMs)
    {
        this.config = config;
        this.topics = topics;
        this.timers = timers;
        this.classic = new ClassicGroupManager(config, timers);
        this.consumer = new ConsumerGroupManager(config, timers, topics);
        this.offsets = new OffsetManager(config);
        scheduleRetention(nowMs);
    }

    // ---------------------------------------------------------------- replay

    /** Applies one record of {@code __consumer_offsets}: the only way group state changes. */
    void replay(final CoordinatorRecord record)
    {
        final ApiMessage key = record.key();
        final ApiMessage value = record.value() == null ? null : record.value().message();
        if (key instanceof OffsetCommitKey k)
        {
            offsets.replay(k.group(), k.topic(), k.partition(), (OffsetCommitValue)value);
        }
        else if (key instanceof GroupMetadataKey k)
        {
            classic.replay(k.group(), (GroupMetadataValue)value);
        }
        else if (key instanceof ConsumerGroupMetadataKey k)
        {
            consumer.replayEpoch(k.groupId(), (ConsumerGroupMetadataValue)value);
        }
        else if (key instanceof ConsumerGroupMemberMetadataKey k)
        {
            consumer.replaySubscription(k.groupId(), k.memberId(), (ConsumerGroupMemberMetadataValue)value);
        }
        else if (key instanceof ConsumerGroupTargetAssignmentMemberKey k)
        {
            consumer.replayTarget(k.groupId(), k.memberId(), (ConsumerGroupTargetAssignmentMemberValue)value);
        }
        else if (key instanceof ConsumerGroupTargetAssignmentMetadataKey k)
        {
            consumer.replayTargetEpoch(k.groupId(), (ConsumerGroupTargetAssignmentMetadataValue)value);
        }
        else if (key instanceof ConsumerGroupCurrentMemberAssignmentKey k)
        {
            consumer.replayCurrentAssignment(k.groupId(), k.memberId(), (ConsumerGroupCurrentMemberAssignmentValue)value);
        }
        // Other types Kafka writes (share and streams groups, regular expressions, the deprecated
        // partition metadata) describe features Runnel does not have: skipped, as Kafka skips unknown ones.
    }

    /** After a load: timers for what the records describe (member sessions, revocations in progress). */
    void onLoaded(final long nowMs)
    {
        classic.onLoaded(nowMs);
        consumer.onLoaded(nowMs);
    }

    /** This node stopped leading the partition: requests held for a rebalance are told NOT_COORDINATOR. */
    void onUnloaded()
    {
        classic.answerHeld(Errors.NOT_COORDINATOR);
    }

    // ---------------------------------------------------------------- classic protocol

    CoordinatorResult<Void> joinGroup(final JoinGroupRequestData request, final short version, final String clientId,
        final String clientHost, final long nowMs, final Consumer<JoinGroupResponseData> respond)
    {
        final CoordinatorResult<Void> result = new CoordinatorResult<>();
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs() || request.sessionTimeoutMs() > config.maxSessionTimeoutMs())
        {
            return result.then(() -> respond.accept(ClassicGroup.joinError(Errors.INVALID_SESSION_TIMEOUT, request.memberId())));
        }
        if (consumer.hasMembers(request.groupId()))
        {
            return result.then(() -> respond.accept(ClassicGroup.joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId())));
        }
        classic.join(request, version, clientId, clientHost, nowMs, respond, result);
        return result;
    }

    CoordinatorResult<Void> syncGroup(final SyncGroupRequestData request, final long nowMs, final Consumer<SyncGroupResponseData> respond)
    {
        final CoordinatorResult<Void> result = new CoordinatorResult<>();
        classic.sync(request, nowMs, respond, result);
        return result;
    }

    Errors heartbeat(final String groupId, final String memberId, final String instanceId, final int generation, final long nowMs)
    {
        return classic.heartbeat(groupId, memberId, instanceId, generation, nowMs);
    }

    CoordinatorResult<List<Errors>> leaveGroup(final String groupId, final List<LeaveGroupRequestData.MemberIdentity> members, final long nowMs)
    {
        final CoordinatorResult<List<Errors>> result = new CoordinatorResult<>();
        final List<Errors> errors = new ArrayList<>(members.size());
        for (final LeaveGroupRequestData.MemberIdentity member : members)
        {
            errors.add(classic.leave(groupId, member.memberId(), member.groupInstanceId(), nowMs, result));
        }
        return result.respond(errors);
    }

    // ---------------------------------------------------------------- KIP-848 consumer protocol

    CoordinatorResult<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(final ConsumerGroupHeartbeatRequestData request,
        final String clientId, final String clientHost, final long nowMs)
    {
        if (classic.hasMembers(request.groupId()))
        {
            return CoordinatorResult.of(ConsumerGroupManager.error(Errors.GROUP_ID_NOT_FOUND,
                "group " + request.groupId() + " is a classic group with members"));
        }
        if (request.memberEpoch() == 0 && request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null)
        {
            return CoordinatorResult.of(ConsumerGroupManager.error(Errors.INVALID_REQUEST, "a joining member must name its subscription"));
        }
        if (request.subscribedTopicRegex() != null)
        {
            return CoordinatorResult.of(ConsumerGroupManager.error(Errors.INVALID_REQUEST, "regular-expression subscriptions are not supported yet"));
        }
        return consumer.heartbeat(request, clientId, clientHost, topics.get(), nowMs);
    }

    ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(final String groupId)
    {
        return consumer.describe(groupId, topics.get());
    }

    /** Subscribed topics were created, deleted or grew. */
    CoordinatorResult<Void> onTopicsChanged(final long nowMs)
    {
        return consumer.onTopicsChanged(topics.get(), nowMs);
    }

    // ---------------------------------------------------------------- offsets

    CoordinatorResult<List<Errors>> commitOffsets(final String groupId, final int generation, final String memberId,
        final String instanceId, final List<GroupCoordinator.CommitRequest> commits, final long nowMs)
    {
        final CoordinatorResult<List<Errors>> result = new CoordinatorResult<>();
        final Errors groupError = validateCommit(groupId, generation, memberId, instanceId, nowMs);
        final List<Errors> errors = offsets.commit(groupId, groupError, commits, topics.get(), nowMs, result);
        return result.respond(errors).onAppendFailure(() ->
        {
            for (int i = 0; i < errors.size(); i++)
            {
                if (errors.get(i) == Errors.NONE)
                {
                    errors.set(i, Errors.COORDINATOR_NOT_AVAILABLE);
                }
            }
        });
    }

    private Errors validateCommit(final String groupId, final int generation, final String memberId, final String instanceId,
        final long nowMs)
    {
        final ConsumerGroup consumerGroup = consumer.group(groupId);
        if (consumerGroup != null && !consumerGroup.members.isEmpty())
        {
            final ConsumerMember member = consumerGroup.members.get(memberId);
            if (member == null)
            {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return generation != member.memberEpoch ? Errors.STALE_MEMBER_EPOCH : null;
        }
        final ClassicGroup group = classic.group(groupId);
        if (group == null || group.state == GroupState.EMPTY)
        {
            // Standalone consumers (assign() with a group id) commit with no member and generation -1.
            return generation < 0 ? null : group == null ? Errors.ILLEGAL_GENERATION : Errors.UNKNOWN_MEMBER_ID;
        }
        if (generation < 0 && (memberId == null || memberId.isEmpty()))
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        final Errors invalid = group.validateMember(memberId, instanceId, generation);
        if (invalid != null)
        {
            return invalid;
        }
        // Like Kafka: members of the current generation may commit while the group prepares a
        // rebalance (typically from onPartitionsRevoked); only the sync phase refuses.
        if (group.state == GroupState.COMPLETING_REBALANCE)
        {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        classic.touch(groupId, memberId, nowMs);
        return null;
    }

    Map<String, Map<Integer, GroupCoordinator.Committed>> fetchOffsets(final String groupId, final Map<String, List<Integer>> topicPartitions)
    {
        return offsets.fetch(groupId, topicPartitions);
    }

    /** OffsetDelete: refused for topics the group is consuming. */
    CoordinatorResult<OffsetDeleteResponseData> deleteOffsets(final OffsetDeleteRequestData request)
    {
        final String groupId = request.groupId();
        final CoordinatorResult<OffsetDeleteResponseData> result = new CoordinatorResult<>();
        final OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        if (classic.group(groupId) == null && consumer.group(groupId) == null && !offsets.hasOffsets(groupId))
        {
            return result.respond(response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
        }
        for (final OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : request.topics())
        {
            final List<Integer> partitions = new ArrayList<>();
            topic.partitions().forEach(p -> partitions.add(p.partitionIndex()));
            final Errors error = isSubscribed(groupId, topic.name()) ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE;
            if (error == Errors.NONE)
            {
                offsets.delete(groupId, topic.name(), partitions, result);
            }
            final OffsetDeleteResponseData.OffsetDeleteResponseTopic out = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
            for (final int partition : partitions)
            {
                out.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition().setPartitionIndex(partition).setErrorCode(error.code()));
            }
            response.topics().add(out);
        }
        return result.respond(response).onAppendFailure(() -> response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
    }

    private boolean isSubscribed(final String groupId, final String topic)
    {
        final ConsumerGroup consumerGroup = consumer.group(groupId);
        if (consumerGroup != null)
        {
            for (final ConsumerMember member : consumerGroup.members.values())
            {
                if (member.subscribedTopics.contains(topic))
                {
                    return true;
                }
            }
        }
        final ClassicGroup group = classic.group(groupId);
        if (group != null)
        {
            for (final Member member : group.members.values())
            {
                if (subscribes(member.metadataFor(group.protocolName), topic))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** A classic consumer's subscription metadata names its topics (ConsumerProtocol). */
    private static boolean subscribes(final byte[] metadata, final String topic)
    {
        try
        {
            return ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics().contains(topic);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /** DeleteGroups: only an empty group (or one that holds only offsets) can be deleted. */
    CoordinatorResult<Errors> deleteGroup(final String groupId)
    {
        final CoordinatorResult<Errors> result = new CoordinatorResult<>();
        final ClassicGroup group = classic.group(groupId);
        final ConsumerGroup consumerGroup = consumer.group(groupId);
        if (group == null && consumerGroup == null && !offsets.hasOffsets(groupId))
        {
            return result.respond(Errors.GROUP_ID_NOT_FOUND);
        }
        if ((group != null && !group.isEmpty()) || (consumerGroup != null && !consumerGroup.members.isEmpty()))
        {
            return result.respond(Errors.NON_EMPTY_GROUP);
        }
        offsets.deleteAll(groupId, result);
        result.record(groupId, GroupRecords.groupMetadataTombstone(groupId));
        if (consumerGroup != null)
        {
            result.record(groupId, GroupRecords.targetAssignmentEpochTombstone(groupId));
            result.record(groupId, GroupRecords.consumerGroupEpochTombstone(groupId));
        }
        classic.forget(groupId);
        return result.respond(Errors.NONE).onAppendFailure(() -> result.respond(Errors.COORDINATOR_NOT_AVAILABLE));
    }

    // ---------------------------------------------------------------- describe and list

    GroupView describe(final String groupId)
    {
        final ClassicGroup group = classic.group(groupId);
        if (group == null)
        {
            return offsets.hasOffsets(groupId) ? new GroupView(groupId, GroupState.EMPTY, "", "", List.of()) : null;
        }
        final boolean stable = group.state == GroupState.STABLE;
        final List<MemberView> members = new ArrayList<>();
        for (final Member member : group.members.values())
        {
            members.add(new MemberView(member.memberId, member.instanceId, member.clientId, member.clientHost,
                stable ? member.metadataFor(group.protocolName) : new byte[0], stable ? member.assignment : new byte[0]));
        }
        return new GroupView(groupId, group.state, group.protocolType == null ? "" : group.protocolType,
            stable ? group.protocolName : "", members);
    }

    List<ListedGroup> list()
    {
        final List<ListedGroup> result = new ArrayList<>();
        for (final ClassicGroup group : classic.all())
        {
            if (consumer.group(group.groupId) == null || !group.isEmpty())
            {
                result.add(new ListedGroup(group.groupId, "classic", group.protocolType == null ? "" : group.protocolType, group.state.wireName()));
            }
        }
        for (final ConsumerGroup group : consumer.all())
        {
            if (!classic.hasMembers(group.groupId))
            {
                result.add(new ListedGroup(group.groupId, "consumer", "consumer", group.state()));
            }
        }
        for (final String groupId : offsets.groupIds())
        {
            if (classic.group(groupId) == null && consumer.group(groupId) == null)
            {
                result.add(new ListedGroup(groupId, "classic", "", GroupState.EMPTY.wireName()));
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- timers

    private void scheduleRetention(final long nowMs)
    {
        timers.schedule(GroupTimers.Kind.OFFSETS_RETENTION, "", null, nowMs + config.offsetsRetentionCheckMs(), now ->
        {
            scheduleRetention(now);
            return offsets.expire(now, groupId -> classic.hasMembers(groupId) || consumer.hasMembers(groupId));
        });
    }
}
