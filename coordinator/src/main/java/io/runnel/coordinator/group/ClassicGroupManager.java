package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import io.runnel.coordinator.group.GroupTimers.Kind;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;

/**
 * The classic join/sync rebalance protocol, as Kafka's group coordinator runs it. Assignment is
 * computed by the group's leader (client-side assignors pass through untouched); the coordinator
 * gathers and hands out. Groups are as their records left them ({@link #replay}); a rebalance
 * runs on a working copy until it completes and is written (see {@link ClassicGroup}). Session,
 * rebalance and KIP-394 deadlines are timers.
 */
final class ClassicGroupManager
{
    private final GroupConfig config;
    private final GroupTimers timers;
    /** Groups as their latest GroupMetadata record describes them: changed by {@link #replay} only. */
    private final Map<String, ClassicGroup> groups = new HashMap<>();
    /** Rebalances in flight, by group: connection-bound working copies, never written until they complete. */
    private final Map<String, ClassicGroup> rebalancing = new HashMap<>();
    /** KIP-394: dynamic member ids handed out with MEMBER_ID_REQUIRED, awaiting the member's second join. */
    private final Map<String, Set<String>> pendingMembers = new HashMap<>();

    ClassicGroupManager(final GroupConfig config, final GroupTimers timers)
    {
        this.config = config;
        this.timers = timers;
    }

    /** The group as the protocol sees it now: its rebalance in flight, else its recorded state; null if none. */
    ClassicGroup group(final String groupId)
    {
        final ClassicGroup working = rebalancing.get(groupId);
        return working != null ? working : groups.get(groupId);
    }

    /** Every group, recorded or only in its first rebalance. */
    List<ClassicGroup> all()
    {
        final Set<String> ids = new LinkedHashSet<>(groups.keySet());
        ids.addAll(rebalancing.keySet());
        final List<ClassicGroup> all = new ArrayList<>(ids.size());
        ids.forEach(id -> all.add(group(id)));
        return all;
    }

    /**
     * Answers every held JoinGroup and SyncGroup with {@code error}: when this coordinator gives its
     * partition up, so that no request waits for a rebalance that will now complete elsewhere.
     */
    void answerHeld(final Errors error)
    {
        for (final ClassicGroup group : all())
        {
            for (final Member member : group.members.values())
            {
                if (member.awaitingJoin != null)
                {
                    member.awaitingJoin.accept(ClassicGroup.joinError(error, member.memberId));
                    member.awaitingJoin = null;
                }
                if (member.awaitingSync != null)
                {
                    member.awaitingSync.accept(ClassicGroup.syncError(error));
                    member.awaitingSync = null;
                }
            }
        }
    }

    boolean hasMembers(final String groupId)
    {
        final ClassicGroup group = group(groupId);
        return group != null && !group.isEmpty();
    }

    // ---------------------------------------------------------------- replay

    /** GroupMetadata: the group's new generation (or, for a tombstone, its deletion). */
    void replay(final String groupId, final GroupMetadataValue value)
    {
        if (value == null)
        {
            groups.remove(groupId);
        }
        else
        {
            groups.put(groupId, ClassicGroup.fromRecord(groupId, value));
        }
    }

    /** After loading: every recorded member gets a full session to find the restarted coordinator. */
    void onLoaded(final long nowMs)
    {
        for (final ClassicGroup group : groups.values())
        {
            for (final Member member : group.members.values())
            {
                scheduleSession(group.groupId, member, nowMs);
            }
        }
    }

    // ---------------------------------------------------------------- JoinGroup

    void join(final JoinGroupRequestData request, final short version, final String clientId, final String clientHost,
        final long nowMs, final Consumer<JoinGroupResponseData> respond, final CoordinatorResult<?> result)
    {
        final String groupId = request.groupId();
        final ClassicGroup current = group(groupId);
        final List<Member.Protocol> protocols = new ArrayList<>();
        request.protocols().forEach(p -> protocols.add(new Member.Protocol(p.name(), p.metadata())));
        if (protocols.isEmpty() || request.protocolType() == null || request.protocolType().isEmpty() ||
            (current != null && !current.isEmpty() && (!request.protocolType().equals(current.protocolType) || !current.supportedByAll(protocols))))
        {
            reply(result, respond, ClassicGroup.joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
            return;
        }
        if (current != null && current.members.size() >= config.maxGroupSize() && !current.members.containsKey(request.memberId()))
        {
            reply(result, respond, ClassicGroup.joinError(Errors.GROUP_MAX_SIZE_REACHED, request.memberId()));
            return;
        }
        final String instanceId = request.groupInstanceId();
        final String memberId = request.memberId();
        final Joining joining = new Joining(request, protocols, clientId, clientHost, respond);
        if (memberId.isEmpty())
        {
            final String newId = (instanceId != null ? instanceId : clientId == null ? "" : clientId) + "-" + UUID.randomUUID();
            final String previous = instanceId == null || current == null ? null : current.staticMembers.get(instanceId);
            if (previous != null && current.members.containsKey(previous))
            {
                replaceStaticMember(current, previous, newId, joining, nowMs, result);
            }
            else if (instanceId == null && version >= 4)
            {
                addPending(groupId, newId, nowMs + request.sessionTimeoutMs());
                reply(result, respond, ClassicGroup.joinError(Errors.MEMBER_ID_REQUIRED, newId));
            }
            else
            {
                addMember(groupId, newId, joining, nowMs, result);
            }
            return;
        }
        if (removePending(groupId, memberId))
        {
            addMember(groupId, memberId, joining, nowMs, result);
            return;
        }
        final Member member = current == null ? null : current.members.get(memberId);
        if (member == null)
        {
            reply(result, respond, ClassicGroup.joinError(instanceId != null && current != null && current.staticMembers.containsKey(instanceId) ?
                Errors.FENCED_INSTANCE_ID : Errors.UNKNOWN_MEMBER_ID, memberId));
            return;
        }
        if (instanceId != null && !memberId.equals(current.staticMembers.get(instanceId)))
        {
            reply(result, respond, ClassicGroup.joinError(Errors.FENCED_INSTANCE_ID, memberId));
            return;
        }
        rejoin(current, member, joining, nowMs, result);
    }

    /** What a JoinGroup brings for the member. */
    private record Joining(JoinGroupRequestData request, List<Member.Protocol> protocols, String clientId, String clientHost,
        Consumer<JoinGroupResponseData> respond)
    {
        void applyTo(final Member member)
        {
            member.protocols = protocols;
            member.clientId = clientId == null ? "" : clientId;
            member.clientHost = clientHost == null ? "" : clientHost;
            member.sessionTimeoutMs = request.sessionTimeoutMs();
            member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
            member.awaitingJoin = respond;
        }
    }

    private void rejoin(final ClassicGroup current, final Member member, final Joining joining, final long nowMs,
        final CoordinatorResult<?> result)
    {
        final boolean unchanged = member.sameSubscription(joining.protocols(), current.protocolName);
        if ((current.state == GroupState.STABLE || current.state == GroupState.COMPLETING_REBALANCE) &&
            unchanged && !member.memberId.equals(current.leaderId))
        {
            // A follower rejoining with nothing new: tell it the current generation again.
            reply(result, joining.respond(), current.joinResponse(member, false));
            return;
        }
        final ClassicGroup working = beginRebalance(current.groupId);
        final Member rejoining = working.members.get(member.memberId);
        joining.applyTo(rejoining);
        scheduleSession(working.groupId, rejoining, nowMs);
        prepareRebalance(working, nowMs, result);
        maybeCompleteJoin(working, nowMs, result);
    }

    private void addMember(final String groupId, final String memberId, final Joining joining, final long nowMs,
        final CoordinatorResult<?> result)
    {
        final ClassicGroup working = beginRebalance(groupId);
        final Member member = new Member(memberId, joining.request().groupInstanceId());
        joining.applyTo(member);
        if (working.isEmpty())
        {
            working.protocolType = joining.request().protocolType();
        }
        final boolean wasEmpty = working.state == GroupState.EMPTY;
        working.put(member);
        scheduleSession(groupId, member, nowMs);
        prepareRebalance(working, nowMs, result);
        if (wasEmpty || nowMs < working.initialDelayEndsMs)
        {
            // group.initial.rebalance.delay.ms: members of a starting group arrive one by one; wait for them.
            working.initialDelayEndsMs = Math.min(nowMs + config.initialRebalanceDelayMs(), working.rebalanceDeadlineMs);
            timers.schedule(Kind.CLASSIC_INITIAL_DELAY, groupId, null, working.initialDelayEndsMs, now -> completeJoinIfDue(groupId, now));
        }
        maybeCompleteJoin(working, nowMs, result);
    }

    /**
     * A static member restarted (new member id, same instance id): it takes the old member's place
     * and assignment. If the group is stable and would still select the same protocol, there is no
     * rebalance and the generation stays (KIP-345); the renamed member is written at once.
     */
    private void replaceStaticMember(final ClassicGroup current, final String oldId, final String newId, final Joining joining,
        final long nowMs, final CoordinatorResult<?> result)
    {
        final boolean inFlight = rebalancing.containsKey(current.groupId);
        final ClassicGroup next = inFlight ? current : current.workingCopy();
        final Member old = next.remove(oldId);
        if (old.awaitingJoin != null)
        {
            reply(result, old.awaitingJoin, ClassicGroup.joinError(Errors.FENCED_INSTANCE_ID, oldId));
        }
        if (old.awaitingSync != null)
        {
            reply(result, old.awaitingSync, ClassicGroup.syncError(Errors.FENCED_INSTANCE_ID));
        }
        final Member member = old.copyAs(newId);
        joining.applyTo(member);
        next.put(member);
        if (oldId.equals(next.leaderId))
        {
            next.leaderId = newId;
        }
        timers.cancel(Kind.CLASSIC_SESSION, current.groupId, oldId);
        scheduleSession(current.groupId, member, nowMs);
        // A restarted client's subscription bytes differ (no owned partitions, no generation), so
        // compare what matters, as Kafka does: would the group still select the same protocol?
        if (next.state == GroupState.STABLE && next.protocolName != null && next.protocolName.equals(next.selectProtocol()))
        {
            member.awaitingJoin = null;
            result.record(current.groupId, GroupRecords.groupMetadata(current.groupId, next.toRecord(nowMs)));
            // A returning leader gets the members but skipAssignment, so it does not reassign (KIP-814).
            final boolean leader = newId.equals(next.leaderId);
            reply(result, joining.respond(), next.joinResponse(member, leader).setSkipAssignment(leader));
            return;
        }
        rebalancing.put(current.groupId, next);
        prepareRebalance(next, nowMs, result);
        maybeCompleteJoin(next, nowMs, result);
    }

    // ---------------------------------------------------------------- rebalance

    private ClassicGroup beginRebalance(final String groupId)
    {
        return rebalancing.computeIfAbsent(groupId, id ->
        {
            final ClassicGroup recorded = groups.get(id);
            return recorded == null ? new ClassicGroup(id) : recorded.workingCopy();
        });
    }

    private void prepareRebalance(final ClassicGroup working, final long nowMs, final CoordinatorResult<?> result)
    {
        if (working.state == GroupState.PREPARING_REBALANCE)
        {
            return;
        }
        if (working.state == GroupState.COMPLETING_REBALANCE)
        {
            // Followers waiting for an assignment that will not come: they must rejoin.
            for (final Member member : working.members.values())
            {
                if (member.awaitingSync != null)
                {
                    reply(result, member.awaitingSync, ClassicGroup.syncError(Errors.REBALANCE_IN_PROGRESS));
                    member.awaitingSync = null;
                }
            }
        }
        int rebalanceTimeout = 0;
        for (final Member member : working.members.values())
        {
            rebalanceTimeout = Math.max(rebalanceTimeout, member.rebalanceTimeoutMs);
        }
        working.rebalanceDeadlineMs = nowMs + rebalanceTimeout;
        working.state = GroupState.PREPARING_REBALANCE;
        final String groupId = working.groupId;
        timers.schedule(Kind.CLASSIC_REBALANCE, groupId, null, working.rebalanceDeadlineMs, now -> completeJoinIfDue(groupId, now));
    }

    private CoordinatorResult<Void> completeJoinIfDue(final String groupId, final long nowMs)
    {
        final CoordinatorResult<Void> result = new CoordinatorResult<>();
        final ClassicGroup working = rebalancing.get(groupId);
        if (working != null)
        {
            maybeCompleteJoin(working, nowMs, result);
        }
        return result;
    }

    /** Completes the join phase once every member has rejoined, or evicts the stragglers at the deadline. */
    private void maybeCompleteJoin(final ClassicGroup working, final long nowMs, final CoordinatorResult<?> result)
    {
        if (working.state != GroupState.PREPARING_REBALANCE)
        {
            return;
        }
        boolean allJoined = true;
        for (final Member member : working.members.values())
        {
            allJoined &= member.awaitingJoin != null;
        }
        final boolean deadlinePassed = nowMs >= working.rebalanceDeadlineMs;
        if (!working.isEmpty() && (!allJoined || nowMs < working.initialDelayEndsMs) && !deadlinePassed)
        {
            return;
        }
        for (final Member straggler : new ArrayList<>(working.members.values()))
        {
            if (straggler.awaitingJoin == null)
            {
                working.remove(straggler.memberId);
                timers.cancel(Kind.CLASSIC_SESSION, working.groupId, straggler.memberId);
            }
        }
        timers.cancel(Kind.CLASSIC_REBALANCE, working.groupId, null);
        timers.cancel(Kind.CLASSIC_INITIAL_DELAY, working.groupId, null);
        working.generation++;
        if (working.isEmpty())
        {
            working.state = GroupState.EMPTY;
            working.protocolName = null;
            working.leaderId = null;
            complete(working, nowMs, result);
            return;
        }
        working.protocolName = working.selectProtocol();
        if (working.leaderId == null || !working.members.containsKey(working.leaderId))
        {
            working.leaderId = working.members.keySet().iterator().next();
        }
        working.state = GroupState.COMPLETING_REBALANCE;
        for (final Member member : working.members.values())
        {
            reply(result, member.awaitingJoin, working.joinResponse(member, member.memberId.equals(working.leaderId)));
            member.awaitingJoin = null;
            scheduleSession(working.groupId, member, nowMs);
        }
    }

    /** The rebalance is over: its generation becomes a record; replaying it makes it the group's state. */
    private void complete(final ClassicGroup working, final long nowMs, final CoordinatorResult<?> result)
    {
        rebalancing.remove(working.groupId);
        result.record(working.groupId, GroupRecords.groupMetadata(working.groupId, working.toRecord(nowMs)));
    }

    // ---------------------------------------------------------------- SyncGroup, Heartbeat, LeaveGroup

    void sync(final SyncGroupRequestData request, final long nowMs, final Consumer<SyncGroupResponseData> respond,
        final CoordinatorResult<?> result)
    {
        final ClassicGroup current = group(request.groupId());
        final Errors invalid = current == null ? Errors.UNKNOWN_MEMBER_ID :
            current.validateMember(request.memberId(), request.groupInstanceId(), request.generationId());
        if (invalid != null)
        {
            reply(result, respond, ClassicGroup.syncError(invalid));
            return;
        }
        if ((request.protocolType() != null && !request.protocolType().equals(current.protocolType)) ||
            (request.protocolName() != null && !request.protocolName().equals(current.protocolName)))
        {
            reply(result, respond, ClassicGroup.syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        final Member member = current.members.get(request.memberId());
        scheduleSession(current.groupId, member, nowMs);
        switch (current.state)
        {
            case PREPARING_REBALANCE -> reply(result, respond, ClassicGroup.syncError(Errors.REBALANCE_IN_PROGRESS));
            case STABLE -> reply(result, respond, current.syncResponse(member));
            case COMPLETING_REBALANCE ->
            {
                member.awaitingSync = respond;
                if (request.memberId().equals(current.leaderId))
                {
                    completeSync(current, request, nowMs, result);
                }
            }
            default -> reply(result, respond, ClassicGroup.syncError(Errors.UNKNOWN_MEMBER_ID));
        }
    }

    /** The leader's assignment completes the rebalance: the stable generation is written, then everyone gets their part. */
    private void completeSync(final ClassicGroup working, final SyncGroupRequestData request, final long nowMs,
        final CoordinatorResult<?> result)
    {
        final Map<String, byte[]> assignments = new HashMap<>();
        request.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        for (final Member each : working.members.values())
        {
            each.assignment = assignments.getOrDefault(each.memberId, new byte[0]);
        }
        working.state = GroupState.STABLE;
        complete(working, nowMs, result);
        for (final Member each : working.members.values())
        {
            if (each.awaitingSync != null)
            {
                reply(result, each.awaitingSync, working.syncResponse(each));
                each.awaitingSync = null;
            }
        }
    }

    Errors heartbeat(final String groupId, final String memberId, final String instanceId, final int generation, final long nowMs)
    {
        final ClassicGroup current = group(groupId);
        if (current == null)
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (current.state == GroupState.PREPARING_REBALANCE && current.members.containsKey(memberId))
        {
            scheduleSession(groupId, current.members.get(memberId), nowMs);
            return Errors.REBALANCE_IN_PROGRESS;
        }
        final Errors invalid = current.validateMember(memberId, instanceId, generation);
        if (invalid != null)
        {
            return invalid;
        }
        scheduleSession(groupId, current.members.get(memberId), nowMs);
        return Errors.NONE;
    }

    /** @return the error for one leaving member (by member id, or by instance id for static members). */
    Errors leave(final String groupId, final String memberId, final String instanceId, final long nowMs, final CoordinatorResult<?> result)
    {
        final ClassicGroup current = group(groupId);
        if (current == null)
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        String id = memberId;
        if (instanceId != null)
        {
            final String known = current.staticMembers.get(instanceId);
            if (known == null)
            {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (memberId != null && !memberId.isEmpty() && !memberId.equals(known))
            {
                return Errors.FENCED_INSTANCE_ID;
            }
            id = known;
        }
        if (id == null || !current.members.containsKey(id))
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        removeMember(groupId, id, nowMs, result);
        return Errors.NONE;
    }

    /** Removes a member (leave or session expiry); the rest rebalance, or the group empties. */
    private void removeMember(final String groupId, final String memberId, final long nowMs, final CoordinatorResult<?> result)
    {
        final ClassicGroup working = beginRebalance(groupId);
        final Member member = working.remove(memberId);
        timers.cancel(Kind.CLASSIC_SESSION, groupId, memberId);
        if (member.awaitingJoin != null)
        {
            reply(result, member.awaitingJoin, ClassicGroup.joinError(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
        if (member.awaitingSync != null)
        {
            reply(result, member.awaitingSync, ClassicGroup.syncError(Errors.UNKNOWN_MEMBER_ID));
        }
        prepareRebalance(working, nowMs, result);
        maybeCompleteJoin(working, nowMs, result);
    }

    /** A commit from a member counts as a sign of life, as in Kafka. */
    void touch(final String groupId, final String memberId, final long nowMs)
    {
        final ClassicGroup current = group(groupId);
        final Member member = current == null ? null : current.members.get(memberId);
        if (member != null)
        {
            scheduleSession(groupId, member, nowMs);
        }
    }

    /** DeleteGroups: forgets what is in flight for an (empty) group; its records are tombstoned by the caller. */
    void forget(final String groupId)
    {
        rebalancing.remove(groupId);
        pendingMembers.remove(groupId);
    }

    // ---------------------------------------------------------------- timers

    private void scheduleSession(final String groupId, final Member member, final long nowMs)
    {
        final String memberId = member.memberId;
        timers.schedule(Kind.CLASSIC_SESSION, groupId, memberId, nowMs + member.sessionTimeoutMs, now -> expireSession(groupId, memberId, now));
    }

    private CoordinatorResult<Void> expireSession(final String groupId, final String memberId, final long nowMs)
    {
        final CoordinatorResult<Void> result = new CoordinatorResult<>();
        final ClassicGroup current = group(groupId);
        final Member member = current == null ? null : current.members.get(memberId);
        // A member waiting in a join is bounded by the rebalance deadline instead.
        if (member != null && member.awaitingJoin == null)
        {
            removeMember(groupId, memberId, nowMs, result);
        }
        return result;
    }

    private void addPending(final String groupId, final String memberId, final long deadlineMs)
    {
        pendingMembers.computeIfAbsent(groupId, g -> new HashSet<>()).add(memberId);
        timers.schedule(Kind.CLASSIC_PENDING_MEMBER, groupId, memberId, deadlineMs, now ->
        {
            removePending(groupId, memberId);
            return new CoordinatorResult<>();
        });
    }

    private boolean removePending(final String groupId, final String memberId)
    {
        final Set<String> pending = pendingMembers.get(groupId);
        if (pending == null || !pending.remove(memberId))
        {
            return false;
        }
        if (pending.isEmpty())
        {
            pendingMembers.remove(groupId);
        }
        timers.cancel(Kind.CLASSIC_PENDING_MEMBER, groupId, memberId);
        return true;
    }

    /** Delivers a response once this result's records (if any) are durable. */
    private static <R> void reply(final CoordinatorResult<?> result, final Consumer<R> respond, final R response)
    {
        result.then(() -> respond.accept(response));
    }
}
