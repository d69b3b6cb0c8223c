package io.runnel.cluster.member;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a broker-only node configured with {@code controller.quorum.bootstrap.servers} (and no
 * {@code controller.quorum.voters}) learns the voters: it asks a controller listener with
 * DescribeQuorum, as KRaft's brokers do (KIP-853), through the stock AdminClient with
 * {@code bootstrap.controllers}. The quorum's membership is fixed (Aeron Cluster), so the answer
 * holds for the node's lifetime; each voter's Aeron ports derive from the port of its controller
 * listener, exactly as from a configured voter list.
 */
public final class VoterDiscovery
{
    private static final Logger LOG = LoggerFactory.getLogger(VoterDiscovery.class);
    /** Between attempts while no controller answers (they may still be starting). */
    private static final long RETRY_MS = 1_000;

    private VoterDiscovery()
    {
    }

    /**
     * @param bootstrapServers host:port of controller listeners, as controller.quorum.bootstrap.servers lists them
     * @param listenerName     the controller listener whose endpoints are the voters' (controller.listener.names' first);
     *                         a voter reporting none of that name is reached at its first
     * @return the voters in controller.quorum.voters' form (id@host:port,...)
     * @throws IllegalStateException if no controller answered within {@code timeout}, or the quorum names a voter without an endpoint
     */
    public static String discover(final String bootstrapServers, final String listenerName, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000)))
        {
            while (System.nanoTime() < deadlineNs)
            {
                try
                {
                    final QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS);
                    final String voters = voters(quorum, listenerName);
                    LOG.info("controller.quorum.bootstrap.servers {}: the voters are {}", bootstrapServers, voters);
                    return voters;
                }
                catch (final ExecutionException | TimeoutException ex)
                {
                    last = ex;
                    LOG.info("no controller of {} answered DescribeQuorum yet ({}); asking again", bootstrapServers, ex.getMessage());
                    Thread.sleep(RETRY_MS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + bootstrapServers + " for the quorum's voters", ex);
        }
        throw new IllegalStateException("no controller of controller.quorum.bootstrap.servers=" + bootstrapServers
            + " described the quorum within " + timeout, last);
    }

    /** The voters of {@code quorum} with their endpoints on {@code listenerName}, in id order. */
    static String voters(final QuorumInfo quorum, final String listenerName)
    {
        final StringJoiner voters = new StringJoiner(",");
        final List<QuorumInfo.ReplicaState> replicas = quorum.voters().stream()
            .sorted((a, b) -> Integer.compare(a.replicaId(), b.replicaId())).toList();
        for (final QuorumInfo.ReplicaState voter : replicas)
        {
            final QuorumInfo.Node node = quorum.nodes().get(voter.replicaId());
            // The listener of that name, else the voter's first (its quorum port), as another node may name it otherwise.
            final RaftVoterEndpoint endpoint = node == null || node.endpoints().isEmpty() ? null : node.endpoints().stream()
                .filter(candidate -> candidate.name().equalsIgnoreCase(listenerName)).findFirst().orElse(node.endpoints().get(0));
            if (endpoint == null)
            {
                throw new IllegalStateException("the quorum names voter " + voter.replicaId() + " with no endpoint");
            }
            voters.add(voter.replicaId() + "@" + endpoint.host() + ":" + endpoint.port());
        }
        if (replicas.isEmpty())
        {
            throw new IllegalStateException("the quorum described no voters");
        }
        return voters.toString();
    }
}
