package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A group on the KIP-848 consumer protocol: the coordinator computes the target assignment with
 * a server-side assignor whenever membership or subscriptions change (a new group epoch), and
 * each member reconciles towards its target through heartbeats. A partition moves only after
 * its previous owner has acknowledged giving it up, so no partition is ever owned twice.
 * Single-threaded: only its coordinator's shard touches it.
 */
final class ConsumerGroup
{
    static final int LEAVE_EPOCH = -1;
    static final int STATIC_LEAVE_EPOCH = -2;

    /** A member of a consumer-protocol group. */
    static final class ConsumerMember
    {
        final String memberId;
        String instanceId;
        String rackId;
        String clientId;
        String clientHost;
        int memberEpoch;
        int rebalanceTimeoutMs;
        List<String> subscribedTopics = List.of();
        String assignor;
        Assignment current = new Assignment();
        /** Partitions the member was told to give up and has not yet confirmed releasing: still its own. */
        Assignment revoking = new Assignment();
        long sessionDeadlineMs;
        /** Set while the member holds partitions it must give up; it is fenced if it does not in time. */
        long revocationDeadlineMs = Long.MAX_VALUE;

        ConsumerMember(final String memberId)
        {
            this.memberId = memberId;
        }
    }

    final String groupId;
    int groupEpoch;
    int assignmentEpoch;
    final Map<String, ConsumerMember> members = new TreeMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    final Map<String, Assignment> target = new HashMap<>();
    String assignorName = ServerAssignor.UNIFORM;

    ConsumerGroup(final String groupId)
    {
        this.groupId = groupId;
    }

    String state()
    {
        if (members.isEmpty())
        {
            return "Empty";
        }
        if (assignmentEpoch < groupEpoch)
        {
            return "Assigning";
        }
        for (final ConsumerMember member : members.values())
        {
            if (member.memberEpoch != assignmentEpoch || !member.current.equals(target.getOrDefault(member.memberId, new Assignment())))
            {
                return "Reconciling";
            }
        }
        return "Stable";
    }

    ConsumerGroupHeartbeatResponseData heartbeat(final ConsumerGroupHeartbeatRequestData request, final String clientId,
        final String clientHost, final TopicRegistry.Snapshot topics, final long nowMs, final int sessionTimeoutMs, final int heartbeatIntervalMs)
    {
        final int epoch = request.memberEpoch();
        String memberId = request.memberId();
        if (epoch == LEAVE_EPOCH || epoch == STATIC_LEAVE_EPOCH)
        {
            final ConsumerMember member = members.get(memberId);
            if (member != null)
            {
                remove(member);
                computeTarget(topics);
            }
            return new ConsumerGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(epoch).setHeartbeatIntervalMs(0);
        }
        ConsumerMember member = members.get(memberId);
        boolean changed = false;
        if (epoch == 0)
        {
            if (memberId == null || memberId.isEmpty())
            {
                memberId = Uuid.randomUuid().toString();
            }
            if (request.instanceId() != null)
            {
                final String previous = staticMembers.get(request.instanceId());
                if (previous != null && !previous.equals(memberId) && members.containsKey(previous))
                {
                    // A static member came back: it takes its predecessor's place and partitions.
                    final ConsumerMember old = members.remove(previous);
                    member = new ConsumerMember(memberId);
                    member.current = old.current;
                    member.memberEpoch = old.memberEpoch;
                    final Assignment oldTarget = target.remove(previous);
                    if (oldTarget != null)
                    {
                        target.put(memberId, oldTarget);
                    }
                    members.put(memberId, member);
                }
                staticMembers.put(request.instanceId(), memberId);
            }
            if (member == null)
            {
                member = members.get(memberId);
            }
            if (member == null)
            {
                member = new ConsumerMember(memberId);
                members.put(memberId, member);
                changed = true;
            }
            member.instanceId = request.instanceId();
        }
        else
        {
            if (member == null)
            {
                return error(Errors.UNKNOWN_MEMBER_ID, "unknown member " + memberId);
            }
            if (epoch != member.memberEpoch)
            {
                return error(Errors.FENCED_MEMBER_EPOCH, "member epoch " + epoch + " is not the current " + member.memberEpoch);
            }
        }
        member.clientId = clientId;
        member.clientHost = clientHost;
        member.sessionDeadlineMs = nowMs + sessionTimeoutMs;
        if (request.rebalanceTimeoutMs() > 0)
        {
            member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        }
        if (request.rackId() != null)
        {
            member.rackId = request.rackId();
        }
        if (request.subscribedTopicNames() != null && !new HashSet<>(request.subscribedTopicNames()).equals(new HashSet<>(member.subscribedTopics)))
        {
            member.subscribedTopics = List.copyOf(request.subscribedTopicNames());
            changed = true;
        }
        if (request.serverAssignor() != null && !request.serverAssignor().equals(member.assignor))
        {
            if (!ServerAssignor.isKnown(request.serverAssignor()))
            {
                return error(Errors.UNSUPPORTED_ASSIGNOR, "assignors: uniform, range");
            }
            member.assignor = request.serverAssignor();
            assignorName = request.serverAssignor();
            changed = true;
        }
        if (changed)
        {
            computeTarget(topics);
        }
        final Assignment owned = ownedFrom(request, member);
        final Assignment before = Assignment.copyOf(member.current);
        final int epochBefore = member.memberEpoch;
        reconcile(member, owned, nowMs);
        final ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
            .setMemberId(memberId)
            .setMemberEpoch(member.memberEpoch)
            .setHeartbeatIntervalMs(heartbeatIntervalMs);
        if (epoch == 0 || request.topicPartitions() != null || !before.equals(member.current) || epochBefore != member.memberEpoch)
        {
            response.setAssignment(toWire(member.current));
        }
        return response;
    }

    /** What the member says it owns; null when the heartbeat does not say (nothing changed on its side). */
    private static Assignment ownedFrom(final ConsumerGroupHeartbeatRequestData request, final ConsumerMember member)
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
    private void reconcile(final ConsumerMember member, final Assignment owned, final long nowMs)
    {
        final Assignment wanted = target.getOrDefault(member.memberId, new Assignment());
        if (member.revoking.size() > 0)
        {
            if (owned == null || owned.intersect(member.revoking).size() > 0)
            {
                return;
            }
            member.revoking = new Assignment();
            member.revocationDeadlineMs = Long.MAX_VALUE;
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
            member.revocationDeadlineMs = nowMs + Math.max(member.rebalanceTimeoutMs, 1);
            return;
        }
        final Assignment next = Assignment.copyOf(member.current);
        wanted.partitions.forEach((topic, partitions) -> partitions.forEach(p ->
        {
            if (!next.contains(topic, p) && !ownedByOther(member.memberId, topic, p))
            {
                next.add(topic, p);
            }
        }));
        member.current = next;
        member.memberEpoch = assignmentEpoch;
    }

    private boolean ownedByOther(final String memberId, final Uuid topic, final int partition)
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

    /** A new group epoch: recompute every member's target with the server-side assignor. */
    void computeTarget(final TopicRegistry.Snapshot topics)
    {
        groupEpoch++;
        final List<ServerAssignor.MemberSubscription> subscriptions = new ArrayList<>();
        final Map<Uuid, Integer> partitionCounts = new HashMap<>();
        for (final ConsumerMember member : members.values())
        {
            final Set<Uuid> ids = new TreeSet<>();
            for (final String name : member.subscribedTopics)
            {
                final Topic topic = topics.topic(name);
                if (topic != null)
                {
                    ids.add(topic.id());
                    partitionCounts.put(topic.id(), topic.partitionCount());
                }
            }
            subscriptions.add(new ServerAssignor.MemberSubscription(member.memberId, ids,
                target.getOrDefault(member.memberId, member.current)));
        }
        target.clear();
        target.putAll(ServerAssignor.assign(assignorName, subscriptions, partitionCounts));
        assignmentEpoch = groupEpoch;
    }

    /** Topics appeared, vanished or grew: the target may need to change. */
    boolean subscribedTopicsChanged(final TopicRegistry.Snapshot topics)
    {
        final Map<Uuid, Integer> counts = new HashMap<>();
        for (final ConsumerMember member : members.values())
        {
            for (final String name : member.subscribedTopics)
            {
                final Topic topic = topics.topic(name);
                if (topic != null)
                {
                    counts.put(topic.id(), topic.partitionCount());
                }
            }
        }
        final Map<Uuid, Integer> assigned = new HashMap<>();
        target.values().forEach(a -> a.partitions.forEach((topic, set) -> assigned.merge(topic, set.size(), Integer::sum)));
        return !counts.equals(assigned);
    }

    void remove(final ConsumerMember member)
    {
        members.remove(member.memberId);
        target.remove(member.memberId);
        if (member.instanceId != null && member.memberId.equals(staticMembers.get(member.instanceId)))
        {
            staticMembers.remove(member.instanceId);
        }
    }

    /** Session and revocation deadlines. @return true if a member was removed. */
    boolean expire(final long nowMs, final TopicRegistry.Snapshot topics)
    {
        boolean removed = false;
        for (final ConsumerMember member : new ArrayList<>(members.values()))
        {
            if (member.sessionDeadlineMs <= nowMs || member.revocationDeadlineMs <= nowMs)
            {
                remove(member);
                removed = true;
            }
        }
        if (removed || (!members.isEmpty() && subscribedTopicsChanged(topics)))
        {
            computeTarget(topics);
            return true;
        }
        return false;
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
