package io.runnel.cluster.member;

import java.nio.file.Path;

/**
 * What a cluster member needs to know, from the KRaft keys (the broker assembly maps them):
 *
 * @param nodeId               node.id
 * @param rack                 broker.rack, or null
 * @param controller           process.roles holds controller: this node is a voter of the quorum
 * @param voters               controller.quorum.voters
 * @param portOffset           runnel.quorum.port.offset
 * @param quorumDir            the quorum's folder (archive, cluster state)
 * @param aeronDir             the media driver's folder
 * @param listenerName         the broker listener clients are given
 * @param host                 the address other nodes reach this one at (its advertised host): the voters send the
 *                             replies of this member's quorum session there
 * @param heartbeatIntervalMs  broker.heartbeat.interval.ms
 * @param sessionTimeoutMs     broker.session.timeout.ms: a broker silent this long is fenced
 * @param electionTimeoutMs    controller.quorum.election.timeout.ms
 * @param fetchTimeoutMs       controller.quorum.fetch.timeout.ms: a voter that hears nothing from the leader this long starts an election
 * @param snapshotEveryCommands runnel.quorum.snapshot.interval.commands
 * @param requestTimeoutMs     how long a forwarded change waits for the quorum's answer
 * @param leaderBalance        auto.leader.rebalance.enable and its check interval and imbalance ratio (a controller's)
 * @param uncleanLeaderElection unclean.leader.election.enable: the cluster's default (a controller's), a topic's override wins
 */
public record MemberSettings(
    int nodeId,
    String rack,
    boolean controller,
    String voters,
    int portOffset,
    Path quorumDir,
    String aeronDir,
    String listenerName,
    String host,
    long heartbeatIntervalMs,
    long sessionTimeoutMs,
    long electionTimeoutMs,
    long fetchTimeoutMs,
    int snapshotEveryCommands,
    long requestTimeoutMs,
    io.runnel.cluster.metadata.LeaderBalance leaderBalance,
    boolean uncleanLeaderElection)
{
    /** The shortest election timeout given to Aeron, whatever the KRaft key says: below it a busy node could miss a ballot. */
    static final long MIN_AERON_ELECTION_TIMEOUT_MS = 50;

    /**
     * Aeron's election timeout for KRaft's {@code controller.quorum.election.timeout.ms}: a fifth of it.
     * The two keys do different work. A KRaft candidate leads as soon as a majority has voted, and its
     * election timeout only says when to try again. An Aeron candidate waits its whole election timeout
     * for the last member's vote before it takes a majority (and waits up to half of it before it
     * nominates itself), so with one voter dead every election lasts that long. Given the KRaft key's
     * 1 s, a controller election took the 2 s fetch timeout plus 1.0-1.5 s; given 200 ms it takes
     * the fetch timeout plus 0.2-0.3 s, which is near KRaft's.
     */
    public long aeronElectionTimeoutMs()
    {
        return Math.max(MIN_AERON_ELECTION_TIMEOUT_MS, electionTimeoutMs / 5);
    }
}
