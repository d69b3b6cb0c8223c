package io.runnel.broker.it.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.runnel.broker.testing.LocalCluster;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three combined broker+controller nodes under one metadata quorum on Aeron Cluster, driven by
 * stock clients bootstrapped from all three: every broker is listed, a topic's leaders spread
 * over all of them, a config change made through one is seen by all, and a producer and a consumer
 * group move 1,000,000 keyed records through all three, each key in order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ThreeNodeClusterTest
{
    private static final int PARTITIONS = 6;
    private static final int RECORDS = 1_000_000;

    @TempDir
    Path root;

    @Test
    void topicsSpreadOverEveryBrokerAndRecordsRoundTripThroughAConsumerGroup() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(root, 3, Map.of()).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            // Each node starts once the quorum unfenced it; the others learn of that a moment later.
            Set<Integer> brokers = Set.of();
            final long listedBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (brokers.size() < 3 && System.nanoTime() < listedBy)
            {
                brokers = new HashSet<>();
                for (final Node node : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                {
                    brokers.add(node.id());
                }
                Thread.sleep(brokers.size() < 3 ? 100 : 0);
            }
            assertEquals(Set.of(1, 2, 3), brokers, "every broker is listed");
            assertNotNull(admin.describeCluster().controller().get(30, TimeUnit.SECONDS), "a controller is named");

            admin.createTopics(List.of(new NewTopic("spread", PARTITIONS, (short)1))).all().get(60, TimeUnit.SECONDS);
            final TopicDescription description = TestClients.describeOnceLed(admin, "spread");
            final Set<Integer> leaders = new HashSet<>();
            for (final TopicPartitionInfo partition : description.partitions())
            {
                assertNotNull(partition.leader(), "partition " + partition.partition() + " has a leader");
                leaders.add(partition.leader().id());
            }
            assertEquals(Set.of(1, 2, 3), leaders, "leaders on all three brokers");

            // A config change made through one broker is the quorum's: every broker reports it.
            final ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "spread");
            try (Admin viaNode1 = TestClients.admin(cluster.node(1).bootstrapServers()))
            {
                viaNode1.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"),
                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            }
            for (int node = 1; node <= 3; node++)
            {
                try (Admin viaNode = TestClients.admin(cluster.node(node).bootstrapServers()))
                {
                    final Config config = viaNode.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
                    assertEquals("3600000", config.get("retention.ms").value(), "node " + node + " has the topic's new retention.ms");
                }
            }

            try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(cluster.bootstrapServers(), Map.of("linger.ms", 5)))
            {
                final AtomicInteger failed = new AtomicInteger();
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>("spread", ("key-" + (i % 500)).getBytes(), Integer.toString(i).getBytes()),
                        (metadata, error) ->
                        {
                            if (error != null)
                            {
                                failed.incrementAndGet();
                            }
                        });
                }
                producer.flush();
                assertEquals(0, failed.get(), "every send acknowledged");
            }
            try (KafkaConsumer<byte[], byte[]> consumer = TestClients.consumer(cluster.bootstrapServers(),
                Map.of("group.id", "cluster-readers", "auto.offset.reset", "earliest")))
            {
                consumer.subscribe(List.of("spread"));
                final BitSet seen = new BitSet(RECORDS);
                // Keyed order: each key's values arrive in the order they were sent.
                final Map<String, Integer> lastPerKey = new HashMap<>();
                final long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (seen.cardinality() < RECORDS && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                    {
                        final int value = Integer.parseInt(new String(record.value()));
                        final Integer previous = lastPerKey.put(new String(record.key()), value);
                        assertTrue(previous == null || previous < value, "key " + new String(record.key()) + " in order");
                        seen.set(value);
                    }
                }
                assertEquals(RECORDS, seen.cardinality(), "every record read back through the group");
                consumer.commitSync(Duration.ofSeconds(30));
            }
        }
    }
}
