package io.runnel.broker.it.clients;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KafkaJS 2.2.4 from npm ({@code clients/kafkajs}, installed with npm ci from its package-lock.json): the
 * matrix round trip with gzip (built in), snappy and lz4 (kafkajs-snappy, kafkajs-lz4); no zstd, as no
 * zstd plugin builds on Node 20. Admin: create/describe/delete topic, describe configs, list and
 * describe groups, fetch a group's offsets.
 */
class KafkaJsClientTest
{
    private static final ClientDriver DRIVER = ClientDriver.kafkaJs();

    /** No zstd plugin for KafkaJS builds on Node 20 (@kafkajs/zstd needs a C++17 rebuild of cppzst). */
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4");

    @TempDir
    Path dataDir;

    @Test
    void producesEveryCodecAndAcksLevelAndResumesItsGroupAfterTheCommittedOffset() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            ClientMatrix.roundTrip(broker, admin, DRIVER, "kafkajs-matrix", "kafkajs-group", CODECS);
        }
    }

    @Test
    void adminCallsCreateDescribeAndDeleteATopicAndListAndDescribeGroups() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin())
        {
            final Map<Integer, Long> committed = ClientMatrix.groupWithCommittedOffsets(broker, admin, DRIVER, "kafkajs-consumed", "kafkajs-admin-group");
            final ClientDriver.Run run = DRIVER.run(broker.bootstrapServers(), "kafkajs-created", "kafkajs-admin-group", "admin");
            ClientMatrix.assertAdminResult(admin, DRIVER, run, "kafkajs-created", "kafkajs-admin-group", "kafkajs-consumed", committed,
                List.of("created", "partitions", "cleanup.policy", "listed_groups", "groups", "offsets"));
        }
    }
}
