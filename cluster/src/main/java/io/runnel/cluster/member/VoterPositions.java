package io.runnel.cluster.member;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.ClusterMembership;
import io.aeron.cluster.ClusterTool;
import io.aeron.cluster.service.Cluster;
import io.runnel.cluster.quorum.ControllerNode;
import io.runnel.kernel.metadata.QuorumStatus;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far every voter's log has come, as the leader's consensus module knows it (each follower
 * reports its append position to the leader): what DescribeQuorum's voters show on the leader.
 * While this node's voter leads, its consensus module is asked every {@link #POLL_INTERVAL_MS} (as
 * {@code ClusterTool list-members} asks it, through its mark file) on a thread of its own, since a
 * query opens an Aeron client and takes some milliseconds; a follower's module knows nothing of the
 * others, so it is not asked.
 */
final class VoterPositions implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(VoterPositions.class);
    static final long POLL_INTERVAL_MS = 2_000;
    private static final long QUERY_TIMEOUT_MS = 1_000;
    /** Positions older than this are not reported: the leader that took them may have lost its leadership since. */
    private static final long STALE_AFTER_MS = 3 * POLL_INTERVAL_MS;
    private static final long IDLE_SLEEP_MS = 100;

    /** The voters' positions at one moment, by node id. */
    private record Taken(long atMs, Map<Integer, QuorumStatus.Replica> replicas)
    {
    }

    private final ControllerNode controller;
    private final AgentRunner runner;
    private volatile Taken taken = new Taken(0, Map.of());

    VoterPositions(final ControllerNode controller)
    {
        this.controller = controller;
        this.runner = new AgentRunner(new SleepingMillisIdleStrategy(IDLE_SLEEP_MS),
            ex -> LOG.warn("quorum member {}: reading the voters' positions: {}", controller.memberId(), ex.toString()),
            null, new Poller());
        AgentRunner.startOnThread(runner);
    }

    /** Voter {@code nodeId}'s position as the leader saw it lately, or null if this node has no fresh one. */
    QuorumStatus.Replica replica(final int nodeId, final long nowMs)
    {
        final Taken current = taken;
        return nowMs - current.atMs() > STALE_AFTER_MS ? null : current.replicas().get(nodeId);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(runner);
    }

    private final class Poller implements Agent
    {
        private long nextPollMs;
        /** When each voter was last seen at the leader's own position (KRaft's last caught-up time). */
        private final Map<Integer, Long> lastCaughtUpMs = new HashMap<>();

        @Override
        public int doWork()
        {
            final long nowMs = System.currentTimeMillis();
            if (nowMs < nextPollMs)
            {
                return 0;
            }
            nextPollMs = nowMs + POLL_INTERVAL_MS;
            if (controller.role() != Cluster.Role.LEADER)
            {
                lastCaughtUpMs.clear();
                return 0;
            }
            final ClusterMembership membership = new ClusterMembership();
            if (!ClusterTool.listMembers(membership, controller.config().clusterDir(), QUERY_TIMEOUT_MS) || membership.activeMembers == null)
            {
                return 1;
            }
            long leaderPosition = -1;
            for (final ClusterMember member : membership.activeMembers)
            {
                if (member.id() == membership.leaderMemberId)
                {
                    leaderPosition = member.logPosition();
                }
            }
            final Map<Integer, QuorumStatus.Replica> replicas = new HashMap<>();
            for (final ClusterMember member : membership.activeMembers)
            {
                // The consensus module's clock is cluster time in ms, kept as ns: epoch time either way.
                final long appendMs = member.timeOfLastAppendPositionNs() < 0 ? QuorumStatus.UNKNOWN
                    : TimeUnit.NANOSECONDS.toMillis(member.timeOfLastAppendPositionNs());
                if (leaderPosition >= 0 && member.logPosition() >= leaderPosition && appendMs >= 0)
                {
                    lastCaughtUpMs.put(member.id(), appendMs);
                }
                final boolean leader = member.id() == membership.leaderMemberId;
                // A leader fetches from nobody, and is caught up now (as Kafka reports its leader).
                replicas.put(member.id(), new QuorumStatus.Replica(member.id(), member.logPosition(),
                    leader ? QuorumStatus.UNKNOWN : appendMs, leader ? nowMs : lastCaughtUpMs.getOrDefault(member.id(), QuorumStatus.UNKNOWN)));
            }
            taken = new Taken(nowMs, Map.copyOf(replicas));
            return 1;
        }

        @Override
        public String roleName()
        {
            return "quorum-positions-" + controller.memberId();
        }
    }
}
