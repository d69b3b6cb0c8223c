package io.runnel.coordinator.group;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;

/**
 * A group on the KIP-848 consumer protocol, exactly as its records describe it: the group epoch,
 * each member's subscription and current assignment (its epoch, the partitions it owns and those
 * it must give up), and the target assignment. Every field is set by a {@code replay*} method
 * (one per record type, called only from the coordinator's replay); the heartbeat logic in
 * {@link ConsumerGroupManager} reads it and decides records. Single-threaded.
 */
final class ConsumerGroup
{
    static final int LEAVE_EPOCH = -1;
    static final int STATIC_LEAVE_EPOCH = -2;
    /** Kafka's MemberState ids, as ConsumerGroupCurrentMemberAssignmentValue.state stores them. */
    static final byte STABLE = 0;
    static final byte UNREVOKED_PARTITIONS = 1;
    static final byte UNRELEASED_PARTITIONS = 2;

    /** A member of a consumer-protocol group: its subscription record, then its current-assignment record. */
    static final class ConsumerMember
    {
        final String memberId;
        String instanceId;
        String rackId;
        String clientId = "";
        String clientHost = "";
        List<String> subscribedTopics = List.of();
        int rebalanceTimeoutMs = -1;
        String serverAssignor;
        int memberEpoch;
        int previousMemberEpoch;
        byte state = STABLE;
        Assignment current = new Assignment();
        /** Partitions the member was told to give up and has not yet confirmed releasing: still its own. */
        Assignment revoking = new Assignment();

        ConsumerMember(final String memberId)
        {
            this.memberId = memberId;
        }

        /** A copy (under {@code newMemberId}: a static member's successor) to compute the next state on. */
        ConsumerMember copyAs(final String newMemberId)
        {
            final ConsumerMember copy = new ConsumerMember(newMemberId);
            copy.instanceId = instanceId;
            copy.rackId = rackId;
            copy.clientId = clientId;
            copy.clientHost = clientHost;
            copy.subscribedTopics = subscribedTopics;
            copy.rebalanceTimeoutMs = rebalanceTimeoutMs;
            copy.serverAssignor = serverAssignor;
            copy.memberEpoch = memberEpoch;
            copy.previousMemberEpoch = previousMemberEpoch;
            copy.state = state;
            copy.current = Assignment.copyOf(current);
            copy.revoking = Assignment.copyOf(revoking);
            return copy;
        }

        /** True if the subscription record of {@code other} would be the same as this member's. */
        boolean sameSubscriptionRecord(final ConsumerMember other)
        {
            return Objects.equals(instanceId, other.instanceId) && Objects.equals(rackId, other.rackId) &&
                clientId.equals(other.clientId) && clientHost.equals(other.clientHost) &&
                subscribedTopics.equals(other.subscribedTopics) && rebalanceTimeoutMs == other.rebalanceTimeoutMs &&
                Objects.equals(serverAssignor, other.serverAssignor);
        }

        /** True if the current-assignment record of {@code other} would be the same as this member's. */
        boolean sameAssignmentRecord(final ConsumerMember other)
        {
            return memberEpoch == other.memberEpoch && previousMemberEpoch == other.previousMemberEpoch && state == other.state &&
                current.equals(other.current) && revoking.equals(other.revoking);
        }
    }

    final String groupId;
    int groupEpoch;
    /** A digest of the subscribed topics' metadata when the target was computed: a new one means topics changed. */
    long metadataHash;
    int assignmentEpoch;
    final Map<String, ConsumerMember> members = new TreeMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    final Map<String, Assignment> target = new HashMap<>();

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
            if (member.memberEpoch != assignmentEpoch || member.state != STABLE)
            {
                return "Reconciling";
            }
        }
        return "Stable";
    }

    String assignorName()
    {
        return preferredAssignor(members.values());
    }

    /** The assignor the members prefer most (ties by name), as Kafka picks it; uniform when none is named. */
    static String preferredAssignor(final Collection<ConsumerMember> members)
    {
        final Map<String, Integer> votes = new TreeMap<>();
        for (final ConsumerMember member : members)
        {
            if (member.serverAssignor != null)
            {
                votes.merge(member.serverAssignor, 1, Integer::sum);
            }
        }
        String best = ServerAssignor.UNIFORM;
        int most = 0;
        for (final Map.Entry<String, Integer> vote : votes.entrySet())
        {
            if (vote.getValue() > most)
            {
                best = vote.getKey();
                most = vote.getValue();
            }
        }
        return best;
    }

    Assignment targetOf(final String memberId)
    {
        return target.getOrDefault(memberId, new Assignment());
    }

    // ---------------------------------------------------------------- replay, one method per record type

    void replaySubscription(final String memberId, final ConsumerGroupMemberMetadataValue value)
    {
        if (value == null)
        {
            final ConsumerMember removed = members.remove(memberId);
            if (removed != null && removed.instanceId != null && memberId.equals(staticMembers.get(removed.instanceId)))
            {
                staticMembers.remove(removed.instanceId);
            }
            return;
        }
        final ConsumerMember member = members.computeIfAbsent(memberId, ConsumerMember::new);
        member.instanceId = value.instanceId();
        member.rackId = value.rackId();
        member.clientId = value.clientId();
        member.clientHost = value.clientHost();
        member.subscribedTopics = List.copyOf(value.subscribedTopicNames());
        member.rebalanceTimeoutMs = value.rebalanceTimeoutMs();
        member.serverAssignor = value.serverAssignor();
        if (member.instanceId != null)
        {
            staticMembers.put(member.instanceId, memberId);
        }
    }

    void replayCurrentAssignment(final String memberId, final ConsumerGroupCurrentMemberAssignmentValue value)
    {
        final ConsumerMember member = value == null ? members.get(memberId) : members.computeIfAbsent(memberId, ConsumerMember::new);
        if (member == null)
        {
            return;
        }
        if (value == null)
        {
            // The member is leaving: it owns nothing any more.
            member.memberEpoch = LEAVE_EPOCH;
            member.previousMemberEpoch = LEAVE_EPOCH;
            member.state = STABLE;
            member.current = new Assignment();
            member.revoking = new Assignment();
            return;
        }
        member.memberEpoch = value.memberEpoch();
        member.previousMemberEpoch = value.previousMemberEpoch();
        member.state = value.state();
        member.current = GroupRecords.fromCurrent(value.assignedPartitions());
        member.revoking = GroupRecords.fromCurrent(value.partitionsPendingRevocation());
    }

    void replayTarget(final String memberId, final ConsumerGroupTargetAssignmentMemberValue value)
    {
        if (value == null)
        {
            target.remove(memberId);
        }
        else
        {
            target.put(memberId, GroupRecords.fromTarget(value.topicPartitions()));
        }
    }
}
