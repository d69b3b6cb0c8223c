package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A classic-protocol consumer group: membership, generations and the join/sync rebalance
 * protocol, as Kafka's group coordinator runs it. Assignment is computed by the group's leader
 * (client-side assignors pass through untouched); the coordinator only gathers and hands out.
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
    /** Dynamic members told MEMBER_ID_REQUIRED (KIP-394), with the deadline for their second join. */
    final Map<String, Long> pendingMembers = new HashMap<>();
    long rebalanceDeadlineMs;
    /** A new group waits for more members until then before completing its first rebalance. */
    long initialDelayEndsMs;
    private int initialRebalanceDelayMs;

    ClassicGroup(final String groupId)
    {
        this.groupId = groupId;
    }

    boolean isEmpty()
    {
        return members.isEmpty();
    }

    static String newMemberId(final String clientId, final String instanceId)
    {
        return (instanceId != null ? instanceId : clientId == null ? "" : clientId) + "-" + UUID.randomUUID();
    }

    /** Joins or rejoins; {@code respond} may run now or when the rebalance completes. */
    void join(final JoinGroupRequestData request, final short version, final String clientId, final String clientHost,
        final GroupConfig config, final long nowMs, final Consumer<JoinGroupResponseData> respond, final Runnable persist)
    {
        initialRebalanceDelayMs = config.initialRebalanceDelayMs();
        final List<Member.Protocol> protocols = new ArrayList<>();
        request.protocols().forEach(p -> protocols.add(new Member.Protocol(p.name(), p.metadata())));
        if (state == GroupState.DEAD)
        {
            respond.accept(error(Errors.COORDINATOR_NOT_AVAILABLE, request.memberId()));
            return;
        }
        if (protocols.isEmpty() || request.protocolType() == null || request.protocolType().isEmpty() ||
            (!isEmpty() && (!request.protocolType().equals(protocolType) || !supportedByAll(protocols))))
        {
            respond.accept(error(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
            return;
        }
        if (members.size() >= config.maxGroupSize() && !members.containsKey(request.memberId()))
        {
            respond.accept(error(Errors.GROUP_MAX_SIZE_REACHED, request.memberId()));
            return;
        }
        final String instanceId = request.groupInstanceId();
        String memberId = request.memberId();
        if (memberId.isEmpty())
        {
            memberId = newMemberId(clientId, instanceId);
            if (instanceId != null)
            {
                final String previous = staticMembers.get(instanceId);
                if (previous != null && members.containsKey(previous))
                {
                    replaceStaticMember(previous, memberId, request, protocols, clientId, clientHost, nowMs, respond, persist);
                    return;
                }
            }
            else if (version >= 4)
            {
                pendingMembers.put(memberId, nowMs + request.sessionTimeoutMs());
                respond.accept(error(Errors.MEMBER_ID_REQUIRED, memberId));
                return;
            }
            addMember(memberId, request, protocols, clientId, clientHost, nowMs, respond);
            return;
        }
        if (pendingMembers.remove(memberId) != null)
        {
            addMember(memberId, request, protocols, clientId, clientHost, nowMs, respond);
            return;
        }
        final Member member = members.get(memberId);
        if (member == null)
        {
            respond.accept(error(instanceId != null && staticMembers.containsKey(instanceId) ?
                Errors.FENCED_INSTANCE_ID : Errors.UNKNOWN_MEMBER_ID, memberId));
            return;
        }
        if (instanceId != null && !memberId.equals(staticMembers.get(instanceId)))
        {
            respond.accept(error(Errors.FENCED_INSTANCE_ID, memberId));
            return;
        }
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
        final boolean changed = !member.sameProtocols(protocols);
        member.protocols = protocols;
        member.clientId = clientId;
        member.clientHost = clientHost;
        switch (state)
        {
            case PREPARING_REBALANCE ->
            {
                member.awaitingJoin = respond;
                maybeCompleteJoin(nowMs);
            }
            case COMPLETING_REBALANCE, STABLE ->
            {
                if (changed || memberId.equals(leaderId) || state == GroupState.COMPLETING_REBALANCE && changed)
                {
                    member.awaitingJoin = respond;
                    prepareRebalance(nowMs);
                    maybeCompleteJoin(nowMs);
                }
                else
                {
                    // A follower rejoining with nothing new: tell it the current generation again.
                    respond.accept(joinResponse(member, false));
                }
            }
            default ->
            {
                member.awaitingJoin = respond;
                prepareRebalance(nowMs);
                maybeCompleteJoin(nowMs);
            }
        }
    }

    private boolean supportedByAll(final List<Member.Protocol> protocols)
    {
        for (final Member.Protocol protocol : protocols)
        {
            boolean everyone = true;
            for (final Member member : members.values())
            {
                everyone &= member.supports(protocol.name());
            }
            if (everyone)
            {
                return true;
            }
        }
        return false;
    }

    private void addMember(final String memberId, final JoinGroupRequestData request, final List<Member.Protocol> protocols,
        final String clientId, final String clientHost, final long nowMs, final Consumer<JoinGroupResponseData> respond)
    {
        final Member member = new Member(memberId, request.groupInstanceId());
        member.protocols = protocols;
        member.clientId = clientId;
        member.clientHost = clientHost;
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
        member.awaitingJoin = respond;
        if (isEmpty())
        {
            protocolType = request.protocolType();
        }
        final boolean wasEmpty = state == GroupState.EMPTY;
        members.put(memberId, member);
        if (member.instanceId != null)
        {
            staticMembers.put(member.instanceId, memberId);
        }
        prepareRebalance(nowMs);
        if (wasEmpty || nowMs < initialDelayEndsMs)
        {
            // group.initial.rebalance.delay.ms: members of a starting group arrive one by one; wait for them.
            initialDelayEndsMs = Math.min(nowMs + initialRebalanceDelayMs, rebalanceDeadlineMs);
        }
        maybeCompleteJoin(nowMs);
    }

    /**
     * A static member restarted (new member id, same instance id): it takes the old member's place
     * and assignment. If the group is stable and its subscription is unchanged, there is no
     * rebalance and the generation stays (KIP-345).
     */
    private void replaceStaticMember(final String oldId, final String newId, final JoinGroupRequestData request,
        final List<Member.Protocol> protocols, final String clientId, final String clientHost, final long nowMs,
        final Consumer<JoinGroupResponseData> respond, final Runnable persist)
    {
        final Member member = members.remove(oldId);
        if (member.awaitingJoin != null)
        {
            member.awaitingJoin.accept(error(Errors.FENCED_INSTANCE_ID, oldId));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null)
        {
            member.awaitingSync.accept(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
            member.awaitingSync = null;
        }
        member.memberId = newId;
        member.clientId = clientId;
        member.clientHost = clientHost;
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
        member.protocols = protocols;
        members.put(newId, member);
        staticMembers.put(member.instanceId, newId);
        if (oldId.equals(leaderId))
        {
            leaderId = newId;
        }
        // A restarted client's subscription bytes differ (no owned partitions, no generation), so
        // compare what matters, as Kafka does: would the group still select the same protocol?
        if (state == GroupState.STABLE && protocolName != null && protocolName.equals(selectProtocol()))
        {
            persist.run();
            // A returning leader gets the members but skipAssignment, so it does not reassign (KIP-814).
            final boolean leader = newId.equals(leaderId);
            respond.accept(joinResponse(member, leader).setSkipAssignment(leader));
            return;
        }
        member.awaitingJoin = respond;
        prepareRebalance(nowMs);
        maybeCompleteJoin(nowMs);
    }

    void prepareRebalance(final long nowMs)
    {
        if (state == GroupState.PREPARING_REBALANCE)
        {
            return;
        }
        if (state == GroupState.COMPLETING_REBALANCE)
        {
            // Followers waiting for an assignment that will not come: they must rejoin.
            for (final Member member : members.values())
            {
                if (member.awaitingSync != null)
                {
                    member.awaitingSync.accept(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                    member.awaitingSync = null;
                }
            }
        }
        int rebalanceTimeout = 0;
        for (final Member member : members.values())
        {
            rebalanceTimeout = Math.max(rebalanceTimeout, member.rebalanceTimeoutMs);
        }
        rebalanceDeadlineMs = nowMs + rebalanceTimeout;
        state = GroupState.PREPARING_REBALANCE;
    }

    /** Completes the join phase once every member has rejoined, or evicts the stragglers at the deadline. */
    boolean maybeCompleteJoin(final long nowMs)
    {
        if (state != GroupState.PREPARING_REBALANCE)
        {
            return false;
        }
        if (nowMs < initialDelayEndsMs && nowMs < rebalanceDeadlineMs)
        {
            return false;
        }
        boolean allJoined = true;
        for (final Member member : members.values())
        {
            allJoined &= member.awaitingJoin != null;
        }
        if (!allJoined && nowMs < rebalanceDeadlineMs)
        {
            return false;
        }
        members.values().removeIf(member ->
        {
            if (member.awaitingJoin == null)
            {
                if (member.instanceId != null)
                {
                    staticMembers.remove(member.instanceId);
                }
                return true;
            }
            return false;
        });
        generation++;
        if (isEmpty())
        {
            state = GroupState.EMPTY;
            protocolName = null;
            leaderId = null;
            return true;
        }
        protocolName = selectProtocol();
        if (leaderId == null || !members.containsKey(leaderId))
        {
            leaderId = members.keySet().iterator().next();
        }
        state = GroupState.COMPLETING_REBALANCE;
        for (final Member member : members.values())
        {
            final Consumer<JoinGroupResponseData> respond = member.awaitingJoin;
            member.awaitingJoin = null;
            member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
            respond.accept(joinResponse(member, member.memberId.equals(leaderId)));
        }
        return true;
    }

    /** The first of the leader's protocols that every member supports (Kafka votes; the leader's order is a fair proxy). */
    private String selectProtocol()
    {
        final Member leader = members.get(leaderId) != null ? members.get(leaderId) : members.values().iterator().next();
        for (final Member.Protocol protocol : leader.protocols)
        {
            boolean everyone = true;
            for (final Member member : members.values())
            {
                everyone &= member.supports(protocol.name());
            }
            if (everyone)
            {
                return protocol.name();
            }
        }
        return leader.protocols.get(0).name();
    }

    private JoinGroupResponseData joinResponse(final Member member, final boolean withMembers)
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

    static JoinGroupResponseData error(final Errors error, final String memberId)
    {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1)
            .setMemberId(memberId == null ? "" : memberId).setLeader("").setProtocolName(null);
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

    void sync(final SyncGroupRequestData request, final long nowMs, final Consumer<SyncGroupResponseData> respond, final Runnable persist)
    {
        final Errors invalid = state == GroupState.DEAD ? Errors.COORDINATOR_NOT_AVAILABLE :
            validateMember(request.memberId(), request.groupInstanceId(), request.generationId());
        if (invalid != null)
        {
            respond.accept(new SyncGroupResponseData().setErrorCode(invalid.code()));
            return;
        }
        if ((request.protocolType() != null && !request.protocolType().equals(protocolType)) ||
            (request.protocolName() != null && !request.protocolName().equals(protocolName)))
        {
            respond.accept(new SyncGroupResponseData().setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()));
            return;
        }
        final Member member = members.get(request.memberId());
        member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
        switch (state)
        {
            case PREPARING_REBALANCE -> respond.accept(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
            case STABLE -> respond.accept(syncResponse(member));
            case COMPLETING_REBALANCE ->
            {
                member.awaitingSync = respond;
                if (request.memberId().equals(leaderId))
                {
                    final Map<String, byte[]> assignments = new HashMap<>();
                    request.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
                    for (final Member each : members.values())
                    {
                        each.assignment = assignments.getOrDefault(each.memberId, new byte[0]);
                    }
                    state = GroupState.STABLE;
                    persist.run();
                    for (final Member each : members.values())
                    {
                        if (each.awaitingSync != null)
                        {
                            each.awaitingSync.accept(syncResponse(each));
                            each.awaitingSync = null;
                        }
                    }
                }
            }
            default -> respond.accept(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        }
    }

    private SyncGroupResponseData syncResponse(final Member member)
    {
        return new SyncGroupResponseData().setProtocolType(protocolType).setProtocolName(protocolName).setAssignment(member.assignment);
    }

    Errors heartbeat(final String memberId, final String instanceId, final int generationId, final long nowMs)
    {
        if (state == GroupState.DEAD)
        {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (state == GroupState.PREPARING_REBALANCE && members.containsKey(memberId))
        {
            members.get(memberId).sessionDeadlineMs = nowMs + members.get(memberId).sessionTimeoutMs;
            return Errors.REBALANCE_IN_PROGRESS;
        }
        final Errors invalid = validateMember(memberId, instanceId, generationId);
        if (invalid != null)
        {
            return invalid;
        }
        final Member member = members.get(memberId);
        member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
        return Errors.NONE;
    }

    /** Removes a member (leave or session expiry); the rest rebalance. */
    void remove(final Member member, final long nowMs)
    {
        members.remove(member.memberId);
        if (member.instanceId != null)
        {
            staticMembers.remove(member.instanceId);
        }
        if (member.awaitingJoin != null)
        {
            member.awaitingJoin.accept(error(Errors.UNKNOWN_MEMBER_ID, member.memberId));
        }
        if (member.awaitingSync != null)
        {
            member.awaitingSync.accept(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        }
        if (isEmpty() && state != GroupState.PREPARING_REBALANCE)
        {
            generation++;
            state = GroupState.EMPTY;
            leaderId = null;
            protocolName = null;
            return;
        }
        prepareRebalance(nowMs);
        maybeCompleteJoin(nowMs);
    }

    /** Session and rebalance deadlines. @return true if membership changed. */
    boolean expire(final long nowMs)
    {
        pendingMembers.values().removeIf(deadline -> deadline <= nowMs);
        boolean changed = false;
        for (final Member member : new ArrayList<>(members.values()))
        {
            // A member waiting in a join is bounded by the rebalance deadline instead.
            if (member.awaitingJoin == null && member.sessionDeadlineMs <= nowMs && members.containsKey(member.memberId))
            {
                remove(member, nowMs);
                changed = true;
            }
        }
        if (state == GroupState.PREPARING_REBALANCE)
        {
            changed |= maybeCompleteJoin(nowMs);
        }
        return changed;
    }
}
