package io.runnel.cluster.metadata;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementTest
{
    @Test
    void leadersAndReplicasSpreadEvenlyOverThreeBrokers()
    {
        final MetadataTestContext context = new MetadataTestContext();
        context.startBrokers(3);

        context.createTopic("orders", 6, 3);

        final Topic topic = context.image().topic("orders");
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leadersPerBroker(List.of(topic)));
        for (final Partition partition : topic.partitions())
        {
            assertEquals(3, new HashSet<>(partition.replicas()).size(), "distinct replicas: " + partition);
        }
    }

    @Test
    void followersOfOneLeaderAreNotAlwaysTheSameBrokers()
    {
        final MetadataTestContext context = new MetadataTestContext();
        context.startBrokers(4);

        context.createTopic("wide", 8, 2);

        final Set<Integer> followersOfBroker1 = new HashSet<>();
        for (final Partition partition : context.image().topic("wide").partitions())
        {
            if (partition.leader() == 1)
            {
                followersOfBroker1.add(partition.replicas().get(1));
            }
        }
        assertEquals(2, followersOfBroker1.size(), "the second round shifts the followers");
    }

    @Test
    void theStartRotatesSoSinglePartitionTopicsGetDifferentLeaders()
    {
        final MetadataTestContext context = new MetadataTestContext();
        context.startBrokers(3);

        for (int i = 0; i < 6; i++)
        {
            context.createTopic("single-" + i, 1, 1);
        }

        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leadersPerBroker(context.image().topics()));
    }

    @Test
    void replicasOfAPartitionAreOnDifferentRacksWhenRacksAreSet()
    {
        final MetadataTestContext context = new MetadataTestContext();
        context.startBrokers(6, "rack-a", "rack-a", "rack-b", "rack-b", "rack-c", "rack-c");

        context.createTopic("racked", 12, 3);

        final MetadataImage image = context.image();
        final Topic topic = image.topic("racked");
        for (final Partition partition : topic.partitions())
        {
            final Set<String> racks = new HashSet<>();
            for (final int replica : partition.replicas())
            {
                racks.add(image.broker(replica).rack());
            }
            assertEquals(3, racks.size(), "one replica per rack: " + partition);
        }
        assertEquals(Map.of(1, 2, 2, 2, 3, 2, 4, 2, 5, 2, 6, 2), leadersPerBroker(List.of(topic)));
    }

    @Test
    void withFewerRacksThanReplicasEveryRackIsUsedBeforeOneRepeats()
    {
        final MetadataTestContext context = new MetadataTestContext();
        context.startBrokers(4, "rack-a", "rack-b");

        context.createTopic("two-racks", 4, 3);

        final MetadataImage image = context.image();
        for (final Partition partition : image.topic("two-racks").partitions())
        {
            final Set<String> racks = new HashSet<>();
            for (final int replica : partition.replicas())
            {
                racks.add(image.broker(replica).rack());
            }
            assertEquals(2, racks.size(), partition.toString());
            assertEquals(3, new HashSet<>(partition.replicas()).size());
        }
    }

    @Test
    void fencedBrokersGetNoNewReplicas()
    {
        final MetadataTestContext context = new MetadataTestContext();
        context.startBrokers(3);
        context.heartbeat(2, true, false);

        context.createTopic("avoid-2", 6, 2);

        for (final Partition partition : context.image().topic("avoid-2").partitions())
        {
            assertTrue(!partition.replicas().contains(2), partition.toString());
        }
    }

    @Test
    void placementIsAFunctionOfItsInputs()
    {
        final List<Broker> brokers = List.of(broker(1, "x"), broker(2, "y"), broker(3, "x"), broker(5, "z"));

        final List<List<Integer>> first = new ReplicaPlacer(brokers).place(3, 20, 3);
        final List<List<Integer>> second = new ReplicaPlacer(brokers).place(3, 20, 3);

        assertEquals(first, second);
        assertEquals(List.of(1, 2, 5, 3), new ReplicaPlacer(brokers).place(0, 4, 1).stream().map(replicas -> replicas.get(0)).toList(),
            "leaders go round the racks in turn: x, y, z, then x's second broker");
    }

    private static Broker broker(final int nodeId, final String rack)
    {
        return new Broker(nodeId, new Uuid(1, nodeId), 1, rack, List.of(), false, false, false);
    }

    private static Map<Integer, Integer> leadersPerBroker(final Iterable<Topic> topics)
    {
        final Map<Integer, Integer> leaders = new TreeMap<>();
        for (final Topic topic : topics)
        {
            for (final Partition partition : topic.partitions())
            {
                leaders.merge(partition.leader(), 1, Integer::sum);
            }
        }
        return leaders;
    }
}
