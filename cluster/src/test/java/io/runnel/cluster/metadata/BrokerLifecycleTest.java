package io.runnel.cluster.metadata;

import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.AllocateProducerIds;
import io.runnel.cluster.metadata.MetadataCommand.BrokerHeartbeat;
import io.runnel.cluster.metadata.MetadataCommand.RegisterBroker;
import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataReply.BrokerHeartbeatReply;
import io.runnel.cluster.metadata.MetadataReply.BrokerRegistered;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.cluster.metadata.MetadataReply.ProducerIdBlock;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

import static io.runnel.cluster.metadata.MetadataTestContext.BROKER_SESSION_BASE;
import static io.runnel.cluster.metadata.MetadataTestContext.CLUSTER_ID;
import static io.runnel.cluster.metadata.MetadataTestContext.SESSION_TIMEOUT_MS;
import static io.runnel.cluster.metadata.MetadataTestContext.incarnation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerLifecycleTest
{
    private static final long HEARTBEAT_INTERVAL_MS = 2_000;

    private final MetadataTestContext context = new MetadataTestContext();

    @Test
    void firstRegistrationAdoptsItsClusterIdAndRegistersTheBrokerFenced()
    {
        final BrokerRegistered registered = context.register(1, "");

        assertEquals(CLUSTER_ID, registered.clusterId());
        assertEquals(CLUSTER_ID, context.image().clusterId());
        final Broker broker = context.image().broker(1);
        assertTrue(broker.fenced());
        assertEquals(registered.brokerEpoch(), broker.epoch());
        assertEquals(context.image().version(), broker.epoch(), "the epoch is the version of the registration");
        assertEquals(9102, broker.endpoints().get(0).port());
    }

    @Test
    void brokerProposingAnotherClusterIdIsRefused()
    {
        context.register(1, "");

        final MetadataReply reply = context.send(BROKER_SESSION_BASE + 2, context.registration(2, incarnation(2, 1), "another-cluster", ""));

        assertEquals(Errors.INCONSISTENT_CLUSTER_ID, ((CommandResult)reply).error());
        assertEquals(null, context.image().broker(2));
    }

    @Test
    void heartbeatWantingUnfenceUnfencesACaughtUpBroker()
    {
        context.register(1, "");

        final BrokerHeartbeatReply reply = (BrokerHeartbeatReply)context.heartbeat(1, false, false);

        assertFalse(reply.isFenced());
        assertTrue(reply.isCaughtUp());
        assertFalse(context.image().broker(1).fenced());
    }

    @Test
    void brokerBehindItsOwnRegistrationStaysFenced()
    {
        context.register(1, "");

        final BrokerHeartbeatReply reply = (BrokerHeartbeatReply)context.send(BROKER_SESSION_BASE + 1,
            new BrokerHeartbeat(context.correlationId(), 1, context.epoch(1), false, false, context.epoch(1) - 1));

        assertFalse(reply.isCaughtUp());
        assertTrue(reply.isFenced());
    }

    @Test
    void heartbeatWithStaleEpochOrUnknownNodeIsRefused()
    {
        context.register(1, "");

        final MetadataReply stale = context.send(BROKER_SESSION_BASE + 1,
            new BrokerHeartbeat(context.correlationId(), 1, context.epoch(1) + 5, false, false, 100));
        final MetadataReply unknown = context.send(BROKER_SESSION_BASE + 9, new BrokerHeartbeat(context.correlationId(), 9, 1, false, false, 100));

        assertEquals(Errors.STALE_BROKER_EPOCH, ((CommandResult)stale).error());
        assertEquals(Errors.BROKER_ID_NOT_REGISTERED, ((CommandResult)unknown).error());
    }

    @Test
    void brokerWithoutHeartbeatsIsFencedWhenItsSessionTimesOut()
    {
        context.startBrokers(2);

        context.advance(SESSION_TIMEOUT_MS - 1, HEARTBEAT_INTERVAL_MS, 1);
        assertFalse(context.image().broker(2).fenced(), "not before the session timeout");
        context.advance(HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, 1);

        final Broker silent = context.image().broker(2);
        assertTrue(silent.fenced());
        assertTrue(silent.sessionExpired());
        assertFalse(context.image().broker(1).fenced(), "a broker that heartbeats stays unfenced");
    }

    @Test
    void quorumElectionOutlastingTheSessionsGivesEveryBrokerAFreshSessionInsteadOfFencingThemAll()
    {
        context.startBrokers(3);
        context.advance(HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, 1, 2, 3);

        // The election outlasts every session: their timers are all due when the new leader starts.
        context.electLeaderTaking(SESSION_TIMEOUT_MS + 1_000);
        for (int nodeId = 1; nodeId <= 3; nodeId++)
        {
            assertFalse(context.image().broker(nodeId).fenced(), "broker " + nodeId + " fenced by a timer that ran through the election");
        }

        // Brokers 1 and 2 heartbeat on; broker 3 died during the election: fenced one session timeout into the new term.
        context.advance(SESSION_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, 1, 2);
        assertFalse(context.image().broker(3).fenced(), "not before a whole session timeout in the new term");
        context.advance(2 * HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS, 1, 2);
        assertTrue(context.image().broker(3).sessionExpired());
        assertFalse(context.image().broker(1).fenced());
        assertFalse(context.image().broker(2).fenced());
    }

    @Test
    void fencingMovesLeadershipToTheNextInSyncReplicaAndShrinksTheIsr()
    {
        context.startBrokers(3);
        context.createTopic("orders", 3, 3);
        final Partition before = partitionLedBy(2);

        context.advance(SESSION_TIMEOUT_MS + 1, HEARTBEAT_INTERVAL_MS, 1, 3);

        final Partition after = context.image().topic("orders").partition(before.partition());
        assertEquals(firstOtherThan(before.replicas(), 2), after.leader());
        assertEquals(before.leaderEpoch() + 1, after.leaderEpoch());
        assertFalse(after.isr().contains(2));
        assertEquals(2, after.isr().size());
        for (final Partition partition : context.image().topic("orders").partitions())
        {
            assertFalse(partition.isr().contains(2), "broker 2 left every ISR: " + partition);
            assertTrue(partition.leader() != 2);
        }
    }

    @Test
    void singleReplicaPartitionHasNoLeaderWhileItsBrokerIsFencedAndGetsItBackOnUnfencing()
    {
        context.startBrokers(3);
        context.createTopic("logs", 3, 1);
        final Partition before = partitionLedBy(2);

        context.advance(SESSION_TIMEOUT_MS + 1, HEARTBEAT_INTERVAL_MS, 1, 3);
        final Partition leaderless = context.image().topic("logs").partition(before.partition());
        assertEquals(MetadataImage.NO_LEADER, leaderless.leader());
        assertEquals(List.of(2), leaderless.isr(), "the last ISR member stays in the ISR");
        assertEquals(before.leaderEpoch() + 1, leaderless.leaderEpoch());

        final BrokerHeartbeatReply back = (BrokerHeartbeatReply)context.heartbeat(2, false, false);

        assertFalse(back.isFenced());
        assertFalse(context.image().broker(2).sessionExpired());
        final Partition restored = context.image().topic("logs").partition(before.partition());
        assertEquals(2, restored.leader());
        assertEquals(before.leaderEpoch() + 2, restored.leaderEpoch());
        assertEquals(before.partitionEpoch() + 2, restored.partitionEpoch());
    }

    @Test
    void controlledShutdownMovesLeadershipsAwayThenFencesTheBroker()
    {
        context.startBrokers(3);
        context.createTopic("orders", 6, 2);
        final int broadcastsBefore = context.out.events.size();

        final BrokerHeartbeatReply reply = (BrokerHeartbeatReply)context.heartbeat(1, false, true);

        assertTrue(reply.shouldShutDown());
        assertTrue(reply.isFenced());
        final Broker broker = context.image().broker(1);
        assertTrue(broker.fenced());
        assertTrue(broker.inControlledShutdown());
        for (final Partition partition : context.image().topic("orders").partitions())
        {
            assertTrue(partition.leader() != 1, "leadership moved: " + partition);
            assertTrue(partition.leader() != MetadataImage.NO_LEADER, "RF 2 always has another in-sync replica: " + partition);
        }
        assertFalse(context.out.broadcastsSince(broadcastsBefore).isEmpty(), "the moves were broadcast before the reply");

        final BrokerHeartbeatReply later = (BrokerHeartbeatReply)context.heartbeat(1, false, false);
        assertTrue(later.shouldShutDown(), "a controlled shutdown is not undone");
    }

    @Test
    void heartbeatWantingFenceFencesAnUnfencedBroker()
    {
        context.startBrokers(2);
        context.createTopic("t", 2, 1);

        context.heartbeat(1, true, false);

        assertTrue(context.image().broker(1).fenced());
        assertEquals(MetadataImage.NO_LEADER, partitionWithReplica(1).leader());
    }

    @Test
    void anotherIncarnationOfALiveNodeIdIsRefused()
    {
        context.register(1, "");

        final MetadataReply reply = context.send(BROKER_SESSION_BASE + 1, context.registration(1, incarnation(1, 2), CLUSTER_ID, ""));

        assertEquals(Errors.DUPLICATE_BROKER_REGISTRATION, ((CommandResult)reply).error());
        assertEquals(incarnation(1, 1), context.image().broker(1).incarnationId());
    }

    @Test
    void anotherIncarnationMayRegisterOnceTheOldSessionTimedOut()
    {
        context.startBrokers(1);
        context.advance(SESSION_TIMEOUT_MS + 1, HEARTBEAT_INTERVAL_MS);

        final MetadataReply reply = context.send(BROKER_SESSION_BASE + 1, context.registration(1, incarnation(1, 2), CLUSTER_ID, ""));

        final BrokerRegistered registered = assertInstanceOf(BrokerRegistered.class, reply);
        assertTrue(registered.brokerEpoch() > context.epoch(1));
        assertEquals(incarnation(1, 2), context.image().broker(1).incarnationId());
        assertTrue(context.image().broker(1).fenced());
    }

    @Test
    void anotherIncarnationMayRegisterAfterAControlledShutdown()
    {
        context.startBrokers(1);
        context.heartbeat(1, false, true);

        final MetadataReply reply = context.send(BROKER_SESSION_BASE + 1, context.registration(1, incarnation(1, 2), CLUSTER_ID, ""));

        assertInstanceOf(BrokerRegistered.class, reply);
        assertFalse(context.image().broker(1).inControlledShutdown());
    }

    @Test
    void reRegistrationOfAnUnfencedBrokerFencesItAndMovesItsLeaderships()
    {
        context.startBrokers(2);
        context.createTopic("t", 2, 2);

        final BrokerRegistered again = (BrokerRegistered)context.send(BROKER_SESSION_BASE + 1,
            context.registration(1, incarnation(1, 1), CLUSTER_ID, ""));

        assertTrue(context.image().broker(1).fenced());
        assertEquals(again.brokerEpoch(), context.image().broker(1).epoch());
        for (final Partition partition : context.image().topic("t").partitions())
        {
            assertEquals(2, partition.leader());
        }
    }

    @Test
    void producerIdBlocksFollowEachOtherForUnfencedBrokersOnly()
    {
        context.startBrokers(2);
        context.register(3, "");

        final ProducerIdBlock first = (ProducerIdBlock)context.send(new AllocateProducerIds(context.correlationId(), 1, context.epoch(1)));
        final ProducerIdBlock second = (ProducerIdBlock)context.send(new AllocateProducerIds(context.correlationId(), 2, context.epoch(2)));
        final MetadataReply fenced = context.send(new AllocateProducerIds(context.correlationId(), 3, context.epoch(3)));
        final MetadataReply stale = context.send(new AllocateProducerIds(context.correlationId(), 1, context.epoch(1) - 1));

        assertEquals(0, first.firstProducerId());
        assertEquals(1000, first.size());
        assertEquals(1000, second.firstProducerId());
        assertEquals(2000, context.image().nextProducerId());
        assertEquals(Errors.STALE_BROKER_EPOCH, ((CommandResult)fenced).error());
        assertEquals(Errors.STALE_BROKER_EPOCH, ((CommandResult)stale).error());
    }

    @Test
    void invalidRegistrationsAreRefusedWithoutChangingState()
    {
        final long version = context.image().version();

        final MetadataReply negative = context.send(context.registration(-1, incarnation(1, 1), CLUSTER_ID, ""));
        final MetadataReply noCluster = context.send(context.registration(1, incarnation(1, 1), "", ""));
        final MetadataReply zeroIncarnation = context.send(context.registration(1, org.apache.kafka.common.Uuid.ZERO_UUID, CLUSTER_ID, ""));

        assertEquals(Errors.INVALID_REQUEST, ((CommandResult)negative).error());
        assertEquals(Errors.INVALID_REQUEST, ((CommandResult)noCluster).error());
        assertEquals(Errors.INVALID_REQUEST, ((CommandResult)zeroIncarnation).error());
        assertEquals(version, context.image().version());
        assertEquals("", context.image().clusterId());
    }

    @Test
    void registrationWithBadListenersIsRefused()
    {
        final List<List<Endpoint>> bad = List.of(
            List.of(),
            List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 70_000, SecurityProtocol.PLAINTEXT.id)),
            List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092, (short)42)),
            List.of(new Endpoint("PLAINTEXT", "", 9092, SecurityProtocol.PLAINTEXT.id)),
            List.of(new Endpoint("A", "h", 1, SecurityProtocol.PLAINTEXT.id), new Endpoint("A", "h", 2, SecurityProtocol.PLAINTEXT.id)));

        for (final List<Endpoint> listeners : bad)
        {
            final MetadataReply reply = context.send(new RegisterBroker(context.correlationId(), 1, incarnation(1, 1), CLUSTER_ID, "", listeners));
            assertEquals(Errors.INVALID_REQUEST, ((CommandResult)reply).error(), listeners.toString());
        }
        assertTrue(context.image().brokers().isEmpty());
    }

    private Partition partitionLedBy(final int nodeId)
    {
        for (final MetadataImage.Topic topic : context.image().topics())
        {
            for (final Partition partition : topic.partitions())
            {
                if (partition.leader() == nodeId)
                {
                    return partition;
                }
            }
        }
        throw new AssertionError("broker " + nodeId + " leads nothing");
    }

    private Partition partitionWithReplica(final int nodeId)
    {
        for (final MetadataImage.Topic topic : context.image().topics())
        {
            for (final Partition partition : topic.partitions())
            {
                if (partition.replicas().contains(nodeId))
                {
                    return partition;
                }
            }
        }
        throw new AssertionError("broker " + nodeId + " has no replica");
    }

    private static int firstOtherThan(final List<Integer> replicas, final int nodeId)
    {
        return replicas.stream().filter(replica -> replica != nodeId).findFirst().orElseThrow();
    }
}
