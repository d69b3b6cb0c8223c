package io.runnel.broker.it.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Batches whose header and CRC are valid but whose records are not framed as they say: the broker
 * answers INVALID_RECORD (as Kafka 4.3.1 does for an uncompressed batch), appends nothing (the log
 * end offset stays, a fetch returns no such record, the next batch takes the same offset) and keeps
 * serving. The same malformations are refused inside every codec's compressed batch, where Kafka
 * 4.3.1 stores some of them (a record whose length disagrees with its fields) and its consumers
 * then fail to read the partition.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileRecordFramingTest
{
    private static final Map<String, Compression> CODECS = new LinkedHashMap<>();

    static
    {
        CODECS.put("none", Compression.NONE);
        CODECS.put("gzip", Compression.gzip().build());
        CODECS.put("snappy", Compression.snappy().build());
        CODECS.put("lz4", Compression.lz4().build());
        CODECS.put("zstd", Compression.zstd().build());
    }

    @TempDir
    static Path dataDir;

    private static TestBroker broker;
    private static BrokerProbe probe;

    @BeforeAll
    static void startBroker() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2"));
        probe = new BrokerProbe(broker);
    }

    @AfterAll
    static void stopBroker()
    {
        if (probe != null)
        {
            probe.close();
        }
        if (broker != null)
        {
            broker.close();
        }
    }

    /** Record fields, with every length under the test's control (zig-zag varints, as the v2 format has them). */
    private static final class Fields
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Fields varint(final int value)
        {
            final byte[] bytes = Batches.varint(value);
            out.write(bytes, 0, bytes.length);
            return this;
        }

        Fields raw(final String text)
        {
            final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
            return this;
        }

        /** attributes 0, timestamp delta 0, the offset delta. */
        Fields start(final int offsetDelta)
        {
            out.write(0);
            return varint(0).varint(offsetDelta);
        }

        byte[] bytes()
        {
            return out.toByteArray();
        }
    }

    private static Fields fields()
    {
        return new Fields();
    }

    private static byte[] record(final byte[] body)
    {
        return Batches.concat(Batches.varint(body.length), body);
    }

    private static byte[] good(final int offsetDelta, final String value)
    {
        return record(fields().start(offsetDelta).varint(-1).varint(value.length()).raw(value).varint(0).bytes());
    }

    /** Each malformation: the record count the header declares and the (uncompressed) records section. */
    private static Map<String, Object[]> malformations()
    {
        final byte[] body = fields().start(0).varint(1).raw("k").varint(5).raw("value").varint(0).bytes();
        final Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("record length running past the batch", new Object[] {1, Batches.concat(Batches.varint(body.length + 40), body)});
        cases.put("record length one byte short of its fields", new Object[] {1, Batches.concat(Batches.varint(body.length - 1), body)});
        cases.put("record length taking the next record's bytes", new Object[] {2,
            Batches.concat(Batches.varint(body.length + 3), body, good(1, "next"))});
        cases.put("header count larger than what remains", new Object[] {1,
            record(fields().start(0).varint(-1).varint(1).raw("v").varint(1000).bytes())});
        cases.put("negative header count", new Object[] {1, record(fields().start(0).varint(-1).varint(1).raw("v").varint(-3).bytes())});
        cases.put("key length longer than the key", new Object[] {1, record(fields().start(0).varint(6).raw("k").varint(1).raw("v").varint(0).bytes())});
        cases.put("value length shorter than the value", new Object[] {1, record(fields().start(0).varint(-1).varint(2).raw("value").varint(0).bytes())});
        cases.put("record count 3, two records present", new Object[] {3, Batches.concat(good(0, "a"), good(1, "b"))});
        cases.put("record count 1, two records present", new Object[] {1, Batches.concat(good(0, "a"), good(1, "b"))});
        cases.put("trailing bytes after the last record", new Object[] {2, Batches.concat(good(0, "a"), good(1, "b"), new byte[] {0, 0, 0})});
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void malformedRecordsAreRefusedWithInvalidRecordAndLeaveNoTrace(final String codec) throws Exception
    {
        final String topic = probe.seededTopic("framing-" + codec);
        for (final Map.Entry<String, Object[]> malformation : malformations().entrySet())
        {
            final byte[] batch = Batches.withRecords(CODECS.get(codec), (Integer)malformation.getValue()[0], (byte[])malformation.getValue()[1]);
            try
            {
                probe.assertRejectedWithoutTrace(topic, batch, Set.of(Errors.INVALID_RECORD));
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(codec + ": " + malformation.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        probe.assertBrokerServesOthers();
    }

    @Test
    void wellFramedBatchesBuiltTheSameWayAreStoredAndReadBack() throws Exception
    {
        // The control for the test above: the same construction with honest lengths is accepted.
        for (final Map.Entry<String, Compression> codec : CODECS.entrySet())
        {
            final String topic = probe.createTopic("framing-ok-" + codec.getKey(), Map.of());
            final byte[] batch = Batches.withRecords(codec.getValue(), 2, Batches.concat(good(0, "first"), good(1, "second")));
            try (RawKafkaClient client = probe.raw())
            {
                assertEquals(Errors.NONE.code(), client.produce(topic, 0, Batches.wrap(batch)).errorCode(), codec.getKey());
            }
            assertEquals(List.of("first", "second"), BrokerProbe.values(probe.readPartition(new TopicPartition(topic, 0), 0, 2)));
        }
    }
}
