package io.runnel.broker.it.clients;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafka-python 2.0.2 (Debian, with python3-snappy, -lz4 and -zstandard for its codecs;
 * {@code clients/kafka-python/driver.py}): the matrix round trip with every codec; KafkaAdminClient
 * create/delete topic, describe configs, list and describe groups, list a group's offsets.
 */
class KafkaPythonClientTest
{
    private static final ClientDriver DRIVER = ClientDriver.python("kafka-python", "kafka-python", "kafka");

    @TempDir
    Path dataDir;

    @Test
    void producesEveryCodecAndAcksLevelAndResumesItsGroupAfterTheCommittedOffset() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            ClientMatrix.roundTrip(broker, admin, DRIVER, "kafkapython-matrix", "kafkapython-group", ClientMatrix.ALL_CODECS);
        }
    }

    @Test
    void adminCallsCreateDescribeAndDeleteATopicAndListAndDescribeGroups() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final Map<Integer, Long> committed = ClientMatrix.groupWithCommittedOffsets(broker, admin, DRIVER, "kafkapython-consumed", "kafkapython-admin-group");
            final ClientDriver.Run run = DRIVER.run(broker.bootstrapServers(), "kafkapython-created", "kafkapython-admin-group", "admin");
            ClientMatrix.assertAdminResult(admin, DRIVER, run, "kafkapython-created", "kafkapython-admin-group", "kafkapython-consumed", committed,
                List.of("created", "cleanup.policy", "listed_groups", "groups", "offsets"));
        }
    }
}
