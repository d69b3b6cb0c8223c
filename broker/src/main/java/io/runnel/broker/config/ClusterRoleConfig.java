package io.runnel.broker.config;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The node's part in a cluster, from Kafka's KRaft keys, checked as Kafka checks them (see
 * {@link ClusterRoleResolver}): what the broker assembly hands to the cluster module. A node with
 * neither {@code controller.quorum.voters} nor {@code controller.quorum.bootstrap.servers} is a
 * single node ({@link #singleNode()}): a broker that is its own controller, as Runnel has always been.
 *
 * @param roles                     process.roles
 * @param nodeId                    node.id (or broker.id)
 * @param rack                      broker.rack, or null
 * @param listeners                 the node's listeners by role
 * @param quorum                    the metadata quorum's settings
 * @param brokerHeartbeatIntervalMs broker.heartbeat.interval.ms
 * @param brokerSessionTimeoutMs    broker.session.timeout.ms
 */
public record ClusterRoleConfig(
    Set<ProcessRole> roles,
    int nodeId,
    String rack,
    NodeListeners listeners,
    QuorumSettings quorum,
    int brokerHeartbeatIntervalMs,
    int brokerSessionTimeoutMs)
{
    public ClusterRoleConfig
    {
        roles = Collections.unmodifiableSet(EnumSet.copyOf(roles));
    }

    /** No quorum is configured: the node is a single broker with its embedded metadata store. */
    public boolean singleNode()
    {
        return quorum.voters().isEmpty() && quorum.bootstrapServers().isEmpty();
    }

    public boolean isBroker()
    {
        return roles.contains(ProcessRole.BROKER);
    }

    public boolean isController()
    {
        return roles.contains(ProcessRole.CONTROLLER);
    }
}
