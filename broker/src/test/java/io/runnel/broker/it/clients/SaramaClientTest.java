package io.runnel.broker.it.clients;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sarama 1.22.1 (Debian's golang-github-shopify-sarama-dev, built in GOPATH mode by
 * bin/install-client-matrix; {@code clients/sarama/driver.go}) at protocol version 2.1.0: the matrix
 * round trip with none, gzip, snappy and lz4; zstd is produced and read back by the Java consumer,
 * since this Sarama fetches with Fetch v4 and a broker sends zstd batches only from Fetch v10 (KIP-110).
 * Admin: ClusterAdmin create/describe/delete topic, describe config (v0, which Kafka 4 refuses), list and
 * describe groups.
 */
class SaramaClientTest
{
    private static final ClientDriver DRIVER = ClientDriver.sarama();

    private static final List<String> ROUND_TRIP_CODECS = List.of("none", "gzip", "snappy", "lz4");

    @TempDir
    Path dataDir;

    @Test
    void producesEveryCodecAndAcksLevelAndResumesItsGroupAfterTheCommittedOffset() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            ClientMatrix.roundTrip(broker, admin, DRIVER, "sarama-matrix", "sarama-group", ROUND_TRIP_CODECS);
            ClientMatrix.produce(broker, admin, DRIVER, "sarama-zstd", List.of("zstd"));
            ClientMatrix.assertJavaConsumerReads(broker, "sarama-zstd", List.of("zstd"));
        }
    }

    @Test
    void adminCallsCreateDescribeAndDeleteATopicAndListAndDescribeGroups() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final Map<Integer, Long> committed = ClientMatrix.groupWithCommittedOffsets(broker, admin, DRIVER, "sarama-consumed", "sarama-admin-group");
            final ClientDriver.Run run = DRIVER.run(broker.bootstrapServers(), "sarama-created", "sarama-admin-group", "admin")
                .assertSucceeded("Sarama admin");
            // This Sarama describes configs with DescribeConfigs v0, which Apache Kafka 4 refuses (KIP-896):
            // the right value or that refusal both pass.
            final String cleanup = run.result().path("cleanup.policy").asText();
            assertTrue(cleanup.equals("delete") || cleanup.startsWith("error: DescribeConfig"), "cleanup.policy" + run.transcript());
            ((ObjectNode)run.result()).remove("cleanup.policy");
            ClientMatrix.assertAdminResult(admin, DRIVER, run, "sarama-created", "sarama-admin-group", "sarama-consumed", committed,
                List.of("created", "partitions", "listed_groups", "groups"));
        }
    }
}
