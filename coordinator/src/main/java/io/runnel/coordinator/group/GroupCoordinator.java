package io.runnel.coordinator.group;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.LogManager;
import io.runnel.kernel.log.FileRegion;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardDuty;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of one shard: the classic groups whose {@code __consumer_offsets}
 * partition this shard owns, and their committed offsets. State changes that must survive a
 * restart (commits, group metadata) are appended to that partition as records and acknowledged
 * once durable; at start-up the partitions are replayed. Single-threaded, like the shard.
 */
public final class GroupCoordinator implements ShardDuty
{
    /** A committed offset as OffsetFetch reports it. */
    public record Committed(long offset, int leaderEpoch, String metadata, long commitTimestamp)
    {
    }

    /** A group as DescribeGroups and ListGroups report it. */
    public record GroupView(String groupId, GroupState state, String protocolType, String protocolName, List<MemberView> members)
    {
    }

    /** A group as ListGroups reports it: its type ("classic" or "consumer") and state name. */
    public record ListedGroup(String groupId, String type, String protocolType, String state)
    {
    }

    public record MemberView(String memberId, String instanceId, String clientId, String clientHost, byte[] metadata, byte[] assignment)
    {
    }

    private static final long EXPIRY_CHECK_INTERVAL_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    private final Shard shard;
    private final LogManager logManager;
    private final GroupConfig config;
    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final Map<String, ConsumerGroup> consumerGroups = new HashMap<>();
    private final Map<String, Map<String, Map<Integer, Committed>>> offsets = new HashMap<>();
    private final RecordBatch batchFlyweight = new RecordBatch();
    private long nextExpiryCheckMs;
    private long nextRetentionCheckMs;

    public GroupCoordinator(final Shard shard, final LogManager logManager, final GroupConfig config)
    {
        this.shard = shard;
        this.logManager = logManager;
        this.config = config;
    }

    public GroupConfig config()
    {
        return config;
    }

    // ---------------------------------------------------------------- membership

    public void joinGroup(final JoinGroupRequestData request, final short version, final String clientId, final String clientHost,
        final Consumer<JoinGroupResponseData> respond)
    {
        final long now = shard.clock().time();
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs() || request.sessionTimeoutMs() > config.maxSessionTimeoutMs())
        {
            respond.accept(ClassicGroup.error(Errors.INVALID_SESSION_TIMEOUT, request.memberId()));
            return;
        }
        final ConsumerGroup consumerGroup = consumerGroups.get(request.groupId());
        if (consumerGroup != null && !consumerGroup.members.isEmpty())
        {
            respond.accept(ClassicGroup.error(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
            return;
        }
        final ClassicGroup group = groups.computeIfAbsent(request.groupId(), ClassicGroup::new);
        group.join(request, version, clientId, clientHost, config, now, respond, () -> persistGroup(group));
    }

    public void syncGroup(final SyncGroupRequestData request, final Consumer<SyncGroupResponseData> respond)
    {
        final ClassicGroup group = groups.get(request.groupId());
        if (group == null)
        {
            respond.accept(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            return;
        }
        group.sync(request, shard.clock().time(), respond, () -> persistGroup(group));
    }

    public Errors heartbeat(final String groupId, final String memberId, final String instanceId, final int generation)
    {
        final ClassicGroup group = groups.get(groupId);
        return group == null ? Errors.UNKNOWN_MEMBER_ID : group.heartbeat(memberId, instanceId, generation, shard.clock().time());
    }

    /** @return the error for one leaving member (by member id, or by instance id for static members). */
    public Errors leaveGroup(final String groupId, final String memberId, final String instanceId)
    {
        final ClassicGroup group = groups.get(groupId);
        if (group == null)
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        String id = memberId;
        if (instanceId != null)
        {
            final String current = group.staticMembers.get(instanceId);
            if (current == null)
            {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (memberId != null && !memberId.isEmpty() && !memberId.equals(current))
            {
                return Errors.FENCED_INSTANCE_ID;
            }
            id = current;
        }
        final Member member = group.members.get(id);
        if (member == null)
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        group.remove(member, shard.clock().time());
        persistGroup(group);
        return Errors.NONE;
    }

    /** KIP-848: one heartbeat of the consumer protocol (join, reconcile, leave). */
    public ConsumerGroupHeartbeatResponseData consumerGroupHeartbeat(final ConsumerGroupHeartbeatRequestData request,
        final String clientId, final String clientHost)
    {
        final ClassicGroup classic = groups.get(request.groupId());
        if (classic != null && !classic.isEmpty())
        {
            return ConsumerGroup.error(Errors.GROUP_ID_NOT_FOUND, "group " + request.groupId() + " is a classic group with members");
        }
        if (request.memberEpoch() == 0 && request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null)
        {
            return ConsumerGroup.error(Errors.INVALID_REQUEST, "a joining member must name its subscription");
        }
        if (request.subscribedTopicRegex() != null)
        {
            return ConsumerGroup.error(Errors.INVALID_REQUEST, "regular-expression subscriptions are not supported yet");
        }
        final ConsumerGroup group = consumerGroups.computeIfAbsent(request.groupId(), ConsumerGroup::new);
        return group.heartbeat(request, clientId, clientHost, logManager.registry().snapshot(), shard.clock().time(),
            config.consumerSessionTimeoutMs(), config.consumerHeartbeatIntervalMs());
    }

    /** KIP-848 ConsumerGroupDescribe; null if there is no such consumer-protocol group. */
    public ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(final String groupId)
    {
        final ConsumerGroup group = consumerGroups.get(groupId);
        if (group == null)
        {
            return null;
        }
        final var topics = logManager.registry().snapshot();
        final ConsumerGroupDescribeResponseData.DescribedGroup out = new ConsumerGroupDescribeResponseData.DescribedGroup()
            .setGroupId(groupId).setGroupState(group.state()).setGroupEpoch(group.groupEpoch)
            .setAssignmentEpoch(group.assignmentEpoch).setAssignorName(group.assignorName)
            .setAuthorizedOperations(Integer.MIN_VALUE);
        for (final ConsumerGroup.ConsumerMember member : group.members.values())
        {
            out.members().add(new ConsumerGroupDescribeResponseData.Member()
                .setMemberId(member.memberId).setInstanceId(member.instanceId).setRackId(member.rackId)
                .setMemberEpoch(member.memberEpoch).setClientId(member.clientId == null ? "" : member.clientId)
                .setClientHost(member.clientHost == null ? "" : member.clientHost)
                .setSubscribedTopicNames(new ArrayList<>(member.subscribedTopics))
                .setAssignment(describe(member.current, topics))
                .setTargetAssignment(describe(group.target.getOrDefault(member.memberId, new Assignment()), topics)));
        }
        return out;
    }

    private static ConsumerGroupDescribeResponseData.Assignment describe(final Assignment assignment, final TopicRegistry.Snapshot topics)
    {
        final ConsumerGroupDescribeResponseData.Assignment out = new ConsumerGroupDescribeResponseData.Assignment();
        assignment.partitions.forEach((id, partitions) ->
        {
            final Topic topic = topics.topic(id);
            out.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(id)
                .setTopicName(topic == null ? "" : topic.name()).setPartitions(new ArrayList<>(partitions)));
        });
        return out;
    }

    // ---------------------------------------------------------------- offsets

    /** One partition's commit request. */
    public record CommitRequest(String topic, int partition, long offset, int leaderEpoch, String metadata)
    {
    }

    /**
     * Validates and stores a commit; {@code respond} gets one error per request partition, in
     * order, once the records are durable.
     */
    public void commitOffsets(final String groupId, final int generation, final String memberId, final String instanceId,
        final List<CommitRequest> commits, final Consumer<List<Errors>> respond)
    {
        final Errors groupError = validateCommit(groupId, generation, memberId, instanceId);
        final List<Errors> results = new ArrayList<>(commits.size());
        final List<SimpleRecord> records = new ArrayList<>();
        final List<CommitRequest> accepted = new ArrayList<>();
        final long now = shard.clock().time();
        for (final CommitRequest commit : commits)
        {
            Errors error = groupError;
            if (error == null)
            {
                final Topic topic = logManager.registry().snapshot().topic(commit.topic());
                if (topic == null || topic.partition(commit.partition()) == null)
                {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                }
                else if (commit.metadata() != null && commit.metadata().length() > config.maxMetadataBytes())
                {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
            }
            results.add(error == null ? Errors.NONE : error);
            if (error == null)
            {
                accepted.add(commit);
                records.add(new SimpleRecord(now, GroupRecords.offsetKey(groupId, commit.topic(), commit.partition()),
                    GroupRecords.offsetValue(new GroupRecords.OffsetValue(commit.offset(), commit.leaderEpoch(), commit.metadata(), now))));
            }
        }
        if (records.isEmpty())
        {
            respond.accept(results);
            return;
        }
        if (!append(groupId, records))
        {
            for (int i = 0; i < results.size(); i++)
            {
                if (results.get(i) == Errors.NONE)
                {
                    results.set(i, Errors.COORDINATOR_NOT_AVAILABLE);
                }
            }
            respond.accept(results);
            return;
        }
        groups.computeIfAbsent(groupId, ClassicGroup::new);
        final Map<String, Map<Integer, Committed>> groupOffsets = offsets.computeIfAbsent(groupId, g -> new HashMap<>());
        for (final CommitRequest commit : accepted)
        {
            groupOffsets.computeIfAbsent(commit.topic(), t -> new TreeMap<>())
                .put(commit.partition(), new Committed(commit.offset(), commit.leaderEpoch(), commit.metadata(), now));
        }
        shard.whenDurable(() -> respond.accept(results));
    }

    private Errors validateCommit(final String groupId, final int generation, final String memberId, final String instanceId)
    {
        final ConsumerGroup consumerGroup = consumerGroups.get(groupId);
        if (consumerGroup != null && !consumerGroup.members.isEmpty())
        {
            final ConsumerGroup.ConsumerMember member = consumerGroup.members.get(memberId);
            if (member == null)
            {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return generation != member.memberEpoch ? Errors.STALE_MEMBER_EPOCH : null;
        }
        final ClassicGroup group = groups.get(groupId);
        if (group == null || group.state == GroupState.EMPTY || group.state == GroupState.DEAD)
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
        group.members.get(memberId).sessionDeadlineMs = shard.clock().time() + group.members.get(memberId).sessionTimeoutMs;
        return null;
    }

    /** Committed offsets of a group: all of them ({@code topics} null) or those asked for (-1 where none). */
    public Map<String, Map<Integer, Committed>> fetchOffsets(final String groupId, final Map<String, List<Integer>> topics)
    {
        final Map<String, Map<Integer, Committed>> stored = offsets.getOrDefault(groupId, Map.of());
        if (topics == null)
        {
            return stored;
        }
        final Map<String, Map<Integer, Committed>> result = new TreeMap<>();
        topics.forEach((topic, partitions) ->
        {
            final Map<Integer, Committed> found = new TreeMap<>();
            final Map<Integer, Committed> forTopic = stored.getOrDefault(topic, Map.of());
            for (final int partition : partitions)
            {
                found.put(partition, forTopic.getOrDefault(partition, new Committed(-1, -1, "", -1)));
            }
            result.put(topic, found);
        });
        return result;
    }

    /** OffsetDelete: refused for topics the group is consuming. */
    public Errors deleteOffsets(final String groupId, final String topic, final List<Integer> partitions, final java.util.function.Predicate<byte[]> subscribedTo)
    {
        final ConsumerGroup consumerGroup = consumerGroups.get(groupId);
        if (consumerGroup != null)
        {
            for (final ConsumerGroup.ConsumerMember member : consumerGroup.members.values())
            {
                if (member.subscribedTopics.contains(topic))
                {
                    return Errors.GROUP_SUBSCRIBED_TO_TOPIC;
                }
            }
        }
        final ClassicGroup group = groups.get(groupId);
        if (group == null && consumerGroup == null && !offsets.containsKey(groupId))
        {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (group != null && !group.isEmpty())
        {
            for (final Member member : group.members.values())
            {
                if (subscribedTo.test(member.metadataFor(group.protocolName)))
                {
                    return Errors.GROUP_SUBSCRIBED_TO_TOPIC;
                }
            }
        }
        final Map<Integer, Committed> forTopic = offsets.getOrDefault(groupId, Map.of()).get(topic);
        if (forTopic == null)
        {
            return Errors.NONE;
        }
        final List<SimpleRecord> tombstones = new ArrayList<>();
        for (final int partition : partitions)
        {
            if (forTopic.remove(partition) != null)
            {
                tombstones.add(new SimpleRecord(shard.clock().time(), GroupRecords.offsetKey(groupId, topic, partition), null));
            }
        }
        if (!tombstones.isEmpty() && !append(groupId, tombstones))
        {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        return Errors.NONE;
    }

    /** DeleteGroups: only an empty group (or one that holds only offsets) can be deleted. */
    public Errors deleteGroup(final String groupId)
    {
        final ConsumerGroup consumerGroup = consumerGroups.get(groupId);
        if (consumerGroup != null && !consumerGroup.members.isEmpty())
        {
            return Errors.NON_EMPTY_GROUP;
        }
        final boolean hadConsumerGroup = consumerGroups.remove(groupId) != null;
        final ClassicGroup group = groups.get(groupId);
        if (group == null && !offsets.containsKey(groupId) && !hadConsumerGroup)
        {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (group != null && !group.isEmpty())
        {
            return Errors.NON_EMPTY_GROUP;
        }
        final List<SimpleRecord> tombstones = new ArrayList<>();
        final long now = shard.clock().time();
        offsets.getOrDefault(groupId, Map.of()).forEach((topic, partitions) -> partitions.keySet().forEach(partition ->
            tombstones.add(new SimpleRecord(now, GroupRecords.offsetKey(groupId, topic, partition), null))));
        tombstones.add(new SimpleRecord(now, GroupRecords.groupKey(groupId), null));
        if (!append(groupId, tombstones))
        {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        offsets.remove(groupId);
        if (group != null)
        {
            group.state = GroupState.DEAD;
            groups.remove(groupId);
        }
        return Errors.NONE;
    }

    public GroupView describe(final String groupId)
    {
        final ClassicGroup group = groups.get(groupId);
        if (group == null)
        {
            return offsets.containsKey(groupId) ? new GroupView(groupId, GroupState.EMPTY, "", "", List.of()) : null;
        }
        final List<MemberView> members = new ArrayList<>();
        for (final Member member : group.members.values())
        {
            members.add(new MemberView(member.memberId, member.instanceId, member.clientId, member.clientHost,
                group.state == GroupState.STABLE ? member.metadataFor(group.protocolName) : new byte[0],
                group.state == GroupState.STABLE ? member.assignment : new byte[0]));
        }
        return new GroupView(groupId, group.state, group.protocolType == null ? "" : group.protocolType,
            group.state == GroupState.STABLE ? group.protocolName : "", members);
    }

    public List<ListedGroup> list()
    {
        final List<ListedGroup> result = new ArrayList<>();
        for (final ClassicGroup group : groups.values())
        {
            if (!consumerGroups.containsKey(group.groupId) || !group.isEmpty())
            {
                result.add(new ListedGroup(group.groupId, "classic", group.protocolType == null ? "" : group.protocolType, group.state.wireName()));
            }
        }
        for (final ConsumerGroup group : consumerGroups.values())
        {
            if (!groups.containsKey(group.groupId) || groups.get(group.groupId).isEmpty())
            {
                result.add(new ListedGroup(group.groupId, "consumer", "consumer", group.state()));
            }
        }
        for (final String groupId : offsets.keySet())
        {
            if (!groups.containsKey(groupId) && !consumerGroups.containsKey(groupId))
            {
                result.add(new ListedGroup(groupId, "classic", "", GroupState.EMPTY.wireName()));
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- persistence

    private void persistGroup(final ClassicGroup group)
    {
        final List<GroupRecords.MemberValue> members = new ArrayList<>();
        for (final Member member : group.members.values())
        {
            members.add(new GroupRecords.MemberValue(member.memberId, member.instanceId, member.clientId, member.clientHost,
                member.sessionTimeoutMs, member.rebalanceTimeoutMs, member.metadataFor(group.protocolName), member.assignment));
        }
        final byte[] value = GroupRecords.groupValue(new GroupRecords.GroupValue(group.protocolType, group.generation,
            group.protocolName, group.leaderId, group.state == GroupState.STABLE ? members : List.of()));
        append(group.groupId, List.of(new SimpleRecord(shard.clock().time(), GroupRecords.groupKey(group.groupId), value)));
    }

    /** Appends records to the group's offsets partition, which this shard owns. */
    private boolean append(final String groupId, final List<SimpleRecord> records)
    {
        final PartitionLog log = offsetsLog(groupId);
        if (log == null)
        {
            LOG.warn("no {} log for group {} on shard {}", GroupConfig.OFFSETS_TOPIC, groupId, shard.id());
            return false;
        }
        final ByteBuffer bytes = MemoryRecords.withRecords(Compression.NONE, records.toArray(new SimpleRecord[0])).buffer();
        final RecordBatch batch = batchFlyweight.wrap(new UnsafeBuffer(bytes), 0);
        shard.append(log, batch, bytes);
        return true;
    }

    private PartitionLog offsetsLog(final String groupId)
    {
        final Topic topic = logManager.registry().snapshot().topic(GroupConfig.OFFSETS_TOPIC);
        final Partition partition = topic == null ? null : topic.partition(config.partitionFor(groupId));
        return partition == null || partition.shard() != shard.id() ? null : partition.log();
    }

    /** Rebuilds groups and offsets from an offsets partition this shard owns (start-up, before the shard runs). */
    public void load(final PartitionLog log)
    {
        final FileRegion region = new FileRegion();
        long offset = log.logStartOffset();
        final long now = shard.clock().time();
        while (offset < log.highWatermark())
        {
            log.read(offset, 4 * 1024 * 1024, region);
            if (region.length() == 0)
            {
                break;
            }
            final ByteBuffer bytes = ByteBuffer.allocate(region.length());
            try
            {
                while (bytes.hasRemaining())
                {
                    if (region.channel().read(bytes, region.position() + bytes.position()) < 0)
                    {
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read " + log.name(), ex);
            }
            bytes.flip();
            long next = offset;
            for (final MutableRecordBatch batch : MemoryRecords.readableRecords(bytes).batches())
            {
                for (final Record record : batch)
                {
                    apply(record, now);
                }
                next = batch.nextOffset();
            }
            if (next == offset)
            {
                break;
            }
            offset = next;
        }
    }

    private void apply(final Record record, final long now)
    {
        if (!record.hasKey())
        {
            return;
        }
        final ByteBuffer key = record.key();
        if (GroupRecords.keyType(key) == GroupRecords.OFFSET_KEY)
        {
            final GroupRecords.OffsetKey k = GroupRecords.readOffsetKey(key);
            if (record.hasValue())
            {
                final GroupRecords.OffsetValue v = GroupRecords.readOffsetValue(record.value());
                offsets.computeIfAbsent(k.group(), g -> new HashMap<>()).computeIfAbsent(k.topic(), t -> new TreeMap<>())
                    .put(k.partition(), new Committed(v.offset(), v.leaderEpoch(), v.metadata(), v.commitTimestamp()));
            }
            else
            {
                final Map<String, Map<Integer, Committed>> groupOffsets = offsets.get(k.group());
                if (groupOffsets != null && groupOffsets.containsKey(k.topic()))
                {
                    groupOffsets.get(k.topic()).remove(k.partition());
                    if (groupOffsets.get(k.topic()).isEmpty())
                    {
                        groupOffsets.remove(k.topic());
                    }
                }
            }
        }
        else if (GroupRecords.keyType(key) == GroupRecords.GROUP_KEY)
        {
            final String groupId = GroupRecords.readGroupKey(key);
            if (!record.hasValue())
            {
                groups.remove(groupId);
                offsets.remove(groupId);
                return;
            }
            final GroupRecords.GroupValue v = GroupRecords.readGroupValue(record.value());
            final ClassicGroup group = new ClassicGroup(groupId);
            group.generation = v.generation();
            group.protocolType = v.protocolType();
            group.protocolName = v.protocolName();
            group.leaderId = v.leader();
            for (final GroupRecords.MemberValue m : v.members())
            {
                final Member member = new Member(m.memberId(), m.instanceId());
                member.clientId = m.clientId();
                member.clientHost = m.clientHost();
                member.sessionTimeoutMs = m.sessionTimeoutMs();
                member.rebalanceTimeoutMs = m.rebalanceTimeoutMs();
                member.protocols = List.of(new Member.Protocol(v.protocolName(), m.subscription()));
                member.assignment = m.assignment() == null ? new byte[0] : m.assignment();
                // Members get a full session to find the restarted coordinator before they expire.
                member.sessionDeadlineMs = now + member.sessionTimeoutMs;
                group.members.put(member.memberId, member);
                if (member.instanceId != null)
                {
                    group.staticMembers.put(member.instanceId, member.memberId);
                }
            }
            group.state = group.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
            groups.put(groupId, group);
        }
    }

    // ---------------------------------------------------------------- timers

    @Override
    public int doWork(final long nowMs)
    {
        if (nowMs < nextExpiryCheckMs)
        {
            return 0;
        }
        nextExpiryCheckMs = nowMs + EXPIRY_CHECK_INTERVAL_MS;
        int work = 0;
        for (final ClassicGroup group : groups.values())
        {
            final int generation = group.generation;
            final GroupState state = group.state;
            if (group.expire(nowMs))
            {
                work++;
            }
            if (group.generation != generation || group.state != state)
            {
                if (group.state == GroupState.EMPTY || group.state == GroupState.STABLE)
                {
                    persistGroup(group);
                }
            }
        }
        final var topics = logManager.registry().snapshot();
        for (final ConsumerGroup group : consumerGroups.values())
        {
            if (group.expire(nowMs, topics))
            {
                work++;
            }
        }
        if (nowMs >= nextRetentionCheckMs)
        {
            nextRetentionCheckMs = nowMs + config.offsetsRetentionCheckMs();
            work += expireOffsets(nowMs);
        }
        return work;
    }

    /** offsets.retention.minutes: offsets of groups with no members expire after the retention period. */
    private int expireOffsets(final long nowMs)
    {
        int expired = 0;
        for (final Iterator<Map.Entry<String, Map<String, Map<Integer, Committed>>>> groupIt = offsets.entrySet().iterator(); groupIt.hasNext(); )
        {
            final Map.Entry<String, Map<String, Map<Integer, Committed>>> entry = groupIt.next();
            final ClassicGroup group = groups.get(entry.getKey());
            final ConsumerGroup consumerGroup = consumerGroups.get(entry.getKey());
            if ((group != null && !group.isEmpty()) || (consumerGroup != null && !consumerGroup.members.isEmpty()))
            {
                continue;
            }
            final List<SimpleRecord> tombstones = new ArrayList<>();
            entry.getValue().forEach((topic, partitions) -> partitions.entrySet().removeIf(p ->
            {
                if (nowMs - p.getValue().commitTimestamp() >= config.offsetsRetentionMs())
                {
                    tombstones.add(new SimpleRecord(nowMs, GroupRecords.offsetKey(entry.getKey(), topic, p.getKey()), null));
                    return true;
                }
                return false;
            }));
            entry.getValue().values().removeIf(Map::isEmpty);
            if (!tombstones.isEmpty())
            {
                append(entry.getKey(), tombstones);
                expired += tombstones.size();
            }
            if (entry.getValue().isEmpty())
            {
                groupIt.remove();
            }
        }
        return expired;
    }
}
