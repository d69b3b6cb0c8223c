package io.runnel.cluster.metadata;

import io.runnel.cluster.metadata.MetadataCommand.AllocateProducerIds;
import io.runnel.cluster.metadata.MetadataCommand.AlterTopicConfigs;
import io.runnel.cluster.metadata.MetadataCommand.BrokerHeartbeat;
import io.runnel.cluster.metadata.MetadataCommand.CreatePartitions;
import io.runnel.cluster.metadata.MetadataCommand.CreateTopics;
import io.runnel.cluster.metadata.MetadataCommand.DeleteTopics;
import io.runnel.cluster.metadata.MetadataCommand.RegisterBroker;
import io.runnel.cluster.metadata.MetadataCommand.SubscribeImage;
import io.runnel.cluster.quorum.ReplicatedStateMachine;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's metadata as a replicated state machine: cluster id, brokers and their sessions,
 * topics with ids, configs and partition assignments, and the producer-id allocator.
 *
 * <p>A command is decoded ({@link MetadataCommands}), checked against the current
 * {@link MetadataImage}, and turned into records ({@link MetadataChange}); the records are applied
 * to the machine's own {@link MetadataImageBuilder} (the only way its state changes, and the same
 * code a broker's image goes through) and broadcast to every session, closed by a DeltaEnd; then
 * the reply goes to the sender. A {@link SubscribeImage} gets the whole image as records. A
 * snapshot is the image's records too ({@link ImageSnapshot}).
 *
 * <p>Determinism: state and outputs depend only on the calls. Times are the cluster's; new topic
 * ids come in the commands; every iteration that writes something goes in a fixed order (brokers
 * by node id, topics by name, partitions by index); broker sessions expire by replicated timers
 * ({@code SESSION_TIMER_BASE + nodeId}).
 *
 * <p>Hostile input never escapes {@link #onCommand}: a command that cannot be decoded or is too
 * large gets a CommandResult with Kafka's error code, or, if not even its correlation id can be
 * read, is dropped with one log line.
 */
public final class MetadataStateMachine implements ReplicatedStateMachine
{
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    /** The preferred-leader balance's timer: apart from the session timers ({@code SESSION_TIMER_BASE + nodeId}). */
    static final long LEADER_BALANCE_TIMER = 1L << 40;

    private final int maxMessageLength;
    private final BrokerLifecycle brokers;
    private final LeaderBalance leaderBalance;
    private final TopicCommands topics = new TopicCommands();
    private final MetadataCommands commands = new MetadataCommands();
    private final MetadataReplies replies = new MetadataReplies();
    private final MetadataRecordEncoder recordEncoder = new MetadataRecordEncoder();
    private final MetadataChange change = new MetadataChange();
    private final ImageSnapshot snapshots = new ImageSnapshot();
    private final ExpandableArrayBuffer replyBuffer = new ExpandableArrayBuffer(4096);
    private MetadataImageBuilder state = new MetadataImageBuilder(MetadataImage.EMPTY);
    /** Cluster time the newest leadership term began: sessions get a whole timeout from there (in snapshots too). */
    private long leadershipTermStartMs = ImageSnapshot.NO_TERM_START;

    /**
     * @param sessionTimeoutMs a broker without a heartbeat for this long is fenced (broker.session.timeout.ms).
     * @param maxMessageLength the quorum host's message cap: longer commands are refused, no reply is longer.
     */
    public MetadataStateMachine(final long sessionTimeoutMs, final int maxMessageLength)
    {
        this(sessionTimeoutMs, maxMessageLength, LeaderBalance.DISABLED, false);
    }

    /**
     * As {@link #MetadataStateMachine(long, int)}, moving leaders back to preferred replicas as
     * {@code leaderBalance} says, and electing out-of-sync replicas where no in-sync one can lead if
     * {@code uncleanElectionDefault} (unclean.leader.election.enable; a topic's override wins).
     */
    public MetadataStateMachine(final long sessionTimeoutMs, final int maxMessageLength, final LeaderBalance leaderBalance,
        final boolean uncleanElectionDefault)
    {
        if (sessionTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("session timeout " + sessionTimeoutMs + " ms");
        }
        if (maxMessageLength < MetadataLimits.MIN_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("max message length " + maxMessageLength + " < " + MetadataLimits.MIN_MESSAGE_LENGTH);
        }
        this.brokers = new BrokerLifecycle(sessionTimeoutMs, new UncleanElection(uncleanElectionDefault));
        this.maxMessageLength = maxMessageLength;
        this.leaderBalance = leaderBalance;
    }

    /** The current state. */
    public MetadataImage image()
    {
        return state.image();
    }

    @Override
    public void onSessionOpen(final long sessionId, final long clusterTimeMs, final QuorumOutput out)
    {
        // Nothing to keep per session: changes are broadcast to all, brokers are known by their registrations.
    }

    @Override
    public void onCommand(
        final long sessionId, final DirectBuffer buffer, final int offset, final int length, final long clusterTimeMs, final QuorumOutput out)
    {
        final long correlationId = MetadataCommands.peekCorrelationId(buffer, offset, length);
        if (length > maxMessageLength)
        {
            refuse(sessionId, new MalformedCommandException(correlationId, Errors.MESSAGE_TOO_LARGE,
                "a command of " + length + " bytes; the quorum takes at most " + maxMessageLength), out);
            return;
        }
        final MetadataCommand command;
        try
        {
            command = commands.decode(buffer, offset, length);
        }
        catch (final MalformedCommandException ex)
        {
            refuse(sessionId, ex, out);
            return;
        }
        catch (final RuntimeException ex)
        {
            refuse(sessionId, new MalformedCommandException(correlationId, Errors.INVALID_REQUEST, "undecodable command: " + ex), out);
            return;
        }
        try
        {
            execute(sessionId, command, clusterTimeMs, out);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("metadata command {} (correlation id {}) from session {} failed", command.getClass().getSimpleName(),
                correlationId, sessionId, ex);
            reply(sessionId, BrokerLifecycle.error(correlationId, Errors.UNKNOWN_SERVER_ERROR, String.valueOf(ex.getMessage())), out);
        }
    }

    @Override
    public void onSessionClose(final long sessionId, final long clusterTimeMs, final QuorumOutput out)
    {
        // A broker's session with the quorum is not its registration: it may reconnect; the heartbeat timer decides.
    }

    @Override
    public void onNewLeadershipTerm(final long leadershipTermId, final long clusterTimeMs, final QuorumOutput out)
    {
        leadershipTermStartMs = clusterTimeMs;
        if (leaderBalance.enabled())
        {
            // Every replica sees the event at the same point, so every one schedules the same timer.
            out.scheduleTimer(LEADER_BALANCE_TIMER, clusterTimeMs + leaderBalance.checkIntervalMs());
        }
    }

    @Override
    public void onTimer(final long correlationId, final long clusterTimeMs, final QuorumOutput out)
    {
        if (correlationId == LEADER_BALANCE_TIMER)
        {
            change.begin(image().version());
            final int moved = leaderBalance.rebalance(image(), change);
            change.commit(state, out);
            if (moved > 0)
            {
                LOG.info("leader balance: {} partitions led by their preferred replica again", moved);
            }
            out.scheduleTimer(LEADER_BALANCE_TIMER, clusterTimeMs + leaderBalance.checkIntervalMs());
            return;
        }
        if (!BrokerLifecycle.isSessionTimer(correlationId))
        {
            LOG.warn("metadata state machine ignores timer {}: not one of its own", correlationId);
            return;
        }
        // While the quorum elects a leader no heartbeat can be committed, yet session timers run on:
        // a timer that expires within one session timeout of a new term is moved to its end, as KRaft
        // gives every broker a fresh session on a controller failover. (A timer the old leader set can
        // fire before the new one has applied anything, so the check is here, not a reschedule at the event.)
        final long graceEndMs = leadershipTermStartMs + brokers.sessionTimeoutMs();
        if (leadershipTermStartMs != ImageSnapshot.NO_TERM_START && clusterTimeMs < graceEndMs)
        {
            out.scheduleTimer(correlationId, graceEndMs);
            return;
        }
        change.begin(image().version());
        brokers.onSessionTimeout(image(), (int)(correlationId - BrokerLifecycle.SESSION_TIMER_BASE), change);
        change.commit(state, out);
    }

    @Override
    public void writeSnapshot(final SnapshotWriter snapshot)
    {
        snapshots.write(image(), leadershipTermStartMs, snapshot);
    }

    @Override
    public void loadSnapshot(final SnapshotReader snapshot)
    {
        final ImageSnapshot.Loaded loaded = snapshots.read(snapshot);
        state = new MetadataImageBuilder(loaded.image());
        leadershipTermStartMs = loaded.leadershipTermStartMs();
    }

    private void execute(final long sessionId, final MetadataCommand command, final long nowMs, final QuorumOutput out)
    {
        if (command instanceof SubscribeImage subscribe)
        {
            recordEncoder.writeImage(image(), subscribe.correlationId(), replyBuffer,
                (buffer, offset, length) -> out.reply(sessionId, buffer, offset, length));
            return;
        }
        final MetadataImage current = image();
        change.begin(current.version());
        final MetadataReply reply;
        if (command instanceof RegisterBroker register)
        {
            reply = brokers.register(current, register, nowMs, change, out);
        }
        else if (command instanceof BrokerHeartbeat heartbeat)
        {
            reply = brokers.heartbeat(current, heartbeat, nowMs, change, out);
        }
        else if (command instanceof AllocateProducerIds allocate)
        {
            reply = brokers.allocateProducerIds(current, allocate, change);
        }
        else if (command instanceof MetadataCommand.AlterPartition alter)
        {
            reply = brokers.alterPartition(current, alter, change);
        }
        else if (command instanceof MetadataCommand.ElectLeader elect)
        {
            reply = LeaderElection.elect(current, elect, change);
        }
        else if (command instanceof MetadataCommand.AlterPartitionReassignment reassign)
        {
            reply = PartitionReassignment.alter(current, reassign, change);
        }
        else if (command instanceof CreateTopics create)
        {
            reply = topics.createTopics(current, create, change);
        }
        else if (command instanceof DeleteTopics delete)
        {
            reply = topics.deleteTopics(current, delete, change);
        }
        else if (command instanceof CreatePartitions create)
        {
            reply = topics.createPartitions(current, create, change);
        }
        else
        {
            reply = topics.alterConfigs(current, (AlterTopicConfigs)command, change);
        }
        change.commit(state, out);
        reply(sessionId, reply, out);
    }

    private void refuse(final long sessionId, final MalformedCommandException problem, final QuorumOutput out)
    {
        if (problem.answerable())
        {
            reply(sessionId, BrokerLifecycle.error(problem.correlationId(), problem.error(), problem.getMessage()), out);
        }
        else
        {
            LOG.warn("metadata command from session {} dropped: {}", sessionId, problem.getMessage());
        }
    }

    /** A reply longer than the host takes loses its per-topic messages: what is left is no longer than the command. */
    private void reply(final long sessionId, final MetadataReply reply, final QuorumOutput out)
    {
        int length = replies.encode(reply, replyBuffer, 0, true);
        if (length > maxMessageLength)
        {
            length = replies.encode(reply, replyBuffer, 0, false);
        }
        if (length > maxMessageLength)
        {
            length = replies.encode(BrokerLifecycle.error(reply.correlationId(), Errors.MESSAGE_TOO_LARGE, "the reply is too large"),
                replyBuffer, 0, true);
        }
        out.reply(sessionId, replyBuffer, 0, length);
    }
}
