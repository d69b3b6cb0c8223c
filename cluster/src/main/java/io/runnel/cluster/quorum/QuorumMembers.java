package io.runnel.cluster.quorum;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The members of the metadata quorum as Aeron Cluster names them, derived from KRaft's
 * {@code controller.quorum.voters} ({@code 1@127.0.0.1:9093,2@127.0.0.1:9103,...}).
 *
 * <p>Each voter's Aeron endpoints are UDP ports derived from its controller port P (TCP P is the
 * controller's Kafka listener; UDP and TCP ports are separate namespaces, so UDP P is free):
 * ingress P, consensus P+1, log P+2, catch-up P+3, archive control P+4, all shifted by
 * {@code runnel.quorum.port.offset}. A voter's KRaft node id is its Aeron member id.
 */
public final class QuorumMembers
{
    /** The offsets from a voter's controller port of its Aeron endpoints (UDP). */
    public static final int INGRESS_PORT_OFFSET = 0;
    public static final int CONSENSUS_PORT_OFFSET = 1;
    public static final int LOG_PORT_OFFSET = 2;
    public static final int CATCHUP_PORT_OFFSET = 3;
    public static final int ARCHIVE_CONTROL_PORT_OFFSET = 4;
    /** How many consecutive UDP ports from P (plus the offset) a voter uses. */
    public static final int PORTS_PER_VOTER = 5;

    private static final int MAX_PORT = 65535;

    /**
     * One voter: its node id, the host of its controller listener and the UDP base port of its
     * Aeron endpoints (the controller port plus the port offset).
     */
    public record Voter(int id, String host, int basePort)
    {
        public String ingressEndpoint()
        {
            return endpoint(INGRESS_PORT_OFFSET);
        }

        public String consensusEndpoint()
        {
            return endpoint(CONSENSUS_PORT_OFFSET);
        }

        public String logEndpoint()
        {
            return endpoint(LOG_PORT_OFFSET);
        }

        public String catchupEndpoint()
        {
            return endpoint(CATCHUP_PORT_OFFSET);
        }

        public String archiveControlEndpoint()
        {
            return endpoint(ARCHIVE_CONTROL_PORT_OFFSET);
        }

        /** {@code host:0}: an ephemeral port on this voter's host, for channels nobody dials. */
        public String ephemeralEndpoint()
        {
            return host + ":0";
        }

        private String endpoint(final int portOffset)
        {
            return host + ":" + (basePort + portOffset);
        }
    }

    private final List<Voter> voters;
    private final Voter self;

    private QuorumMembers(final List<Voter> voters, final Voter self)
    {
        this.voters = List.copyOf(voters);
        this.self = self;
    }

    /**
     * Parses KRaft's voter list for node {@code nodeId}.
     *
     * @throws IllegalArgumentException a malformed list, a duplicate id, {@code nodeId} not among
     *                                  the voters, or a derived port out of range
     */
    public static QuorumMembers forNode(final String controllerQuorumVoters, final int nodeId, final int portOffset)
    {
        final QuorumMembers members = forClient(controllerQuorumVoters, portOffset);
        for (final Voter voter : members.voters)
        {
            if (voter.id() == nodeId)
            {
                return new QuorumMembers(members.voters, voter);
            }
        }
        throw new IllegalArgumentException("node.id " + nodeId + " is not in controller.quorum.voters '" +
            controllerQuorumVoters + "' (its ids: " + members.ids() + ")");
    }

    /** Parses KRaft's voter list for a client of the quorum (a broker that is not a voter). */
    public static QuorumMembers forClient(final String controllerQuorumVoters, final int portOffset)
    {
        if (null == controllerQuorumVoters || controllerQuorumVoters.isBlank())
        {
            throw new IllegalArgumentException("controller.quorum.voters is empty: expected id@host:port,...");
        }
        final List<Voter> voters = new ArrayList<>();
        final TreeSet<Integer> ids = new TreeSet<>();
        for (final String entry : controllerQuorumVoters.split(",", -1))
        {
            final Voter voter = parseVoter(entry.trim(), controllerQuorumVoters, portOffset);
            if (!ids.add(voter.id()))
            {
                throw new IllegalArgumentException("controller.quorum.voters '" + controllerQuorumVoters +
                    "' names node id " + voter.id() + " twice");
            }
            voters.add(voter);
        }
        return new QuorumMembers(voters, null);
    }

    /** Every voter, in the order of the voter list. */
    public List<Voter> voters()
    {
        return voters;
    }

    /** This node's voter entry; null for a client's view. */
    public Voter self()
    {
        return self;
    }

    /** This node's Aeron cluster member id (its node id). */
    public int memberId()
    {
        if (null == self)
        {
            throw new IllegalStateException("a client's view of the quorum has no member id");
        }
        return self.id();
    }

    /**
     * The {@code aeron.cluster.members} string: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    public String clusterMembers()
    {
        final StringBuilder members = new StringBuilder();
        for (final Voter voter : voters)
        {
            if (members.length() > 0)
            {
                members.append('|');
            }
            members.append(voter.id())
                .append(',').append(voter.ingressEndpoint())
                .append(',').append(voter.consensusEndpoint())
                .append(',').append(voter.logEndpoint())
                .append(',').append(voter.catchupEndpoint())
                .append(',').append(voter.archiveControlEndpoint());
        }
        return members.toString();
    }

    /** The ingress endpoints a client dials: {@code id=host:port,...}. */
    public String ingressEndpoints()
    {
        final StringBuilder endpoints = new StringBuilder();
        for (final Voter voter : voters)
        {
            if (endpoints.length() > 0)
            {
                endpoints.append(',');
            }
            endpoints.append(voter.id()).append('=').append(voter.ingressEndpoint());
        }
        return endpoints.toString();
    }

    private List<Integer> ids()
    {
        final List<Integer> ids = new ArrayList<>();
        for (final Voter voter : voters)
        {
            ids.add(voter.id());
        }
        return ids;
    }

    private static Voter parseVoter(final String entry, final String all, final int portOffset)
    {
        final int at = entry.indexOf('@');
        final int colon = entry.lastIndexOf(':');
        if (at <= 0 || colon < at + 2 || colon == entry.length() - 1)
        {
            throw malformed(all, entry, "expected id@host:port");
        }
        final int id = parseNumber(entry.substring(0, at), all, entry, "node id");
        if (id < 0)
        {
            throw malformed(all, entry, "node id must not be negative");
        }
        final String host = entry.substring(at + 1, colon);
        final boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (!bracketed && host.indexOf(':') >= 0)
        {
            throw malformed(all, entry, "an IPv6 host needs brackets: id@[::1]:port");
        }
        final int port = parseNumber(entry.substring(colon + 1), all, entry, "port");
        if (port < 1 || port > MAX_PORT)
        {
            throw malformed(all, entry, "port " + port + " is out of range 1-" + MAX_PORT);
        }
        final int basePort = port + portOffset;
        if (basePort < 1 || basePort + PORTS_PER_VOTER - 1 > MAX_PORT)
        {
            throw malformed(all, entry, "its Aeron UDP ports " + basePort + "-" + (basePort + PORTS_PER_VOTER - 1) +
                " (controller port " + port + " + runnel.quorum.port.offset " + portOffset + ") are out of range 1-" +
                MAX_PORT);
        }
        return new Voter(id, host, basePort);
    }

    private static int parseNumber(final String text, final String all, final String entry, final String what)
    {
        try
        {
            return Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw malformed(all, entry, what + " '" + text + "' is not a number");
        }
    }

    private static IllegalArgumentException malformed(final String all, final String entry, final String why)
    {
        return new IllegalArgumentException("controller.quorum.voters '" + all + "': entry '" + entry + "': " + why);
    }
}
