package io.runnel.kernel.metadata;

import java.util.List;

/**
 * The cluster as this broker sees it now: the cluster id, the active controller and the brokers
 * clients may use. A single node sees itself ({@link #singleNode}); a cluster member's view follows
 * the metadata quorum's image. Implementations are thread-safe and answer from an immutable
 * snapshot, so a request handler on any thread reads a consistent one.
 */
public interface ClusterView
{
    String clusterId();

    /** This broker's node id. */
    int localNodeId();

    /** The active controller's node id, -1 while none is known. */
    int controllerId();

    /**
     * The controller id clients are told of on a broker listener (Metadata, DescribeCluster): the
     * active controller when it is also a live broker, else this broker, which forwards what the
     * controller would be asked. A client must be able to connect to it, and a controller-only
     * node serves no clients (KRaft's brokers likewise name a live broker).
     */
    default int controllerForClients()
    {
        final int controller = controllerId();
        return controller >= 0 && liveBroker(controller) != null ? controller : localNodeId();
    }

    /** The registered, unfenced brokers, by node id: the ones Metadata lists. */
    List<BrokerEndpoint> liveBrokers();

    /** A live broker's endpoint, or null if {@code nodeId} names no live broker. */
    BrokerEndpoint liveBroker(int nodeId);

    /**
     * The most replicas a topic created here may ask for: 1 unless partitions replicate between
     * brokers (a cluster member with replication on).
     */
    default int maxReplicationFactor()
    {
        return 1;
    }

    /**
     * True while this broker has heard no answer to its heartbeats for a whole broker session
     * timeout: the quorum has fenced it by now and may have given its partitions other leaders, which
     * it cannot learn of. A partition it leads whose ISR names another broker then takes no writes
     * (NOT_LEADER_OR_FOLLOWER, so clients look up the leader again) until it hears from the quorum.
     * Never on a single node.
     */
    default boolean quorumContactLost()
    {
        return false;
    }

    /** The metadata quorum as this node knows it now (DescribeQuorum). */
    QuorumStatus quorumStatus();

    /** A one-broker cluster: this node, its own controller and its own one-voter quorum. */
    static ClusterView singleNode(final String clusterId, final BrokerEndpoint self)
    {
        final List<BrokerEndpoint> brokers = List.of(self);
        return new ClusterView()
        {
            public String clusterId()
            {
                return clusterId;
            }

            public int localNodeId()
            {
                return self.nodeId();
            }

            public int controllerId()
            {
                return self.nodeId();
            }

            public List<BrokerEndpoint> liveBrokers()
            {
                return brokers;
            }

            public BrokerEndpoint liveBroker(final int nodeId)
            {
                return nodeId == self.nodeId() ? self : null;
            }

            public QuorumStatus quorumStatus()
            {
                // The embedded metadata store has no log: its quorum's log is empty and always caught up.
                return QuorumStatus.singleVoter(self.nodeId(), 0, System.currentTimeMillis());
            }
        };
    }
}
