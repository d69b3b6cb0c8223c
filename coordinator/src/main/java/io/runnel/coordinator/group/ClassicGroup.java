package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;

/**
 * A classic-protocol group. An instance is one of two things:
 * <ul>
 * <li>the group as its latest {@code GroupMetadata} record describes it (built by
 *     {@link #fromRecord}, only during replay): its last completed generation, stable or empty;</li>
 * <li>the working copy of a rebalance in flight ({@link #workingCopy}): the members that joined,
 *     the responses they wait for, the generation being formed. It exists only while members are
 *     connected and rejoining, so it is never written; when the rebalance completes (the leader's
 *     SyncGroup, or nobody left) it becomes a record, and replaying that record makes the new
 *     generation the group's state. Kafka persists classic groups at exactly these points too.</li>
 * </ul>
 * Single-threaded: only its coordinator's shard touches it.
 */
final class ClassicGroup
{
    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generation;
    String protocolType;
    String protocolName;
    String leaderId;
    final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    /** Working copy only: when the join phase ends even if not everyone rejoined. */
    long rebalanceDeadlineMs;
    /** Working copy only: a new group waits for more members until then before completing its first rebalance. */
    long initialDelayEndsMs;

    ClassicGroup(final String groupId)
    {
        this.groupId = groupId;
    }

    /** The group a GroupMetadata record describes: stable with its members, or empty. */
    static ClassicGroup fromRecord(final String groupId, final GroupMetadataValue value)
    {
        final ClassicGroup group = new ClassicGroup(groupId);
        group.generation = value.generation();
        group.protocolType = value.protocolType();
        group.protocolName = value.protocol();
        group.leaderId = value.leader();
        for (final GroupMetadataValue.MemberMetadata m : value.members())
        {
            final Member member = new Member(m.memberId(), m.groupInstanceId());
            member.clientId = m.clientId();
            member.clientHost = m.clientHost();
            member.sessionTimeoutMs = m.sessionTimeout();
            member.rebalanceTimeoutMs = m.rebalanceTimeout();
            member.protocols = List.of(new Member.Protocol(value.protocol(), m.subscription()));
            member.assignment = m.assignment() == null ? new byte[0] : m.assignment();
            group.put(member);
        }
        group.state = group.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        return group;
    }

    /** The record of this group's current generation: what a completed rebalance persists. */
    GroupMetadataValue toRecord(final long nowMs)
    {
        final List<GroupMetadataValue.MemberMetadata> persisted = new ArrayList<>();
        for (final Member member : members.values())
        {
            persisted.add(new GroupMetadataValue.MemberMetadata().setMemberId(member.memberId)
                .setGroupInstanceId(member.instanceId).setClientId(member.clientId).setClientHost(member.clientHost)
                .setRebalanceTimeout(member.rebalanceTimeoutMs).setSessionTimeout(member.sessionTimeoutMs)
                .setSubscription(member.metadataFor(protocolName)).setAssignment(member.assignment));
        }
        return new GroupMetadataValue().setProtocolType(protocolType == null ? "" : protocolType)
            .setGeneration(generation).setProtocol(protocolName).setLeader(leaderId)
            .setCurrentStateTimestamp(nowMs).setMembers(persisted);
    }

    /** A copy to run a rebalance on; the group itself stays as its record left it. */
    ClassicGroup workingCopy()
    {
        final ClassicGroup copy = new ClassicGroup(groupId);
        copy.state = state;
        copy.generation = generation;
        copy.protocolType = protocolType;
        copy.protocolName = protocolName;
        copy.leaderId = leaderId;
        for (final Member member : members.values())
        {
            copy.put(member.copyAs(member.memberId));
        }
        return copy;
    }

    void put(final Member member)
    {
        members.put(member.memberId, member);
        if (member.instanceId != null)
        {
            staticMembers.put(member.instanceId, member.memberId);
        }
    }

    Member remove(final String memberId)
    {
        final Member member = members.remove(memberId);
        if (member != null && member.instanceId != null && memberId.equals(staticMembers.get(member.instanceId)))
        {
            staticMembers.remove(member.instanceId);
        }
        return member;
    }

    boolean isEmpty()
    {
        return members.isEmpty();
    }

    /** True if some protocol in {@code protocols} is supported by every current member. */
    boolean supportedByAll(final List<Member.Protocol> protocols)
    {
        for (final Member.Protocol protocol : protocols)
        {
            if (everyoneSupports(protocol.name()))
            {
                return true;
            }
        }
        return false;
    }

    private boolean everyoneSupports(final String protocol)
    {
        for (final Member member : members.values())
        {
            if (!member.supports(protocol))
            {
                return false;
            }
        }
        return true;
    }

    /** The first of the leader's protocols that every member supports (Kafka votes; the leader's order is a fair proxy). */
    String selectProtocol()
    {
        final Member leader = members.get(leaderId) != null ? members.get(leaderId) : members.values().iterator().next();
        for (final Member.Protocol protocol : leader.protocols)
        {
            if (everyoneSupports(protocol.name()))
            {
                return protocol.name();
            }
        }
        return leader.protocols.get(0).name();
    }

    /** @return an error, or null if the member and generation are current. */
    Errors validateMember(final String memberId, final String instanceId, final int generationId)
    {
        if (instanceId != null)
        {
            final String current = staticMembers.get(instanceId);
            if (current != null && !current.equals(memberId))
            {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (!members.containsKey(memberId))
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (generationId != generation)
        {
            return Errors.ILLEGAL_GENERATION;
        }
        return null;
    }

    JoinGroupResponseData joinResponse(final Member member, final boolean withMembers)
    {
        final JoinGroupResponseData response = new JoinGroupResponseData()
            .setGenerationId(generation)
            .setProtocolType(protocolType)
            .setProtocolName(protocolName)
            .setLeader(leaderId)
            .setMemberId(member.memberId);
        if (withMembers)
        {
            for (final Member each : members.values())
            {
                response.members().add(new JoinGroupResponseData.JoinGroupResponseMember()
                    .setMemberId(each.memberId)
                    .setGroupInstanceId(each.instanceId)
                    .setMetadata(each.metadataFor(protocolName)));
            }
        }
        return response;
    }

    SyncGroupResponseData syncResponse(final Member member)
    {
        return new SyncGroupResponseData().setProtocolType(protocolType).setProtocolName(protocolName).setAssignment(member.assignment);
    }

    static JoinGroupResponseData joinError(final Errors error, final String memberId)
    {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1)
            .setMemberId(memberId == null ? "" : memberId).setLeader("").setProtocolName(null);
    }

    static SyncGroupResponseData syncError(final Errors error)
    {
        return new SyncGroupResponseData().setErrorCode(error.code());
    }
}
