package io.runnel.cluster.member;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.runnel.cluster.metadata.MetadataImage;
import io.runnel.cluster.quorum.ControllerNode;
import io.runnel.cluster.quorum.QuorumHost;
import io.runnel.cluster.quorum.QuorumMembers;
import io.runnel.kernel.metadata.BrokerEndpoint;
import io.runnel.kernel.metadata.ClusterView;
import io.runnel.kernel.metadata.QuorumStatus;
import org.agrona.CloseHelper;

/**
 * The cluster as the metadata quorum's image says, for request handlers: the live (unfenced)
 * brokers at the listener clients use, and the quorum's leader as the controller. Replaced whole on
 * every new image; readers on any thread see one consistent snapshot.
 *
 * <p>The quorum's status (DescribeQuorum) comes from this node's own voter when it is a controller:
 * its leader, term and commit position are what Aeron Cluster tells it, and this voter's log and the
 * leader's reach at least that commit position. How far the other voters have come is known only
 * to the leader's consensus module: the leader reports what it read from there lately
 * ({@link VoterPositions}); another node reports them {@link QuorumStatus#UNKNOWN}, as Kafka reports
 * a replica it has not heard from, and so are the brokers that are not voters (observers).
 */
final class QuorumClusterView implements ClusterView, AutoCloseable
{
    /** The name the voters' endpoints are reported under (Kafka's conventional controller listener). */
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    private record Snapshot(String clusterId, int controllerId, List<BrokerEndpoint> live, List<Integer> observers,
        Map<Integer, String> replicationEndpoints)
    {
    }

    /** The listener name under which a broker registers where its replication stream listens (never shown to clients). */
    public static final String REPLICATION_LISTENER = "runnel-replication";

    private final int localNodeId;
    private final String listenerName;
    private final List<Integer> voterIds;
    private final List<QuorumStatus.Endpoint> voterEndpoints;
    /** This node's voter, or null when it is a broker only. */
    private final ControllerNode controller;
    /** What the leader knows of every voter's log: read while this node's voter leads; null on a broker only. */
    private final VoterPositions positions;
    private volatile Snapshot snapshot;

    QuorumClusterView(final int localNodeId, final String listenerName, final QuorumMembers members, final int portOffset,
        final ControllerNode controller)
    {
        this.localNodeId = localNodeId;
        this.listenerName = listenerName;
        this.controller = controller;
        final List<Integer> ids = new ArrayList<>();
        final List<QuorumStatus.Endpoint> endpoints = new ArrayList<>();
        for (final QuorumMembers.Voter voter : members.voters())
        {
            ids.add(voter.id());
            // The voter list names the controller listener's port; the Aeron ports are derived from it plus the offset.
            endpoints.add(new QuorumStatus.Endpoint(voter.id(), CONTROLLER_LISTENER, voter.host(), voter.basePort() - portOffset));
        }
        ids.sort(Integer::compare);
        this.voterIds = List.copyOf(ids);
        this.voterEndpoints = List.copyOf(endpoints);
        this.snapshot = new Snapshot("", -1, List.of(), List.of(), Map.of());
        this.positions = controller == null ? null : new VoterPositions(controller);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(positions);
    }

    void update(final MetadataImage image, final int controllerId)
    {
        final List<BrokerEndpoint> live = new ArrayList<>();
        final List<Integer> observers = new ArrayList<>();
        final Map<Integer, String> replication = new HashMap<>();
        for (final MetadataImage.Broker broker : image.brokers().values())
        {
            for (final MetadataImage.Endpoint endpoint : broker.endpoints())
            {
                if (endpoint.listenerName().equals(REPLICATION_LISTENER))
                {
                    replication.put(broker.nodeId(), endpoint.host() + ":" + endpoint.port());
                }
            }
            if (!voterIds.contains(broker.nodeId()))
            {
                observers.add(broker.nodeId());
            }
            if (broker.fenced())
            {
                continue;
            }
            for (final MetadataImage.Endpoint endpoint : broker.endpoints())
            {
                if (endpoint.listenerName().equals(listenerName))
                {
                    live.add(new BrokerEndpoint(broker.nodeId(), endpoint.host(), endpoint.port(), broker.rack().isEmpty() ? null : broker.rack()));
                }
            }
        }
        snapshot = new Snapshot(image.clusterId(), controllerId, List.copyOf(live), List.copyOf(observers), Map.copyOf(replication));
    }

    void controller(final int controllerId)
    {
        final Snapshot current = snapshot;
        snapshot = new Snapshot(current.clusterId(), controllerId, current.live(), current.observers(), current.replicationEndpoints());
    }

    /** Set once this broker replicates partitions: topics may then have more than one replica. */
    private volatile boolean replicating;
    /** Set by the member's thread: see {@link #quorumContactLost()}. */
    private volatile boolean quorumContactLost;

    void quorumContactLost(final boolean lost)
    {
        quorumContactLost = lost;
    }

    @Override
    public boolean quorumContactLost()
    {
        return quorumContactLost;
    }

    void replicating(final boolean on)
    {
        replicating = on;
    }

    @Override
    public int maxReplicationFactor()
    {
        return replicating ? io.runnel.cluster.metadata.MetadataLimits.MAX_REPLICATION_FACTOR : 1;
    }

    /** host:port where broker {@code nodeId}'s replication stream listens, or null if it has not registered one. */
    public String replicationEndpoint(final int nodeId)
    {
        return snapshot.replicationEndpoints().get(nodeId);
    }

    @Override
    public String clusterId()
    {
        return snapshot.clusterId();
    }

    @Override
    public int localNodeId()
    {
        return localNodeId;
    }

    @Override
    public int controllerId()
    {
        return snapshot.controllerId();
    }

    @Override
    public List<BrokerEndpoint> liveBrokers()
    {
        return snapshot.live();
    }

    @Override
    public BrokerEndpoint liveBroker(final int nodeId)
    {
        for (final BrokerEndpoint broker : snapshot.live())
        {
            if (broker.nodeId() == nodeId)
            {
                return broker;
            }
        }
        return null;
    }

    @Override
    public QuorumStatus quorumStatus()
    {
        final Snapshot current = snapshot;
        final long nowMs = System.currentTimeMillis();
        final long commitPosition = controller == null ? QuorumStatus.UNKNOWN : controller.commitPosition();
        final int hostLeader = controller == null ? QuorumHost.NO_LEADER : controller.leaderMemberId();
        final int leaderId = hostLeader != QuorumHost.NO_LEADER ? hostLeader : current.controllerId();
        final long term = controller == null ? QuorumStatus.UNKNOWN : controller.leadershipTermId();
        final List<QuorumStatus.Replica> voters = new ArrayList<>();
        final boolean leading = controller != null && leaderId == localNodeId;
        for (final int id : voterIds)
        {
            // The leader's own entry is its commit position now, not the one read a moment ago.
            final QuorumStatus.Replica seenByLeader = leading && id != localNodeId ? positions.replica(id, nowMs) : null;
            if (seenByLeader != null)
            {
                voters.add(seenByLeader);
                continue;
            }
            if (commitPosition < 0 || (id != localNodeId && id != leaderId))
            {
                voters.add(QuorumStatus.Replica.unknown(id));
                continue;
            }
            // This voter's log and the leader's reach at least the commit position this voter was told, so both are
            // caught up to it now; a leader fetches from nobody (Kafka reports -1 for its fetch time too).
            voters.add(new QuorumStatus.Replica(id, commitPosition, id == leaderId ? QuorumStatus.UNKNOWN : nowMs, nowMs));
        }
        final List<QuorumStatus.Replica> observers = new ArrayList<>();
        for (final int id : current.observers())
        {
            observers.add(QuorumStatus.Replica.unknown(id));
        }
        return new QuorumStatus(Math.max(leaderId, -1), term, commitPosition, voters, observers, voterEndpoints);
    }
}
