package io.runnel.cluster.metadata;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.runnel.cluster.metadata.MetadataCommand.AllocateProducerIds;
import io.runnel.cluster.metadata.MetadataCommand.AlterPartition;
import io.runnel.cluster.metadata.MetadataCommand.BrokerHeartbeat;
import io.runnel.cluster.metadata.MetadataCommand.RegisterBroker;
import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import io.runnel.cluster.metadata.MetadataReply.BrokerHeartbeatReply;
import io.runnel.cluster.metadata.MetadataReply.BrokerRegistered;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.cluster.metadata.MetadataReply.ProducerIdBlock;
import io.runnel.cluster.quorum.ReplicatedStateMachine.QuorumOutput;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brokers' registrations and sessions: registration (fenced until a heartbeat asks otherwise),
 * heartbeats (unfence, fence, controlled shutdown), the session timer that fences a silent broker,
 * and producer-id blocks. A broker's epoch is the metadata version of its registration, as
 * Kafka's is the offset of its registration record: new at every registration, and "caught up"
 * means the broker has applied an image at least that new.
 */
final class BrokerLifecycle
{
    /** Session timers are {@code SESSION_TIMER_BASE + nodeId}: apart from any id a host may use for its own. */
    static final long SESSION_TIMER_BASE = 1L << 32;

    private static final Logger LOG = LoggerFactory.getLogger(BrokerLifecycle.class);

    private final long sessionTimeoutMs;
    private final UncleanElection unclean;

    BrokerLifecycle(final long sessionTimeoutMs, final UncleanElection unclean)
    {
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.unclean = unclean;
    }

    long sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    static boolean isSessionTimer(final long correlationId)
    {
        return correlationId >= SESSION_TIMER_BASE && correlationId - SESSION_TIMER_BASE <= Integer.MAX_VALUE;
    }

    MetadataReply register(
        final MetadataImage image, final RegisterBroker command, final long nowMs, final MetadataChange change, final QuorumOutput out)
    {
        final long correlationId = command.correlationId();
        final String invalid = invalidRegistration(command);
        if (invalid != null)
        {
            return error(correlationId, Errors.INVALID_REQUEST, invalid);
        }
        if (!image.clusterId().isEmpty() && !image.clusterId().equals(command.clusterId()))
        {
            return error(correlationId, Errors.INCONSISTENT_CLUSTER_ID, "broker " + command.nodeId() + " has cluster id " +
                command.clusterId() + ", this cluster's is " + image.clusterId());
        }
        final Broker existing = image.broker(command.nodeId());
        if (existing != null && !existing.incarnationId().equals(command.incarnationId()) &&
            !existing.sessionExpired() && !existing.inControlledShutdown())
        {
            return error(correlationId, Errors.DUPLICATE_BROKER_REGISTRATION, "another broker (incarnation " +
                existing.incarnationId() + ") is registered with node id " + command.nodeId() + " and its session is live");
        }
        if (image.clusterId().isEmpty())
        {
            change.clusterId(command.clusterId());
        }
        if (existing != null && existing.active())
        {
            LeaderElection.onFenced(image, existing.nodeId(), change, unclean);
        }
        final long epoch = change.version();
        change.broker(new Broker(command.nodeId(), command.incarnationId(), epoch, command.rack(), command.listeners(), true, false, false));
        out.scheduleTimer(SESSION_TIMER_BASE + command.nodeId(), nowMs + sessionTimeoutMs);
        return new BrokerRegistered(correlationId, epoch, command.clusterId());
    }

    MetadataReply heartbeat(
        final MetadataImage image, final BrokerHeartbeat command, final long nowMs, final MetadataChange change, final QuorumOutput out)
    {
        final long correlationId = command.correlationId();
        final Broker broker = image.broker(command.nodeId());
        if (broker == null)
        {
            return error(correlationId, Errors.BROKER_ID_NOT_REGISTERED, "broker " + command.nodeId() + " is not registered");
        }
        if (broker.epoch() != command.brokerEpoch())
        {
            return error(correlationId, Errors.STALE_BROKER_EPOCH, "broker " + command.nodeId() + " has epoch " + broker.epoch() +
                ", not " + command.brokerEpoch());
        }
        out.scheduleTimer(SESSION_TIMER_BASE + command.nodeId(), nowMs + sessionTimeoutMs);
        final boolean caughtUp = command.caughtUpMetadataVersion() >= broker.epoch();
        final Broker next;
        if (command.wantShutdown() || broker.inControlledShutdown())
        {
            // Once asked, a controlled shutdown is not undone: the broker is on its way out.
            fenceIfActive(image, broker, change);
            next = broker.with(true, true, false);
        }
        else if (command.wantFence() || !caughtUp)
        {
            fenceIfActive(image, broker, change);
            next = broker.with(true, false, false);
        }
        else
        {
            if (broker.fenced())
            {
                LeaderElection.onUnfenced(image, broker.nodeId(), change, unclean);
            }
            next = broker.with(false, false, false);
        }
        if (!next.equals(broker))
        {
            change.broker(next);
        }
        // The changes above precede this reply on the broker's session, so a broker told to shut
        // down has already received the move of its leaderships.
        return new BrokerHeartbeatReply(correlationId, caughtUp, next.fenced(), next.inControlledShutdown());
    }

    /** The session timer of {@code nodeId} fired: no heartbeat for the session timeout. */
    void onSessionTimeout(final MetadataImage image, final int nodeId, final MetadataChange change)
    {
        final Broker broker = image.broker(nodeId);
        if (broker == null || broker.sessionExpired())
        {
            return;
        }
        if (broker.active())
        {
            LOG.info("broker {} fenced: no heartbeat for {} ms", nodeId, sessionTimeoutMs);
        }
        fenceIfActive(image, broker, change);
        change.broker(broker.with(true, broker.inControlledShutdown(), true));
    }

    MetadataReply allocateProducerIds(final MetadataImage image, final AllocateProducerIds command, final MetadataChange change)
    {
        final long correlationId = command.correlationId();
        final Broker broker = image.broker(command.nodeId());
        if (broker == null || broker.epoch() != command.brokerEpoch() || !broker.active())
        {
            return error(correlationId, Errors.STALE_BROKER_EPOCH, "broker " + command.nodeId() + " with epoch " + command.brokerEpoch() +
                (broker == null ? " is not registered" : broker.epoch() != command.brokerEpoch() ? " is not the registered one" : " is fenced"));
        }
        final long first = image.nextProducerId();
        if (first > Long.MAX_VALUE - MetadataLimits.PRODUCER_ID_BLOCK_SIZE)
        {
            return error(correlationId, Errors.UNKNOWN_SERVER_ERROR, "producer ids are exhausted");
        }
        change.producerIds(command.nodeId(), command.brokerEpoch(), first + MetadataLimits.PRODUCER_ID_BLOCK_SIZE);
        return new ProducerIdBlock(correlationId, first, MetadataLimits.PRODUCER_ID_BLOCK_SIZE);
    }

    /**
     * Kafka's AlterPartition: the leader of a partition shrinks its ISR (a follower fell behind) or
     * grows it (a follower caught up). Refused when the asker is not the registered, unfenced leader
     * at that epoch (FENCED_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER), when the ISR moved since the leader
     * saw it (INVALID_UPDATE_VERSION), or when the new ISR is not a set of live replicas that holds
     * the leader (INVALID_REQUEST, INELIGIBLE_REPLICA). The leader epoch stays (unless a completed reassignment
     * moves the leadership: see {@link PartitionReassignment}); the partition epoch moves.
     */
    MetadataReply alterPartition(final MetadataImage image, final AlterPartition command, final MetadataChange change)
    {
        final long correlationId = command.correlationId();
        final Broker broker = image.broker(command.nodeId());
        if (broker == null || broker.epoch() != command.brokerEpoch() || !broker.active())
        {
            return error(correlationId, Errors.STALE_BROKER_EPOCH, "broker " + command.nodeId() + " with epoch " + command.brokerEpoch()
                + " is not the registered, unfenced one");
        }
        final MetadataImage.Topic topic = image.topic(command.topicId());
        if (topic == null || command.partition() < 0 || command.partition() >= topic.partitions().size())
        {
            return error(correlationId, Errors.UNKNOWN_TOPIC_OR_PARTITION, "no partition " + command.partition() + " of topic id "
                + command.topicId());
        }
        final MetadataImage.Partition partition = topic.partitions().get(command.partition());
        if (partition.leaderEpoch() != command.leaderEpoch())
        {
            return error(correlationId, Errors.FENCED_LEADER_EPOCH, topic.name() + "-" + command.partition() + " is at leader epoch "
                + partition.leaderEpoch() + ", not " + command.leaderEpoch());
        }
        if (partition.leader() != command.nodeId())
        {
            return error(correlationId, Errors.NOT_LEADER_OR_FOLLOWER, topic.name() + "-" + command.partition() + " is led by "
                + partition.leader());
        }
        if (!partition.isr().equals(command.currentIsr()))
        {
            return error(correlationId, Errors.INVALID_UPDATE_VERSION, topic.name() + "-" + command.partition() + " has ISR "
                + partition.isr() + ", not " + command.currentIsr());
        }
        final List<Integer> isr = command.newIsr();
        if (!isr.contains(command.nodeId()) || !partition.replicas().containsAll(isr) || new java.util.HashSet<>(isr).size() != isr.size())
        {
            return error(correlationId, Errors.INVALID_REQUEST, "ISR " + isr + " must be distinct replicas of " + partition.replicas()
                + " holding the leader " + command.nodeId());
        }
        for (final int member : isr)
        {
            final Broker replica = image.broker(member);
            if (!partition.isr().contains(member) && (replica == null || !replica.active()))
            {
                return error(correlationId, Errors.INELIGIBLE_REPLICA, "broker " + member + " is not live: it cannot join the ISR of "
                    + topic.name() + "-" + command.partition());
            }
        }
        // A reassigned partition whose new replicas are all in sync now completes its move in this same change.
        change.partition(topic.id(), PartitionReassignment.afterIsrChange(image, partition, isr));
        return new CommandResult(correlationId, Errors.NONE.code(), "", List.of());
    }

    private void fenceIfActive(final MetadataImage image, final Broker broker, final MetadataChange change)
    {
        if (broker.active())
        {
            LeaderElection.onFenced(image, broker.nodeId(), change, unclean);
        }
    }

    private static String invalidRegistration(final RegisterBroker command)
    {
        if (command.nodeId() < 0)
        {
            return "node id " + command.nodeId() + " is negative";
        }
        if (Uuid.ZERO_UUID.equals(command.incarnationId()))
        {
            return "the incarnation id is zero";
        }
        if (command.clusterId().isEmpty() || command.clusterId().length() > MetadataLimits.MAX_SHORT_STRING_LENGTH)
        {
            return "a cluster id of " + command.clusterId().length() + " chars";
        }
        if (command.rack().length() > MetadataLimits.MAX_SHORT_STRING_LENGTH)
        {
            return "a rack name of " + command.rack().length() + " chars";
        }
        return invalidListeners(command.listeners());
    }

    private static String invalidListeners(final List<Endpoint> listeners)
    {
        if (listeners.isEmpty() || listeners.size() > MetadataLimits.MAX_LISTENERS)
        {
            return listeners.size() + " listeners: a broker has 1 to " + MetadataLimits.MAX_LISTENERS;
        }
        final Set<String> names = new HashSet<>();
        for (final Endpoint listener : listeners)
        {
            if (listener.listenerName().isEmpty() || listener.listenerName().length() > MetadataLimits.MAX_SHORT_STRING_LENGTH ||
                listener.host().isEmpty() || listener.host().length() > MetadataLimits.MAX_SHORT_STRING_LENGTH)
            {
                return "a listener name or host is empty or longer than " + MetadataLimits.MAX_SHORT_STRING_LENGTH + " chars";
            }
            if (listener.port() < 0 || listener.port() > 65535)
            {
                return "listener " + listener.listenerName() + " has port " + listener.port();
            }
            if (SecurityProtocol.forId(listener.securityProtocol()) == null)
            {
                return "listener " + listener.listenerName() + " has unknown security protocol id " + listener.securityProtocol();
            }
            if (!names.add(listener.listenerName()))
            {
                return "listener " + listener.listenerName() + " is named twice";
            }
        }
        return null;
    }

    static CommandResult error(final long correlationId, final Errors error, final String message)
    {
        return new CommandResult(correlationId, error.code(), message, List.of());
    }
}
