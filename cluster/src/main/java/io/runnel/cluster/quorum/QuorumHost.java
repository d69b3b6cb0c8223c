package io.runnel.cluster.quorum;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clustered service that hosts a {@link ReplicatedStateMachine}: Aeron Cluster's sessions,
 * committed messages, timers and snapshots become the machine's calls, in log order, on the
 * service thread. Cluster time reaches the machine in milliseconds.
 *
 * <p>Snapshots keep the log that a restart replays short: after {@code snapshotEveryCommands}
 * commands, or {@code snapshotIntervalNs} after the last snapshot if commands arrived since, the
 * leader sets its consensus module's control toggle to SNAPSHOT (what {@code ClusterTool snapshot}
 * does): the consensus module appends a snapshot action to the log, and every member snapshots at
 * that same position.
 *
 * <p>What it saw of the cluster (role, leader, leadership term) is readable from other threads.
 */
public final class QuorumHost implements ClusteredService
{
    /** The leader is not known (an election is running, or none was seen yet). */
    public static final int NO_LEADER = -1;

    private static final Logger LOG = LoggerFactory.getLogger(QuorumHost.class);

    private final Supplier<? extends ReplicatedStateMachine> machines;
    private final int memberId;
    private final int snapshotEveryCommands;
    private final long snapshotIntervalNs;
    private final SessionOutput output;
    private ReplicatedStateMachine machine;
    private Cluster cluster;
    private AtomicCounter controlToggle;
    private long commandsSinceSnapshot;
    private long lastSnapshotNs;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile int leaderMemberId = NO_LEADER;
    private volatile long leadershipTermId = -1;
    private volatile long snapshotsTaken;
    private volatile boolean loadedSnapshot;

    public QuorumHost(final Supplier<? extends ReplicatedStateMachine> machines, final QuorumNodeConfig config)
    {
        this.machines = machines;
        this.memberId = config.memberId();
        this.snapshotEveryCommands = config.snapshotEveryCommands();
        this.snapshotIntervalNs = config.snapshotIntervalNs();
        this.output = new SessionOutput(config.egressRetries());
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        output.cluster(cluster);
        machine = machines.get();
        lastSnapshotNs = System.nanoTime();
        if (null != snapshotImage)
        {
            machine.loadSnapshot(new SnapshotStream.Reader(snapshotImage, cluster.idleStrategy()));
            loadedSnapshot = true;
            LOG.info("quorum member {}: state loaded from its newest snapshot", memberId);
        }
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        machine.onSessionOpen(session.id(), millis(timestamp), output);
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        output.onSessionClosed(session.id());
        machine.onSessionClose(session.id(), millis(timestamp), output);
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (null == session)
        {
            return; // a message the service itself sent: this host sends none
        }
        machine.onCommand(session.id(), buffer, offset, length, millis(timestamp), output);
        if (++commandsSinceSnapshot >= snapshotEveryCommands)
        {
            requestSnapshot();
        }
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        machine.onTimer(correlationId, millis(timestamp), output);
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final SnapshotStream.Writer writer = new SnapshotStream.Writer(snapshotPublication, cluster.idleStrategy());
        writer.begin();
        machine.writeSnapshot(writer);
        writer.end();
        commandsSinceSnapshot = 0;
        lastSnapshotNs = System.nanoTime();
        snapshotsTaken++;
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        if (Cluster.Role.CANDIDATE == newRole)
        {
            leaderMemberId = NO_LEADER;
        }
    }

    @Override
    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        this.leadershipTermId = leadershipTermId;
        this.leaderMemberId = leaderMemberId;
        machine.onNewLeadershipTerm(leadershipTermId, timeUnit.toMillis(timestamp), output);
    }

    @Override
    public int doBackgroundWork(final long nowNs)
    {
        if (snapshotIntervalNs > 0 && commandsSinceSnapshot > 0 && nowNs - lastSnapshotNs >= snapshotIntervalNs)
        {
            return requestSnapshot() ? 1 : 0;
        }
        return 0;
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        LOG.info("quorum member {}: service terminating", memberId);
    }

    /** The member's role as the service last heard it. */
    public Cluster.Role role()
    {
        return role;
    }

    /** The leader of the newest leadership term the service applied, or {@link #NO_LEADER}. */
    public int leaderMemberId()
    {
        return leaderMemberId;
    }

    /** The newest leadership term the service applied (Kafka's leader epoch), -1 before any. */
    public long leadershipTermId()
    {
        return leadershipTermId;
    }

    /** Snapshots this service wrote since it started. */
    public long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    /** Whether this service started from a snapshot rather than from an empty machine. */
    public boolean loadedSnapshot()
    {
        return loadedSnapshot;
    }

    private boolean requestSnapshot()
    {
        if (Cluster.Role.LEADER != role)
        {
            return false;
        }
        if (null == controlToggle)
        {
            controlToggle = ClusterControl.findControlToggle(cluster.aeron().countersReader(), cluster.context().clusterId());
            if (null == controlToggle)
            {
                return false;
            }
        }
        // Fails while a snapshot (or another action) is under way: the next command or tick tries again.
        final boolean toggled = ClusterControl.ToggleState.SNAPSHOT.toggle(controlToggle);
        if (toggled)
        {
            LOG.info("quorum member {}: snapshot requested after {} commands", memberId, commandsSinceSnapshot);
        }
        return toggled;
    }

    private long millis(final long timestamp)
    {
        return cluster.timeUnit().toMillis(timestamp);
    }
}
