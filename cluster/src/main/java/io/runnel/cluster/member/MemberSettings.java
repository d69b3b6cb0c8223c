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
 * @param heartbeatIntervalMs  broker.heartbeat.interval.ms
 * @param sessionTimeoutMs     broker.session.timeout.ms: a broker silent this long is fenced
 * @param electionTimeoutMs    controller.quorum.election.timeout.ms
 * @param fetchTimeoutMs       controller.quorum.fetch.timeout.ms: a voter that hears nothing from the leader this long starts an election
 * @param snapshotEveryCommands runnel.quorum.snapshot.interval.commands
 * @param requestTimeoutMs     how long a forwarded change waits for the quorum's answer
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
    long heartbeatIntervalMs,
    long sessionTimeoutMs,
    long electionTimeoutMs,
    long fetchTimeoutMs,
    int snapshotEveryCommands,
    long requestTimeoutMs)
{
}
