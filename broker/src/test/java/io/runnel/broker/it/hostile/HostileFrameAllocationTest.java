package io.runnel.broker.it.hostile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A frame size the configuration allows but memory does not: with socket.request.max.bytes at
 * its maximum (Integer.MAX_VALUE, which the broker accepts), a 4-byte size prefix must not make
 * the broker allocate a frame buffer of that size; memory follows the bytes that arrive, and the
 * broker goes on serving everyone else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileFrameAllocationTest
{
    @TempDir
    Path dataDir;

    @Test
    void claimedHugeFrameIsNotAllocatedUpFrontAndBrokerKeepsServing() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of(
            "runnel.shards", "2",
            "socket.request.max.bytes", Integer.toString(Integer.MAX_VALUE))))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("alloc", 2, (short)1))).all().get(15, TimeUnit.SECONDS);
            }
            // Two hostile connections, so that each shard gets one (the acceptor deals round-robin).
            final RawKafkaClient[] hostile = {RawKafkaClient.connect(broker.port()), RawKafkaClient.connect(broker.port())};
            try
            {
                for (final RawKafkaClient client : hostile)
                {
                    // Size Integer.MAX_VALUE (a direct buffer that large cannot exist), then more bytes,
                    // which keep the socket readable.
                    client.sendRaw(ByteBuffer.allocate(4 + 256).putInt(Integer.MAX_VALUE).array());
                }

                // Everyone else, on both shards, is still served.
                for (int i = 0; i < 4; i++)
                {
                    try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
                    {
                        final ApiVersionsResponseData versions = client.apiVersions((short)3);
                        assertEquals(Errors.NONE.code(), versions.errorCode());
                    }
                }
                try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000)))
                {
                    for (int partition = 0; partition < 2; partition++)
                    {
                        producer.send(new ProducerRecord<>("alloc", partition, null, "ok".getBytes(StandardCharsets.UTF_8)))
                            .get(15, TimeUnit.SECONDS);
                    }
                }

                // The broker grows a frame's buffer as its bytes arrive, so the claim alone costs
                // nothing: the hostile connections simply wait for bytes that never come.
                for (final RawKafkaClient client : hostile)
                {
                    client.sendRaw(new byte[1 << 20]);
                }
                try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
                {
                    assertEquals(Errors.NONE.code(), client.apiVersions((short)3).errorCode());
                }
            }
            finally
            {
                for (final RawKafkaClient client : hostile)
                {
                    client.close();
                }
            }
            // The hostile sockets are gone: a fresh client still gets answers from both shards.
            for (int i = 0; i < 2; i++)
            {
                try (RawKafkaClient client = RawKafkaClient.connect(broker.port()))
                {
                    assertEquals(Errors.NONE.code(), client.apiVersions((short)3).errorCode());
                    assertEquals(Errors.NONE.code(), client.produce("alloc", i, Batches.wrap(Batches.v2("after-" + i))).errorCode());
                }
            }
        }
    }
}
