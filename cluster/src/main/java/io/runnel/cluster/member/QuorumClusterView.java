package io.runnel.cluster.member;

import java.util.ArrayList;
import java.util.List;

import io.runnel.cluster.metadata.MetadataImage;
import io.runnel.kernel.metadata.BrokerEndpoint;
import io.runnel.kernel.metadata.ClusterView;

/**
 * The cluster as the metadata quorum's image says, for request handlers: the live (unfenced)
 * brokers at the listener clients use, and the quorum's leader as the controller. Replaced whole on
 * every new image; readers on any thread see one consistent snapshot.
 */
final class QuorumClusterView implements ClusterView
{
    private record Snapshot(String clusterId, int controllerId, List<BrokerEndpoint> live)
    {
    }

    private final int localNodeId;
    private final String listenerName;
    private volatile Snapshot snapshot;

    QuorumClusterView(final int localNodeId, final String listenerName)
    {
        this.localNodeId = localNodeId;
        this.listenerName = listenerName;
        this.snapshot = new Snapshot("", -1, List.of());
    }

    void update(final MetadataImage image, final int controllerId)
    {
        final List<BrokerEndpoint> live = new ArrayList<>();
        for (final MetadataImage.Broker broker : image.brokers().values())
        {
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
        snapshot = new Snapshot(image.clusterId(), controllerId, List.copyOf(live));
    }

    void controller(final int controllerId)
    {
        final Snapshot current = snapshot;
        snapshot = new Snapshot(current.clusterId(), controllerId, current.live());
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
}
