package io.runnel.io.api.group;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.runnel.codecs.protocol.ControlMessages;
import io.runnel.coordinator.group.GroupConfig;
import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.coordinator.group.GroupState;
import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.kernel.metadata.BrokerEndpoint;
import io.runnel.kernel.topic.Topic;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * The classic consumer-group APIs. Each request is decoded here, its group's work runs on the
 * coordinating shard ({@link GroupRouter}), and the answer is encoded here again. Requests that
 * name several groups (OffsetFetch v8+, DescribeGroups, DeleteGroups, ListGroups) are split by
 * coordinator and gathered.
 */
public final class GroupHandlers
{
    private static final String CONSUMER_PROTOCOL = "consumer";
    private static final byte GROUP_KEY_TYPE = 0;
    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;
    /** OffsetCommit and OffsetFetch v10 name topics by id (KIP-848). */
    private static final short FIRST_VERSION_WITH_TOPIC_IDS = 10;
    /** OffsetFetch v2 added the response's group-level error; before it a group error goes on every partition. */
    private static final short FIRST_OFFSET_FETCH_WITH_GROUP_ERROR = 2;

    private final BrokerServices services;
    private final GroupRouter router;

    public GroupHandlers(final ApiShard local, final BrokerServices services)
    {
        this.services = services;
        this.router = new GroupRouter(local, services);
    }

    public void handle(final RequestContext context)
    {
        final ApiMessage request = ControlMessages.readRequest(context.api(), context.apiVersion(), context.body());
        switch (context.api())
        {
            case FIND_COORDINATOR -> findCoordinator(context, (FindCoordinatorRequestData)request);
            case JOIN_GROUP -> joinGroup(context, (JoinGroupRequestData)request);
            case SYNC_GROUP -> syncGroup(context, (SyncGroupRequestData)request);
            case HEARTBEAT -> heartbeat(context, (HeartbeatRequestData)request);
            case LEAVE_GROUP -> leaveGroup(context, (LeaveGroupRequestData)request);
            case OFFSET_COMMIT -> offsetCommit(context, (OffsetCommitRequestData)request);
            case OFFSET_FETCH -> offsetFetch(context, (OffsetFetchRequestData)request);
            case DESCRIBE_GROUPS -> describeGroups(context, (DescribeGroupsRequestData)request);
            case LIST_GROUPS -> listGroups(context, (ListGroupsRequestData)request);
            case DELETE_GROUPS -> deleteGroups(context, (DeleteGroupsRequestData)request);
            case OFFSET_DELETE -> offsetDelete(context, (OffsetDeleteRequestData)request);
            case CONSUMER_GROUP_HEARTBEAT -> consumerGroupHeartbeat(context, (ConsumerGroupHeartbeatRequestData)request);
            case CONSUMER_GROUP_DESCRIBE -> consumerGroupDescribe(context, (ConsumerGroupDescribeRequestData)request);
            default -> throw new IllegalStateException("not a group API: " + context.api());
        }
    }

    static boolean isValidGroupId(final String groupId)
    {
        return groupId != null && !groupId.isEmpty() && groupId.length() <= GroupConfig.MAX_GROUP_ID_LENGTH;
    }

    // ---------------------------------------------------------------- FindCoordinator

    private void findCoordinator(final RequestContext context, final FindCoordinatorRequestData request)
    {
        final FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        final List<String> keys = context.apiVersion() >= 4 ? request.coordinatorKeys() : List.of(request.key());
        final List<FindCoordinatorResponseData.Coordinator> groups = new ArrayList<>();
        for (final String key : keys)
        {
            final FindCoordinatorResponseData.Coordinator coordinator = new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setNodeId(-1).setHost("").setPort(-1);
            if (request.keyType() != GROUP_KEY_TYPE)
            {
                coordinator.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage("Runnel coordinates consumer groups only (transactions and share groups come later)");
            }
            else if (!isValidGroupId(key))
            {
                coordinator.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("group ids are 1-" + GroupConfig.MAX_GROUP_ID_LENGTH + " characters");
            }
            else
            {
                groups.add(coordinator);
            }
            response.coordinators().add(coordinator);
        }
        if (groups.isEmpty())
        {
            context.respond(flattenBeforeV4(response, context.apiVersion()));
            return;
        }
        // Coordinators live with the leaders of the offsets topic's partitions: it exists before anyone is sent to one.
        router.withOffsetsTopic(context, () ->
        {
            for (final FindCoordinatorResponseData.Coordinator coordinator : groups)
            {
                final BrokerEndpoint leader = services.cluster().liveBroker(router.coordinatorLeadership(coordinator.key()).leader());
                if (leader == null)
                {
                    coordinator.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage("the group's offsets partition has no leader");
                }
                else
                {
                    coordinator.setNodeId(leader.nodeId()).setHost(leader.host()).setPort(leader.port());
                }
            }
            context.respond(flattenBeforeV4(response, context.apiVersion()));
        });
    }

    /** Before v4 a response names one coordinator in its top-level fields. */
    private static FindCoordinatorResponseData flattenBeforeV4(final FindCoordinatorResponseData response, final short version)
    {
        if (version < 4)
        {
            final FindCoordinatorResponseData.Coordinator only = response.coordinators().get(0);
            response.setErrorCode(only.errorCode()).setErrorMessage(only.errorMessage())
                .setNodeId(only.nodeId()).setHost(only.host()).setPort(only.port());
            response.setCoordinators(new ArrayList<>());
        }
        return response;
    }

    // ---------------------------------------------------------------- membership

    private void joinGroup(final RequestContext context, final JoinGroupRequestData request)
    {
        if (!isValidGroupId(request.groupId()))
        {
            context.respond(GroupResponses.joinAt(new JoinGroupResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code())
                .setMemberId(request.memberId()).setGenerationId(-1).setLeader(""), context.apiVersion()));
            return;
        }
        if (context.apiVersion() == 0)
        {
            request.setRebalanceTimeoutMs(request.sessionTimeoutMs());
        }
        final String clientId = context.clientId() == null ? "" : context.clientId();
        final String clientHost = clientHost(context);
        final short version = context.apiVersion();
        router.<JoinGroupResponseData>onCoordinator(context, request.groupId(),
            (coordinator, done) -> coordinator.joinGroup(request, version, clientId, clientHost, done),
            response -> context.respond(GroupResponses.joinAt(response, version)));
    }

    private static String clientHost(final RequestContext context)
    {
        final String remote = context.connection().remote();
        final int colon = remote.lastIndexOf(':');
        return colon > 0 ? remote.substring(0, colon) : remote;
    }

    private void syncGroup(final RequestContext context, final SyncGroupRequestData request)
    {
        if (!isValidGroupId(request.groupId()))
        {
            context.respond(new SyncGroupResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
            return;
        }
        final short version = context.apiVersion();
        router.<SyncGroupResponseData>onCoordinator(context, request.groupId(), (coordinator, done) -> coordinator.syncGroup(request, done),
            response -> context.respond(GroupResponses.syncAt(response, version)));
    }

    private void heartbeat(final RequestContext context, final HeartbeatRequestData request)
    {
        if (!isValidGroupId(request.groupId()))
        {
            context.respond(new HeartbeatResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
            return;
        }
        router.<Errors>onCoordinator(context, request.groupId(), (coordinator, done) -> done.accept(coordinator.heartbeat(
            request.groupId(), request.memberId(), request.groupInstanceId(), request.generationId())),
            error -> context.respond(new HeartbeatResponseData().setErrorCode(error.code())));
    }

    private void leaveGroup(final RequestContext context, final LeaveGroupRequestData request)
    {
        final boolean batched = context.apiVersion() >= 3;
        final List<LeaveGroupRequestData.MemberIdentity> leaving = batched ? request.members() :
            List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(request.memberId()));
        if (!isValidGroupId(request.groupId()))
        {
            context.respond(new LeaveGroupResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
            return;
        }
        router.<List<Errors>>onCoordinator(context, request.groupId(),
            (coordinator, done) -> coordinator.leaveGroup(request.groupId(), leaving, done), errors ->
        {
            final LeaveGroupResponseData response = new LeaveGroupResponseData();
            if (batched)
            {
                for (int i = 0; i < leaving.size(); i++)
                {
                    response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(leaving.get(i).memberId())
                        .setGroupInstanceId(leaving.get(i).groupInstanceId()).setErrorCode(errors.get(i).code()));
                }
            }
            else
            {
                response.setErrorCode(errors.get(0).code());
            }
            context.respond(response);
        });
    }

    // ---------------------------------------------------------------- KIP-848 consumer protocol

    private void consumerGroupHeartbeat(final RequestContext context, final ConsumerGroupHeartbeatRequestData request)
    {
        if (!isValidGroupId(request.groupId()))
        {
            context.respond(new ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()).setMemberEpoch(-1));
            return;
        }
        final String clientId = context.clientId() == null ? "" : context.clientId();
        final String clientHost = clientHost(context);
        router.<ConsumerGroupHeartbeatResponseData>onCoordinator(context, request.groupId(),
            (coordinator, done) -> coordinator.consumerGroupHeartbeat(request, clientId, clientHost, done), context::respond);
    }

    private void consumerGroupDescribe(final RequestContext context, final ConsumerGroupDescribeRequestData request)
    {
        final List<String> ids = request.groupIds();
        final ConsumerGroupDescribeResponseData.DescribedGroup[] results = new ConsumerGroupDescribeResponseData.DescribedGroup[ids.size()];
        final int[] pending = {ids.size() + 1};
        final Runnable done = () ->
        {
            if (--pending[0] == 0)
            {
                context.respond(new ConsumerGroupDescribeResponseData().setGroups(new ArrayList<>(List.of(results))));
            }
        };
        for (int i = 0; i < ids.size(); i++)
        {
            final int slot = i;
            final String groupId = ids.get(i);
            if (!isValidGroupId(groupId))
            {
                results[slot] = new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                    .setErrorCode(Errors.INVALID_GROUP_ID.code()).setGroupState("Dead").setAssignorName("");
                done.run();
                continue;
            }
            router.<ConsumerGroupDescribeResponseData.DescribedGroup>onCoordinator(context, groupId,
                (coordinator, reply) -> reply.accept(coordinator.describeConsumerGroup(groupId)), group ->
                {
                    results[slot] = group != null ? group : new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId)
                        .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("no consumer-protocol group " + groupId)
                        .setGroupState("Dead").setAssignorName("");
                    done.run();
                });
        }
        done.run();
    }

    // ---------------------------------------------------------------- offsets

    private void offsetCommit(final RequestContext context, final OffsetCommitRequestData request)
    {
        final boolean byId = context.apiVersion() >= FIRST_VERSION_WITH_TOPIC_IDS;
        final var snapshot = services.logManager().registry().snapshot();
        // v10 names topics by id: each is resolved to its name here; an unknown id is answered without asking the coordinator.
        final List<String> names = new ArrayList<>();
        final List<GroupCoordinator.CommitRequest> commits = new ArrayList<>();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics())
        {
            final Topic known = byId ? snapshot.topic(topic.topicId()) : null;
            final String name = byId ? (known == null ? null : known.name()) : topic.name();
            names.add(name);
            if (name == null)
            {
                continue;
            }
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
            {
                commits.add(new GroupCoordinator.CommitRequest(name, partition.partitionIndex(), partition.committedOffset(),
                    partition.committedLeaderEpoch(), partition.committedMetadata()));
            }
        }
        final Consumer<List<Errors>> respond = errors ->
        {
            final OffsetCommitResponseData response = new OffsetCommitResponseData();
            int i = 0;
            for (int t = 0; t < request.topics().size(); t++)
            {
                final OffsetCommitRequestData.OffsetCommitRequestTopic topic = request.topics().get(t);
                final OffsetCommitResponseData.OffsetCommitResponseTopic out = byId ?
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setTopicId(topic.topicId()) :
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name());
                final boolean unknown = names.get(t) == null;
                for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
                {
                    final Errors error = unknown ? Errors.UNKNOWN_TOPIC_ID : errors.get(i++);
                    out.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex()).setErrorCode(error.code()));
                }
                response.topics().add(out);
            }
            context.respond(response);
        };
        if (!isValidGroupId(request.groupId()))
        {
            respond.accept(java.util.Collections.nCopies(commits.size(), Errors.INVALID_GROUP_ID));
            return;
        }
        router.onCoordinator(context, request.groupId(), (coordinator, done) -> coordinator.commitOffsets(request.groupId(),
            request.generationIdOrMemberEpoch(), request.memberId(), request.groupInstanceId(), commits, done), respond);
    }

    private void offsetFetch(final RequestContext context, final OffsetFetchRequestData request)
    {
        final short version = context.apiVersion();
        final boolean multiGroup = version >= 8;
        final boolean byId = version >= FIRST_VERSION_WITH_TOPIC_IDS;
        final var snapshot = services.logManager().registry().snapshot();
        final List<OffsetFetchRequestData.OffsetFetchRequestGroup> groups = new ArrayList<>();
        if (multiGroup)
        {
            groups.addAll(request.groups());
        }
        else
        {
            final OffsetFetchRequestData.OffsetFetchRequestGroup only = new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(request.groupId());
            if (request.topics() == null)
            {
                only.setTopics(null);
            }
            else
            {
                for (final OffsetFetchRequestData.OffsetFetchRequestTopic topic : request.topics())
                {
                    only.topics().add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(topic.name()).setPartitionIndexes(topic.partitionIndexes()));
                }
            }
            groups.add(only);
        }
        final OffsetFetchResponseData.OffsetFetchResponseGroup[] results = new OffsetFetchResponseData.OffsetFetchResponseGroup[groups.size()];
        final int[] pending = {groups.size() + 1};
        final Runnable done = () ->
        {
            if (--pending[0] > 0)
            {
                return;
            }
            context.respond(multiGroup ? new OffsetFetchResponseData().setGroups(new ArrayList<>(List.of(results))) :
                singleGroupResponse(results[0], groups.get(0), version));
        };
        for (int g = 0; g < groups.size(); g++)
        {
            final int slot = g;
            final OffsetFetchRequestData.OffsetFetchRequestGroup group = groups.get(g);
            if (!isValidGroupId(group.groupId()))
            {
                results[slot] = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(group.groupId()).setErrorCode(Errors.INVALID_GROUP_ID.code());
                done.run();
                continue;
            }
            final Map<String, List<Integer>> wanted;
            // v10 names topics by id: an id the registry does not know is answered here with UNKNOWN_TOPIC_ID.
            final List<OffsetFetchResponseData.OffsetFetchResponseTopics> unknownIds = new ArrayList<>();
            if (group.topics() == null)
            {
                wanted = null;
            }
            else
            {
                wanted = new LinkedHashMap<>();
                for (final OffsetFetchRequestData.OffsetFetchRequestTopics t : group.topics())
                {
                    final Topic known = byId ? snapshot.topic(t.topicId()) : null;
                    if (byId && known == null)
                    {
                        unknownIds.add(unknownTopicId(t));
                        continue;
                    }
                    wanted.put(byId ? known.name() : t.name(), t.partitionIndexes());
                }
            }
            router.<Map<String, Map<Integer, GroupCoordinator.Committed>>>onCoordinator(context, group.groupId(),
                (coordinator, reply) -> reply.accept(coordinator.fetchOffsets(group.groupId(), wanted)),
                found ->
                {
                    final OffsetFetchResponseData.OffsetFetchResponseGroup out = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(group.groupId());
                    found.forEach((topic, partitions) ->
                    {
                        final OffsetFetchResponseData.OffsetFetchResponseTopics t = new OffsetFetchResponseData.OffsetFetchResponseTopics();
                        if (byId)
                        {
                            final Topic known = services.logManager().registry().snapshot().topic(topic);
                            if (known == null)
                            {
                                // Offsets of a deleted topic have no id to name them by.
                                return;
                            }
                            t.setTopicId(known.id());
                        }
                        else
                        {
                            t.setName(topic);
                        }
                        partitions.forEach((partition, committed) -> t.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                            .setPartitionIndex(partition).setCommittedOffset(committed.offset())
                            .setCommittedLeaderEpoch(committed.leaderEpoch()).setMetadata(committed.metadata())));
                        out.topics().add(t);
                    });
                    out.topics().addAll(unknownIds);
                    results[slot] = out;
                    done.run();
                });
        }
        done.run();
    }

    private static OffsetFetchResponseData.OffsetFetchResponseTopics unknownTopicId(final OffsetFetchRequestData.OffsetFetchRequestTopics topic)
    {
        final OffsetFetchResponseData.OffsetFetchResponseTopics out = new OffsetFetchResponseData.OffsetFetchResponseTopics().setTopicId(topic.topicId());
        for (final int partition : topic.partitionIndexes())
        {
            out.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(partition)
                .setCommittedOffset(-1).setMetadata("").setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        return out;
    }

    /** OffsetFetch v0-7: one group, its answer at the top level (v0-1 have no group error: it goes on every partition). */
    private static OffsetFetchResponseData singleGroupResponse(final OffsetFetchResponseData.OffsetFetchResponseGroup only,
        final OffsetFetchRequestData.OffsetFetchRequestGroup asked, final short version)
    {
        final OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version < FIRST_OFFSET_FETCH_WITH_GROUP_ERROR && only.errorCode() != Errors.NONE.code() && asked.topics() != null)
        {
            for (final OffsetFetchRequestData.OffsetFetchRequestTopics topic : asked.topics())
            {
                final OffsetFetchResponseData.OffsetFetchResponseTopic out = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic.name());
                for (final int partition : topic.partitionIndexes())
                {
                    out.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(partition)
                        .setCommittedOffset(-1).setMetadata("").setErrorCode(only.errorCode()));
                }
                response.topics().add(out);
            }
            return response;
        }
        response.setErrorCode(only.errorCode());
        for (final OffsetFetchResponseData.OffsetFetchResponseTopics topic : only.topics())
        {
            final OffsetFetchResponseData.OffsetFetchResponseTopic out = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic.name());
            for (final OffsetFetchResponseData.OffsetFetchResponsePartitions p : topic.partitions())
            {
                out.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setCommittedOffset(p.committedOffset()).setCommittedLeaderEpoch(p.committedLeaderEpoch())
                    .setMetadata(p.metadata()).setErrorCode(p.errorCode()));
            }
            response.topics().add(out);
        }
        return response;
    }

    private void offsetDelete(final RequestContext context, final OffsetDeleteRequestData request)
    {
        if (!isValidGroupId(request.groupId()))
        {
            context.respond(new OffsetDeleteResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
            return;
        }
        router.<OffsetDeleteResponseData>onCoordinator(context, request.groupId(),
            (coordinator, done) -> coordinator.deleteOffsets(request, done), context::respond);
    }

    // ---------------------------------------------------------------- describe, list, delete

    private void describeGroups(final RequestContext context, final DescribeGroupsRequestData request)
    {
        final List<String> ids = request.groups();
        final DescribeGroupsResponseData.DescribedGroup[] results = new DescribeGroupsResponseData.DescribedGroup[ids.size()];
        final int[] pending = {ids.size() + 1};
        final Runnable done = () ->
        {
            if (--pending[0] == 0)
            {
                context.respond(new DescribeGroupsResponseData().setGroups(new ArrayList<>(List.of(results))));
            }
        };
        for (int i = 0; i < ids.size(); i++)
        {
            final int slot = i;
            final String groupId = ids.get(i);
            if (!isValidGroupId(groupId))
            {
                results[slot] = deadGroup(groupId, Errors.INVALID_GROUP_ID);
                done.run();
                continue;
            }
            router.<GroupCoordinator.GroupView>onCoordinator(context, groupId, (coordinator, reply) -> reply.accept(coordinator.describe(groupId)), view ->
            {
                results[slot] = view == null ?
                    deadGroup(groupId, context.apiVersion() >= 6 ? Errors.GROUP_ID_NOT_FOUND : Errors.NONE) : described(view);
                done.run();
            });
        }
        done.run();
    }

    private static DescribeGroupsResponseData.DescribedGroup deadGroup(final String groupId, final Errors error)
    {
        return new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId).setErrorCode(error.code())
            .setGroupState(GroupState.DEAD.wireName()).setProtocolType("").setProtocolData("")
            .setAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
    }

    private static DescribeGroupsResponseData.DescribedGroup described(final GroupCoordinator.GroupView view)
    {
        final DescribeGroupsResponseData.DescribedGroup out = new DescribeGroupsResponseData.DescribedGroup()
            .setGroupId(view.groupId()).setGroupState(view.state().wireName()).setProtocolType(view.protocolType())
            .setProtocolData(view.protocolName() == null ? "" : view.protocolName())
            .setAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (final GroupCoordinator.MemberView member : view.members())
        {
            out.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(member.memberId())
                .setGroupInstanceId(member.instanceId()).setClientId(member.clientId()).setClientHost(member.clientHost())
                .setMemberMetadata(member.metadata()).setMemberAssignment(member.assignment()));
        }
        return out;
    }

    private void listGroups(final RequestContext context, final ListGroupsRequestData request)
    {
        final ListGroupsResponseData response = new ListGroupsResponseData();
        final List<String> states = request.statesFilter();
        final List<String> types = request.typesFilter();

        if (router.offsetsTopic() == null)
        {
            context.respond(response);
            return;
        }
        router.<List<GroupCoordinator.ListedGroup>>onEveryCoordinator(context, GroupCoordinator::list, listed ->
        {
            for (final GroupCoordinator.ListedGroup group : listed)
            {
                final boolean stateWanted = states == null || states.isEmpty() || states.stream().anyMatch(st -> st.equalsIgnoreCase(group.state()));
                final boolean typeWanted = types == null || types.isEmpty() || types.stream().anyMatch(t -> t.equalsIgnoreCase(group.type()));
                if (stateWanted && typeWanted)
                {
                    response.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(group.groupId())
                        .setProtocolType(group.protocolType()).setGroupState(group.state()).setGroupType(group.type()));
                }
            }
        }, () -> context.respond(response));
    }

    private void deleteGroups(final RequestContext context, final DeleteGroupsRequestData request)
    {
        final List<String> ids = request.groupsNames();
        final Errors[] results = new Errors[ids.size()];
        final int[] pending = {ids.size() + 1};
        final Runnable done = () ->
        {
            if (--pending[0] > 0)
            {
                return;
            }
            final DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            for (int i = 0; i < ids.size(); i++)
            {
                response.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(ids.get(i)).setErrorCode(results[i].code()));
            }
            context.respond(response);
        };
        for (int i = 0; i < ids.size(); i++)
        {
            final int slot = i;
            final String groupId = ids.get(i);
            if (!isValidGroupId(groupId))
            {
                results[slot] = Errors.INVALID_GROUP_ID;
                done.run();
                continue;
            }
            router.<Errors>onCoordinator(context, groupId, (coordinator, reply) -> coordinator.deleteGroup(groupId, reply), error ->
            {
                results[slot] = error;
                done.run();
            });
        }
        done.run();
    }

}
