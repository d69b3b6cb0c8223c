package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.runnel.coordinator.group.ConsumerGroup.ConsumerMember;
import io.runnel.coordinator.group.GroupTimers.Kind;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataValue;

/**
 * The KIP-848 consumer protocol: whenever membership, subscriptions or the subscribed topics
 * change, a new group epoch and a target assignment from a server-side assignor; each member
 * reconciles towards its target through heartbeats. A partition moves only after its previous
 * owner has acknowledged giving it up, so no partition is ever owned twice. Handlers compute the
 * next state on copies and return it as records; {@code replay*} applies them (also on load), so
 * a restarted broker knows every member's epoch and assignment and nobody has to rejoin.
 */
final class ConsumerGroupManager
{
    private final GroupConfig config;
    private final GroupTimers timers;
    private final Supplier<TopicsImage> topics;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();

    ConsumerGroupManager(final GroupConfig config, final GroupTimers timers, final Supplier<TopicsImage> topics)
    {
        this.config = config;
        this.timers = timers;
        this.topics = topics;
    }

    ConsumerGroup group(final String groupId)
    {
        return groups.get(groupId);
    }

    Collection<ConsumerGroup> all()
    {
        return groups.values();
    }

    boolean hasMembers(final String groupId)
    {
        final ConsumerGroup group = groups.get(groupId);
        return group != null && !group.members.isEmpty();
    }

    // ---------------------------------------------------------------- replay

    void replayEpoch(final String groupId, final ConsumerGroupMetadataValue value)
    {
        if (value == null)
        {
            groups.remove(groupId);
            return;
        }
        final ConsumerGroup group = groups.computeIfAbsent(groupId, ConsumerGroup::new);
        group.groupEpoch = value.epoch();
        group.metadataHash = value.metadataHash();
    }

    void replayTargetEpoch(final String groupId, final ConsumerGroupTargetAssignmentMetadataValue value)
    {
        if (value != null)
        {
            groups.computeIfAbsent(groupId, ConsumerGroup::new).assignmentEpoch = value.assignmentEpoch();
        }
    }

    void replaySubscription(final String groupId, final String memberId, final ConsumerGroupMemberMetadataValue value)
    {
        final ConsumerGroup group = value == null ? groups.get(groupId) : groups.computeIfAbsent(groupId, ConsumerGroup::new);
        if (group != null)
        {
            group.replaySubscription(memberId, value);
        }
    }

    void replayTarget(final String groupId, final String memberId, final ConsumerGroupTargetAssignmentMemberValue value)
    {
        final ConsumerGroup group = value == null ? groups.get(groupId) : groups.computeIfAbsent(groupId, ConsumerGroup::new);
        if (group != null)
        {
            group.replayTarget(memberId, value);
        }
    }

    void replayCurrentAssignment(final String groupId, final String memberId, final ConsumerGroupCurrentMemberAssignmentValue value)
    {
        final ConsumerGroup group = value == null ? groups.get(groupId) : groups.computeIfAbsent(groupId, ConsumerGroup::new);
        if (group != null)
        {
            group.replayCurrentAssignment(memberId, value);
        }
    }

    /** After loading: sessions restart in full, revocations in progress get their full timeout again. */
    void onLoaded(final long nowMs)
    {
        for (final ConsumerGroup group : groups.values())
        {
            for (final ConsumerMember member : group.members.values())
            {
                scheduleSession(group.groupId, member.memberId, nowMs);
                if (member.revoking.size() > 0)
                {
                    scheduleRevocation(group.groupId, member, nowMs);
                }
            }
        }
    }

    // ---------------------------------------------------------------- heartbeat

    /** One heartbeat of the consumer protocol (join, reconcile, leave). The group must not be a classic group with members. */
    CoordinatorResult<ConsumerGroupHeartbeatResponseData> heartbeat(final ConsumerGroupHeartbeatRequestData request,
        final String clientId, final String clientHost, final TopicsImage topics, final long nowMs)
    {
        final String groupId = request.groupId();
        final ConsumerGroup group = groups.get(groupId);
        final int epoch = request.memberEpoch();
        if (epoch == ConsumerGroup.LEAVE_EPOCH || epoch == ConsumerGroup.STATIC_LEAVE_EPOCH)
        {
            return leave(group, request.memberId(), epoch, topics, nowMs);
        }
        String memberId = request.memberId();
        ConsumerMember replaced = null;
        if (epoch == 0)
        {
            if (memberId == null || memberId.isEmpty())
            {
                memberId = Uuid.randomUuid().toString();
            }
            final String previous = request.instanceId() == null || group == null ? null : group.staticMembers.get(request.instanceId());
            if (previous != null && !previous.equals(memberId) && group.members.containsKey(previous))
            {
                // A static member came back: it takes its predecessor's place, epoch and partitions.
                replaced = group.members.get(previous);
            }
        }
        final ConsumerMember recorded = group == null ? null : group.members.get(memberId);
        if (epoch != 0 && recorded == null)
        {
            return CoordinatorResult.of(error(Errors.UNKNOWN_MEMBER_ID, "unknown member " + memberId));
        }
        if (epoch != 0 && epoch != recorded.memberEpoch)
        {
            return CoordinatorResult.of(error(Errors.FENCED_MEMBER_EPOCH, "member epoch " + epoch + " is not the current " + recorded.memberEpoch));
        }
        if (request.serverAssignor() != null && !ServerAssignor.isKnown(request.serverAssignor()))
        {
            return CoordinatorResult.of(error(Errors.UNSUPPORTED_ASSIGNOR, "assignors: uniform, range"));
        }
        final ConsumerMember base = replaced != null ? replaced : recorded;
        final ConsumerMember member = base != null ? base.copyAs(memberId) : new ConsumerMember(memberId);
        final boolean subscriptionChanged = update(member, request, clientId, clientHost) || base == null;
        return join(groupId, group, member, recorded, replaced, subscriptionChanged, request, topics, nowMs);
    }

    /** Applies what the heartbeat says about the member. @return true if its subscription (topics or assignor) changed. */
    private static boolean update(final ConsumerMember member, final ConsumerGroupHeartbeatRequestData request,
        final String clientId, final String clientHost)
    {
        if (request.memberEpoch() == 0)
        {
            member.instanceId = request.instanceId();
        }
        member.clientId = clientId == null ? "" : clientId;
        member.clientHost = clientHost == null ? "" : clientHost;
        if (request.rebalanceTimeoutMs() > 0)
        {
            member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        }
        if (request.rackId() != null)
        {
            member.rackId = request.rackId();
        }
        boolean changed = false;
        if (request.subscribedTopicNames() != null && !new HashSet<>(request.subscribedTopicNames()).equals(new HashSet<>(member.subscribedTopics)))
        {
            member.subscribedTopics = List.copyOf(request.subscribedTopicNames());
            changed = true;
        }
        if (request.serverAssignor() != null && !request.serverAssignor().equals(member.serverAssignor))
        {
            member.serverAssignor = request.serverAssignor();
            changed = true;
        }
        return changed;
    }

    /** The records of one (non-leaving) heartbeat, in Kafka's order, and the response built from the member's next state. */
    private CoordinatorResult<ConsumerGroupHeartbeatResponseData> join(final String groupId, final ConsumerGroup group,
        final ConsumerMember member, final ConsumerMember recorded, final ConsumerMember replaced, final boolean subscriptionChanged,
        final ConsumerGroupHeartbeatRequestData request, final TopicsImage topics, final long nowMs)
    {
        final CoordinatorResult<ConsumerGroupHeartbeatResponseData> result = new CoordinatorResult<>();
        final Map<String, ConsumerMember> members = new TreeMap<>(group == null ? Map.of() : group.members);
        final Map<String, Assignment> target = new HashMap<>(group == null ? Map.of() : group.target);
        if (replaced != null)
        {
            tombstoneMember(groupId, replaced.memberId, result);
            members.remove(replaced.memberId);
            final Assignment inherited = target.remove(replaced.memberId);
            if (inherited != null)
            {
                target.put(member.memberId, inherited);
            }
        }
        members.put(member.memberId, member);
        if (recorded == null || !recorded.sameSubscriptionRecord(member))
        {
            result.record(groupId, GroupRecords.memberSubscription(groupId, member));
        }
        int assignmentEpoch = group == null ? 0 : group.assignmentEpoch;
        final long hash = metadataHash(members.values(), topics);
        if (subscriptionChanged || group == null || hash != group.metadataHash)
        {
            assignmentEpoch = newTarget(groupId, group, members, target, hash, topics, nowMs, result);
        }
        else if (replaced != null && target.containsKey(member.memberId))
        {
            result.record(groupId, GroupRecords.targetAssignment(groupId, member.memberId, target.get(member.memberId)));
        }
        final Assignment currentBefore = Assignment.copyOf(member.current);
        final int epochBefore = member.memberEpoch;
        final boolean wasRevoking = member.revoking.size() > 0;
        reconcile(member, ownedFrom(request), target.getOrDefault(member.memberId, new Assignment()), assignmentEpoch, members);
        if (recorded == null || !recorded.sameAssignmentRecord(member))
        {
            result.record(groupId, GroupRecords.currentAssignment(groupId, member));
        }
        if (replaced != null)
        {
            cancelTimers(groupId, replaced.memberId);
        }
        scheduleSession(groupId, member.memberId, nowMs);
        if (member.revoking.size() == 0)
        {
            timers.cancel(Kind.CONSUMER_REVOCATION, groupId, member.memberId);
        }
        else if (!wasRevoking || replaced != null)
        {
            scheduleRevocation(groupId, member, nowMs);
        }
        final ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
            .setMemberId(member.memberId).setMemberEpoch(member.memberEpoch).setHeartbeatIntervalMs(config.consumerHeartbeatIntervalMs());
        if (request.memberEpoch() == 0 || request.topicPartitions() != null || !currentBefore.equals(member.current) ||
            epochBefore != member.memberEpoch)
        {
            response.setAssignment(toWire(member.current));
        }
        return result.respond(response);
    }

    private CoordinatorResult<ConsumerGroupHeartbeatResponseData> leave(final ConsumerGroup group, final String memberId, final int epoch,
        final TopicsImage topics, final long nowMs)
    {
        final CoordinatorResult<ConsumerGroupHeartbeatResponseData> result = CoordinatorResult.of(
            new ConsumerGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(epoch).setHeartbeatIntervalMs(0));
        if (group != null && group.members.containsKey(memberId))
        {
            removeMember(group, memberId, topics, nowMs, result);
        }
        return result;
    }

    /** A member leaves or is fenced: its records are tombstoned and the others get a new epoch and target. */
    private void removeMember(final ConsumerGroup group, final String memberId, final TopicsImage topics, final long nowMs,
        final CoordinatorResult<?> result)
    {
        tombstoneMember(group.groupId, memberId, result);
        cancelTimers(group.groupId, memberId);
        final Map<String, ConsumerMember> members = new TreeMap<>(group.members);
        members.remove(memberId);
        final Map<String, Assignment> target = new HashMap<>(group.target);
        target.remove(memberId);
        newTarget(group.groupId, group, members, target, metadataHash(members.values(), topics), topics, nowMs, result);
    }

    private static void tombstoneMember(final String groupId, final String memberId, final CoordinatorResult<?> result)
    {
        result.record(groupId, GroupRecords.currentAssignmentTombstone(groupId, memberId));
        result.record(groupId, GroupRecords.targetAssignmentTombstone(groupId, memberId));
        result.record(groupId, GroupRecords.memberSubscriptionTombstone(groupId, memberId));
    }

    /**
     * A new group epoch: recomputes every member's target with the server-side assignor (sticky:
     * it starts from {@code target}, which it replaces) and records the epoch and the targets that changed.
     *
     * @return the new assignment epoch
     */
    private int newTarget(final String groupId, final ConsumerGroup group, final Map<String, ConsumerMember> members,
        final Map<String, Assignment> target, final long hash, final TopicsImage topics, final long nowMs, final CoordinatorResult<?> result)
    {
        final int epoch = (group == null ? 0 : group.groupEpoch) + 1;
        result.record(groupId, GroupRecords.consumerGroupEpoch(groupId, epoch, hash));
        final Map<String, Assignment> computed = computeTarget(members, target, topics);
        for (final Map.Entry<String, Assignment> entry : computed.entrySet())
        {
            final Assignment recordedTarget = group == null ? null : group.target.get(entry.getKey());
            if (!Objects.equals(recordedTarget, entry.getValue()))
            {
                result.record(groupId, GroupRecords.targetAssignment(groupId, entry.getKey(), entry.getValue()));
            }
        }
        result.record(groupId, GroupRecords.targetAssignmentEpoch(groupId, epoch, nowMs));
        target.clear();
        target.putAll(computed);
        return epoch;
    }

    private static Map<String, Assignment> computeTarget(final Map<String, ConsumerMember> members, final Map<String, Assignment> previous,
        final TopicsImage topics)
    {
        final List<ServerAssignor.MemberSubscription> subscriptions = new ArrayList<>();
        final Map<Uuid, Integer> partitionCounts = new HashMap<>();
        for (final ConsumerMember member : members.values())
        {
            final Set<Uuid> ids = new TreeSet<>();
            for (final String name : member.subscribedTopics)
            {
                final Uuid id = topics.topicId(name);
                if (id != null)
                {
                    ids.add(id);
                    partitionCounts.put(id, topics.partitionCount(name));
                }
            }
            subscriptions.add(new ServerAssignor.MemberSubscription(member.memberId, ids, previous.getOrDefault(member.memberId, member.current)));
        }
        return ServerAssignor.assign(ConsumerGroup.preferredAssignor(members.values()), subscriptions, partitionCounts);
    }

    /** A digest of the subscribed topics' names, ids and partition counts: it changes when any of them does. */
    static long metadataHash(final Collection<ConsumerMember> members, final TopicsImage topics)
    {
        final Set<String> names = new TreeSet<>();
        members.forEach(member -> names.addAll(member.subscribedTopics));
        long hash = 1125899906842597L;
        for (final String name : names)
        {
            final Uuid id = topics.topicId(name);
            if (id != null)
            {
                hash = 31 * hash + name.hashCode();
                hash = 31 * hash + id.getMostSignificantBits();
                hash = 31 * hash + id.getLeastSignificantBits();
                hash = 31 * hash + topics.partitionCount(name);
            }
        }
        return hash;
    }

    // ---------------------------------------------------------------- reconciliation

    /** What the member says it owns; null when the heartbeat does not say (nothing changed on its side). */
    private static Assignment ownedFrom(final ConsumerGroupHeartbeatRequestData request)
    {
        if (request.topicPartitions() == null)
        {
            return null;
        }
        final Assignment owned = new Assignment();
        for (final ConsumerGroupHeartbeatRequestData.TopicPartitions topic : request.topicPartitions())
        {
            topic.partitions().forEach(p -> owned.add(topic.topicId(), p));
        }
        return owned;
    }

    /**
     * Moves a member towards its target: first it must give up what the target takes away (it
     * keeps its epoch, and those partitions stay its own, until it confirms, with a deadline);
     * then it gets what the target adds, except partitions another member has not released yet,
     * which follow on a later heartbeat.
     */
    private static void reconcile(final ConsumerMember member, final Assignment owned, final Assignment wanted, final int assignmentEpoch,
        final Map<String, ConsumerMember> members)
    {
        if (member.revoking.size() > 0)
        {
            if (owned == null || owned.intersect(member.revoking).size() > 0)
            {
                return;
            }
            member.revoking = new Assignment();
            member.state = ConsumerGroup.STABLE;
        }
        if (!member.current.isSubsetOf(wanted))
        {
            final Assignment keep = member.current.intersect(wanted);
            final Assignment revoke = new Assignment();
            member.current.partitions.forEach((topic, partitions) -> partitions.forEach(p ->
            {
                if (!keep.contains(topic, p))
                {
                    revoke.add(topic, p);
                }
            }));
            member.current = keep;
            member.revoking = revoke;
            member.state = ConsumerGroup.UNREVOKED_PARTITIONS;
            return;
        }
        final Assignment next = Assignment.copyOf(member.current);
        wanted.partitions.forEach((topic, partitions) -> partitions.forEach(p ->
        {
            if (!next.contains(topic, p) && !ownedByOther(members, member.memberId, topic, p))
            {
                next.add(topic, p);
            }
        }));
        member.current = next;
        member.state = next.equals(wanted) ? ConsumerGroup.STABLE : ConsumerGroup.UNRELEASED_PARTITIONS;
        if (member.memberEpoch != assignmentEpoch)
        {
            member.previousMemberEpoch = member.memberEpoch;
            member.memberEpoch = assignmentEpoch;
        }
    }

    private static boolean ownedByOther(final Map<String, ConsumerMember> members, final String memberId, final Uuid topic, final int partition)
    {
        for (final ConsumerMember other : members.values())
        {
            if (!other.memberId.equals(memberId) && (other.current.contains(topic, partition) || other.revoking.contains(topic, partition)))
            {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- timers and topic changes

    private void scheduleSession(final String groupId, final String memberId, final long nowMs)
    {
        timers.schedule(Kind.CONSUMER_SESSION, groupId, memberId, nowMs + config.consumerSessionTimeoutMs(),
            now -> fence(groupId, memberId, false, now));
    }

    private void scheduleRevocation(final String groupId, final ConsumerMember member, final long nowMs)
    {
        final String memberId = member.memberId;
        timers.schedule(Kind.CONSUMER_REVOCATION, groupId, memberId, nowMs + Math.max(member.rebalanceTimeoutMs, 1),
            now -> fence(groupId, memberId, true, now));
    }

    private void cancelTimers(final String groupId, final String memberId)
    {
        timers.cancel(Kind.CONSUMER_SESSION, groupId, memberId);
        timers.cancel(Kind.CONSUMER_REVOCATION, groupId, memberId);
    }

    /** Session expired, or partitions not given up within the rebalance timeout: the member is fenced. */
    private CoordinatorResult<Void> fence(final String groupId, final String memberId, final boolean revocation, final long nowMs)
    {
        final CoordinatorResult<Void> result = new CoordinatorResult<>();
        final ConsumerGroup group = groups.get(groupId);
        final ConsumerMember member = group == null ? null : group.members.get(memberId);
        if (member != null && (!revocation || member.revoking.size() > 0))
        {
            removeMember(group, memberId, topics.get(), nowMs, result);
        }
        return result;
    }

    /** Topics appeared, vanished or grew: groups whose subscribed topics changed get a new epoch and target. */
    CoordinatorResult<Void> onTopicsChanged(final TopicsImage topics, final long nowMs)
    {
        final CoordinatorResult<Void> result = new CoordinatorResult<>();
        for (final ConsumerGroup group : groups.values())
        {
            if (group.members.isEmpty())
            {
                continue;
            }
            final long hash = metadataHash(group.members.values(), topics);
            if (hash != group.metadataHash)
            {
                newTarget(group.groupId, group, group.members, new HashMap<>(group.target), hash, topics, nowMs, result);
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- describe

    /** KIP-848 ConsumerGroupDescribe; null if there is no such consumer-protocol group. */
    ConsumerGroupDescribeResponseData.DescribedGroup describe(final String groupId, final TopicsImage topics)
    {
        final ConsumerGroup group = groups.get(groupId);
        if (group == null)
        {
            return null;
        }
        final ConsumerGroupDescribeResponseData.DescribedGroup out = new ConsumerGroupDescribeResponseData.DescribedGroup()
            .setGroupId(groupId).setGroupState(group.state()).setGroupEpoch(group.groupEpoch)
            .setAssignmentEpoch(group.assignmentEpoch).setAssignorName(group.assignorName())
            .setAuthorizedOperations(Integer.MIN_VALUE);
        for (final ConsumerMember member : group.members.values())
        {
            out.members().add(new ConsumerGroupDescribeResponseData.Member()
                .setMemberId(member.memberId).setInstanceId(member.instanceId).setRackId(member.rackId)
                .setMemberEpoch(member.memberEpoch).setClientId(member.clientId).setClientHost(member.clientHost)
                .setSubscribedTopicNames(new ArrayList<>(member.subscribedTopics))
                .setAssignment(describe(member.current, topics))
                .setTargetAssignment(describe(group.targetOf(member.memberId), topics)));
        }
        return out;
    }

    private static ConsumerGroupDescribeResponseData.Assignment describe(final Assignment assignment, final TopicsImage topics)
    {
        final ConsumerGroupDescribeResponseData.Assignment out = new ConsumerGroupDescribeResponseData.Assignment();
        assignment.partitions.forEach((id, partitions) ->
        {
            final String name = topics.topicName(id);
            out.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(id)
                .setTopicName(name == null ? "" : name).setPartitions(new ArrayList<>(partitions)));
        });
        return out;
    }

    static ConsumerGroupHeartbeatResponseData.Assignment toWire(final Assignment assignment)
    {
        final ConsumerGroupHeartbeatResponseData.Assignment wire = new ConsumerGroupHeartbeatResponseData.Assignment();
        assignment.partitions.forEach((topic, partitions) ->
        {
            if (!partitions.isEmpty())
            {
                wire.topicPartitions().add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                    .setTopicId(topic).setPartitions(new ArrayList<>(partitions)));
            }
        });
        return wire;
    }

    static ConsumerGroupHeartbeatResponseData error(final Errors error, final String message)
    {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code()).setErrorMessage(message).setMemberEpoch(-1);
    }
}
