package io.runnel.broker.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the metadata quorum of a cluster needs from the configuration: the voters (or, for a
 * broker-only node, the bootstrap servers), KRaft's timeouts, and what Aeron Cluster needs beyond
 * KRaft's keys (the {@code runnel.quorum.*} keys), with their defaults resolved.
 *
 * @param voters                   controller.quorum.voters, in configured order; empty on a single node
 * @param bootstrapServers         controller.quorum.bootstrap.servers (unresolved addresses)
 * @param electionTimeoutMs        controller.quorum.election.timeout.ms
 * @param fetchTimeoutMs           controller.quorum.fetch.timeout.ms: a follower that hears nothing from the leader this long elects
 * @param portOffset               runnel.quorum.port.offset: a voter's Aeron UDP ports start at its port plus this
 * @param metadataLogDir           metadata.log.dir, else the first log directory
 * @param dir                      runnel.quorum.dir, else metadataLogDir/__quorum
 * @param aeronDir                 runnel.quorum.aeron.dir, else a folder of this node under /dev/shm (under dir without /dev/shm)
 * @param snapshotIntervalCommands runnel.quorum.snapshot.interval.commands
 */
public record QuorumSettings(
    List<QuorumVoter> voters,
    List<InetSocketAddress> bootstrapServers,
    int electionTimeoutMs,
    int fetchTimeoutMs,
    int portOffset,
    Path metadataLogDir,
    Path dir,
    Path aeronDir,
    int snapshotIntervalCommands)
{
    /** UDP ports of one voter, from its first: ingress, consensus, log, catch-up, archive control. */
    public static final int AERON_PORTS_PER_VOTER = 5;
    /** The folder in the metadata log directory that holds the quorum's files by default. */
    public static final String DEFAULT_DIR_NAME = "__quorum";

    public QuorumSettings
    {
        voters = List.copyOf(voters);
        bootstrapServers = List.copyOf(bootstrapServers);
    }

    /** The voter with node id {@code nodeId}, if it is one. */
    public Optional<QuorumVoter> voter(final int nodeId)
    {
        return voters.stream().filter(voter -> voter.id() == nodeId).findFirst();
    }

    /** The first of the {@link #AERON_PORTS_PER_VOTER} UDP ports of {@code voter}. */
    public int firstAeronPort(final QuorumVoter voter)
    {
        return voter.port() + portOffset;
    }

    /** controller.quorum.voters as the quorum parses it. */
    public String votersString()
    {
        return QuorumVoter.format(voters);
    }
}
