package io.runnel.broker.it.clients;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * librdkafka (Debian's 2.0.2) through confluent-kafka-python 1.7.0 ({@code clients/confluent-python/driver.py}):
 * the matrix round trip with every codec; AdminClient create/describe/delete topic, describe configs,
 * list groups (which librdkafka answers with ListGroups then DescribeGroups).
 */
class ConfluentKafkaPythonClientTest
{
    private static final ClientDriver DRIVER = ClientDriver.python("confluent-kafka-python", "confluent-python", "confluent_kafka");

    @TempDir
    Path dataDir;

    @Test
    void producesEveryCodecAndAcksLevelAndResumesItsGroupAfterTheCommittedOffset() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            ClientMatrix.roundTrip(broker, admin, DRIVER, "confluent-matrix", "confluent-group", ClientMatrix.ALL_CODECS);
        }
    }

    @Test
    void adminCallsCreateDescribeAndDeleteATopicAndListAndDescribeGroups() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final Map<Integer, Long> committed = ClientMatrix.groupWithCommittedOffsets(broker, admin, DRIVER, "confluent-consumed", "confluent-admin-group");
            final ClientDriver.Run run = DRIVER.run(broker.bootstrapServers(), "confluent-created", "confluent-admin-group", "admin");
            ClientMatrix.assertAdminResult(admin, DRIVER, run, "confluent-created", "confluent-admin-group", "confluent-consumed", committed,
                List.of("created", "partitions", "cleanup.policy", "groups"));
        }
    }
}
