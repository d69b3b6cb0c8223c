package io.runnel.broker.it.hostile;

import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ~130-byte gzip batch, consistent in header and CRC, whose single compressed record claims a
 * body of almost 2 GiB. Kafka's broker walks compressed records with a skip-key/value iterator
 * that never allocates a record body; kafka-clients' streaming iterator allocates the claimed size
 * before reading it. The broker must answer CORRUPT_MESSAGE (or INVALID_RECORD) promptly, append
 * nothing, and keep serving on every shard. Its own broker: if this goes wrong, a shard may die.
 * (Under the test JVM's -Xmx2g the allocation fails at once rather than succeeding.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileCompressedRecordSizeTest
{
    @TempDir
    Path dataDir;

    @Test
    void compressedRecordClaimingAHugeBodyIsRejectedWithoutKillingTheShard() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2"));
            BrokerProbe probe = new BrokerProbe(broker))
        {
            final String topic = probe.seededTopic("huge-record-claim");
            final TopicPartition tp = new TopicPartition(topic, 0);
            final byte[] template = Batches.compressed(Compression.gzip().build(), "template");
            final byte[] claimedRecord = Batches.concat(Batches.varint(Integer.MAX_VALUE - 8), new byte[16]);
            final byte[] hostile = Batches.withRecordsSection(template, Batches.gzip(claimedRecord));
            assertTrue(hostile.length < 200, "the attack is small: " + hostile.length + " bytes");

            final List<String> problems = new ArrayList<>();
            try (RawKafkaClient client = probe.raw())
            {
                final int correlationId = client.send(ApiKeys.PRODUCE, (short)11,
                    RawKafkaClient.produceRequest((short)1, topic, 0, Batches.wrap(hostile)));
                final ByteBuffer frame = client.receiveFrameWithin(Duration.ofSeconds(8));
                if (frame == null)
                {
                    problems.add("the broker closed the connection instead of answering with an error code");
                }
                else
                {
                    final ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
                    final int answered = new ResponseHeaderData(accessor, ApiKeys.PRODUCE.responseHeaderVersion((short)11)).correlationId();
                    final Errors error = Errors.forCode(RawKafkaClient.onlyPartition(new ProduceResponseData(accessor, (short)11)).errorCode());
                    if (answered != correlationId || (error != Errors.CORRUPT_MESSAGE && error != Errors.INVALID_RECORD))
                    {
                        problems.add("answered correlation id " + answered + " with " + error + ", expected CORRUPT_MESSAGE or INVALID_RECORD");
                    }
                }
            }
            catch (final SocketTimeoutException ex)
            {
                problems.add("no produce response within 8 s: the request died inside the broker");
            }
            // Whatever happened to the request, every shard must still serve, and the log must be untouched.
            try
            {
                if (probe.endOffset(tp) != 1)
                {
                    problems.add("log end offset moved to " + probe.endOffset(tp));
                }
                probe.assertBrokerServesOthers();
            }
            catch (final Throwable ex)
            {
                problems.add("the broker no longer serves other clients: " + ex);
            }
            assertTrue(problems.isEmpty(), String.join("; ", problems));
        }
    }
}
