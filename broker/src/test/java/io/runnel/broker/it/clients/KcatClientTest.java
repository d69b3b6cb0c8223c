package io.runnel.broker.it.clients;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.testing.LocalCluster;
import io.runnel.broker.testing.TestBroker;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * librdkafka (Debian's 2.0.2) through kcat 1.7.1 ({@code clients/kcat/driver.sh}): the matrix round trip
 * with every codec, and kcat's only admin call, the metadata listing.
 */
class KcatClientTest
{
    private static final ClientDriver KCAT = ClientDriver.kcat();

    @TempDir
    Path dataDir;

    @Test
    void producesEveryCodecAndAcksLevelAndResumesItsGroupAfterTheCommittedOffset() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            ClientMatrix.roundTrip(broker, admin, KCAT, "kcat-matrix", "kcat-group", ClientMatrix.ALL_CODECS);
        }
    }

    @Test
    void metadataListsTheBrokerAndEveryPartitionWithItAsLeader() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            KCAT.assertInstalled();
            admin.createTopics(List.of(new NewTopic("kcat-listed", ClientMatrix.PARTITIONS, (short)1))).all().get();
            final ClientDriver.Run run = KCAT.run(broker.bootstrapServers(), "kcat-listed", "-", "admin").assertSucceeded("kcat -L");
            final JsonNode metadata = run.result();
            final JsonNode brokers = metadata.get("brokers");
            assertEquals(1, brokers.size(), "brokers" + run.transcript());
            assertEquals(broker.bootstrapServers(), brokers.get(0).get("name").asText(), "broker address" + run.transcript());
            final JsonNode topic = metadata.get("topics").get(0);
            assertEquals("kcat-listed", topic.get("topic").asText(), run.transcript());
            assertEquals(ClientMatrix.PARTITIONS, topic.get("partitions").size(), "partitions" + run.transcript());
            for (final JsonNode partition : topic.get("partitions"))
            {
                assertEquals(brokers.get(0).get("id").asInt(), partition.get("leader").asInt(), "leader" + run.transcript());
            }
        }
    }

    @Test
    void metadataOfAClusterListsItsThreeBrokersAndLeadersOnEach() throws Exception
    {
        KCAT.assertInstalled();
        try (LocalCluster cluster = new LocalCluster(dataDir, 3, Map.of()).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic("kcat-cluster", 6, (short)1))).all().get();
            final ClientDriver.Run run = KCAT.run(cluster.bootstrapServers(), "kcat-cluster", "-", "admin").assertSucceeded("kcat -L");
            final JsonNode metadata = run.result();
            final Set<Integer> brokers = new HashSet<>();
            metadata.get("brokers").forEach(broker -> brokers.add(broker.get("id").asInt()));
            assertEquals(Set.of(1, 2, 3), brokers, "brokers" + run.transcript());
            final Set<Integer> leaders = new HashSet<>();
            metadata.get("topics").get(0).get("partitions").forEach(partition -> leaders.add(partition.get("leader").asInt()));
            assertEquals(Set.of(1, 2, 3), leaders, "leaders" + run.transcript());
        }
    }
}
