package io.runnel.broker.it.hostile;

import java.nio.file.Path;
import java.util.Arrays;
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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Compressed batches whose header and CRC are consistent but whose compressed records are not:
 * the broker inspects them (runnel.validate.compressed.records, on by default) and must answer
 * with an error code, append nothing, and keep serving.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileCompressedBatchTest
{
    private static final Map<String, Compression> CODECS = Map.of(
        "gzip", Compression.gzip().build(),
        "snappy", Compression.snappy().build(),
        "lz4", Compression.lz4().build(),
        "zstd", Compression.zstd().build());
    private static final Set<Errors> CORRUPT_OR_INVALID = Set.of(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD);

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

    @Test
    void validCompressedBatchesOfEveryCodecAreAccepted() throws Exception
    {
        for (final Map.Entry<String, Compression> codec : CODECS.entrySet())
        {
            final String topic = probe.createTopic("valid-" + codec.getKey(), Map.of());
            try (RawKafkaClient client = probe.raw())
            {
                final byte[] batch = Batches.compressed(codec.getValue(), "c-1", "c-2", "c-3");
                assertEquals(Errors.NONE.code(), client.produce(topic, 0, Batches.wrap(batch)).errorCode(), codec.getKey());
            }
            assertEquals(List.of("c-1", "c-2", "c-3"), BrokerProbe.values(probe.readPartition(new TopicPartition(topic, 0), 0, 3)));
        }
        probe.assertBrokerServesOthers();
    }

    @Test
    void compressedBatchWithUndecodablePayloadIsRejectedAndNotAppended() throws Exception
    {
        for (final Map.Entry<String, Compression> codec : CODECS.entrySet())
        {
            final String topic = probe.seededTopic("undecodable-" + codec.getKey());
            final byte[] good = Batches.compressed(codec.getValue(), "u-1", "u-2", "u-3", "u-4");
            final byte[] payload = Batches.recordsSection(good);

            // The compressed stream cut in half.
            probe.assertRejectedWithoutTrace(topic,
                Batches.withRecordsSection(good, Arrays.copyOf(payload, payload.length / 2)), CORRUPT_OR_INVALID);
            // Bytes that are no stream of this codec at all.
            final byte[] garbage = new byte[48];
            Arrays.fill(garbage, (byte)0x5A);
            probe.assertRejectedWithoutTrace(topic, Batches.withRecordsSection(good, garbage), CORRUPT_OR_INVALID);
            // Nothing at all.
            probe.assertRejectedWithoutTrace(topic, Batches.withRecordsSection(good, new byte[0]), CORRUPT_OR_INVALID);
        }
        probe.assertBrokerServesOthers();
    }

    @Test
    void compressedBatchWhoseRecordCountLiesIsRejectedAndNotAppended() throws Exception
    {
        for (final Map.Entry<String, Compression> codec : CODECS.entrySet())
        {
            final String topic = probe.seededTopic("compressed-count-" + codec.getKey());
            for (final int lie : new int[] {+1, -1})
            {
                final byte[] batch = Batches.compressed(codec.getValue(), "l-1", "l-2", "l-3");
                Batches.putInt(batch, Batches.RECORDS_COUNT_OFFSET, 3 + lie);
                Batches.putInt(batch, Batches.LAST_OFFSET_DELTA_OFFSET, 2 + lie);
                Batches.withRecomputedCrc(batch);
                probe.assertRejectedWithoutTrace(topic, batch, CORRUPT_OR_INVALID);
            }
        }
        probe.assertBrokerServesOthers();
    }

    @Test
    void undefinedCompressionCodecIsRejectedAndNotAppended() throws Exception
    {
        final String topic = probe.seededTopic("undefined-codec");
        for (int codecId = 5; codecId <= 7; codecId++)
        {
            final byte[] batch = Batches.v2("codec-" + codecId);
            batch[Batches.ATTRIBUTES_OFFSET + 1] = (byte)((batch[Batches.ATTRIBUTES_OFFSET + 1] & ~0x07) | codecId);
            Batches.withRecomputedCrc(batch);
            probe.assertRejectedWithoutTrace(topic, batch,
                Set.of(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD, Errors.UNSUPPORTED_COMPRESSION_TYPE));
        }
        probe.assertBrokerServesOthers();
    }
}
