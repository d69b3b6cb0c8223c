package io.runnel.broker.it;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ListOffsets below v4 has no leader-epoch field: librdkafka (v2) and KafkaJS (v3) must get the
 * latest offset, not an error. Every advertised version is asked on one connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ListOffsetsOlderVersionsTest
{
    private static final String TOPIC = "offsets";
    private static final long LATEST = -1L;
    /** The ListOffsets versions ApiVersions advertises. */
    private static final short FIRST_ADVERTISED = 1;
    private static final short LAST_ADVERTISED = 11;

    @TempDir
    Path dataDir;

    @Test
    void everyAdvertisedVersionAnswersTheLatestOffset() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of()))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < 3; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[] {(byte)i})).get(30, TimeUnit.SECONDS);
                }
            }
            try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
            {
                for (short version = FIRST_ADVERTISED; version <= LAST_ADVERTISED; version++)
                {
                    final ListOffsetsRequestData request = new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                        new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(LATEST)))));
                    final ListOffsetsResponseData response = raw.request(ApiKeys.LIST_OFFSETS, version, request);
                    final var partition = response.topics().get(0).partitions().get(0);
                    assertEquals(Errors.NONE.code(), partition.errorCode(), "v" + version);
                    assertEquals(3, partition.offset(), "v" + version);
                }
            }
        }
    }
}
