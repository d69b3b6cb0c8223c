package io.runnel.broker.it;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileLogInputStream;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topic configs that change what produce stores, created through the Admin client and exercised
 * with stock producers and consumers: message.timestamp.type, message.timestamp.before/after.max.ms,
 * compression.type (with the broker's default), and max.message.bytes on the batch as stored.
 */
class TopicConfigsOnProduceTest
{
    private static final long TEN_YEARS_MS = TimeUnit.DAYS.toMillis(3653);
    private static final int TIME_INDEX_ENTRY_BYTES = 12;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_POLLS = 100;

    @TempDir
    Path dataDir;

    @Test
    void logAppendTimeTopicStampsEachBatchWithTheBrokersClockForProducerConsumerListOffsetsAndTimeIndex() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir);
        final long before;
        final long after;
        final List<RecordMetadata> sent = new ArrayList<>();
        try (Admin admin = broker.admin())
        {
            createTopic(admin, "stamped", Map.of("message.timestamp.type", "LogAppendTime"));
            before = System.currentTimeMillis();
            // A stale create time, past any CreateTime limit: LogAppendTime ignores it. One batch uncompressed, one gzip.
            try (KafkaProducer<byte[], byte[]> plain = broker.producer(Map.of());
                 KafkaProducer<byte[], byte[]> gzip = broker.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                     ProducerConfig.LINGER_MS_CONFIG, 1_000)))
            {
                sent.add(plain.send(new ProducerRecord<>("stamped", 0, before - TEN_YEARS_MS, null, "plain".getBytes())).get());
                final List<Future<RecordMetadata>> batch = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    batch.add(gzip.send(new ProducerRecord<>("stamped", 0, 1_000L + i, null, ("gzip-" + i).getBytes())));
                }
                gzip.flush();
                for (final Future<RecordMetadata> metadata : batch)
                {
                    sent.add(metadata.get());
                }
            }
            after = System.currentTimeMillis();

            for (final RecordMetadata metadata : sent)
            {
                assertBetween(before, metadata.timestamp(), after, "produce response's log_append_time_ms");
            }
            assertEquals(sent.get(1).timestamp(), sent.get(3).timestamp(), "one batch, one stamp");

            final List<ConsumerRecord<byte[], byte[]>> records = consumeAll(broker, "stamped", 4);
            for (int i = 0; i < records.size(); i++)
            {
                assertEquals(TimestampType.LOG_APPEND_TIME, records.get(i).timestampType());
                assertEquals(sent.get(i).timestamp(), records.get(i).timestamp());
            }

            final TopicPartition partition = new TopicPartition("stamped", 0);
            assertEquals(0L, listOffset(admin, partition, OffsetSpec.forTimestamp(before)).offset());
            // The gzip batch's stamp finds its first record (or the first batch's, if both were stamped in the same millisecond).
            final long gzipStamp = sent.get(1).timestamp();
            final int expected = sent.get(0).timestamp() >= gzipStamp ? 0 : 1;
            final ListOffsetsResult.ListOffsetsResultInfo found = listOffset(admin, partition, OffsetSpec.forTimestamp(gzipStamp));
            assertEquals(expected, found.offset());
            assertEquals(sent.get(expected).timestamp(), found.timestamp());
            assertEquals(-1L, listOffset(admin, partition, OffsetSpec.forTimestamp(after + 1)).offset(), "no record stamped later");
        }
        finally
        {
            broker.close();
        }
        // The time index holds the broker's stamp, not the producers' create times.
        final ByteBuffer timeIndex = ByteBuffer.wrap(Files.readAllBytes(segmentFile("stamped", ".timeindex"))).order(ByteOrder.BIG_ENDIAN);
        assertTrue(timeIndex.remaining() >= TIME_INDEX_ENTRY_BYTES, "the first batch is indexed");
        assertBetween(before, timeIndex.getLong(0), after, "time index entry");
    }

    @Test
    void brokerDefaultLogAppendTimeAppliesToATopicWithoutItsOwnSetting() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("log.message.timestamp.type", "LogAppendTime"));
             Admin admin = broker.admin();
             KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            createTopic(admin, "inherits", Map.of());
            createTopic(admin, "keeps-create-time", Map.of("message.timestamp.type", "CreateTime"));
            final long before = System.currentTimeMillis();
            final RecordMetadata stamped = producer.send(new ProducerRecord<>("inherits", 0, 42L, null, "v".getBytes())).get();
            final RecordMetadata kept = producer.send(new ProducerRecord<>("keeps-create-time", 0, before - 1_000, null, "v".getBytes())).get();

            assertBetween(before, stamped.timestamp(), System.currentTimeMillis(), "LogAppendTime from the broker default");
            assertEquals(before - 1_000, kept.timestamp(), "a CreateTime topic answers -1, so the producer reports the create time");
            assertEquals(TimestampType.CREATE_TIME, consumeAll(broker, "keeps-create-time", 1).get(0).timestampType());
        }
    }

    @Test
    void recordTenYearsAheadIsRefusedByDefaultAndOneMinuteAheadIsAccepted() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin();
             KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            createTopic(admin, "clocks", Map.of());
            final long now = System.currentTimeMillis();

            final ExecutionException refused = assertThrows(ExecutionException.class,
                () -> producer.send(new ProducerRecord<>("clocks", 0, now + TEN_YEARS_MS, null, "future".getBytes())).get());
            assertInstanceOf(InvalidTimestampException.class, refused.getCause());

            final RecordMetadata accepted = producer.send(new ProducerRecord<>("clocks", 0, now + 60_000, null, "soon".getBytes())).get();
            assertEquals(0L, accepted.offset(), "the refused batch took no offset");
            // before.max.ms is unlimited by default, as in Kafka: a record from ten years ago is kept.
            assertEquals(1L, producer.send(new ProducerRecord<>("clocks", 0, now - TEN_YEARS_MS, null, "past".getBytes())).get().offset());
            assertEquals(List.of("soon", "past"), values(consumeAll(broker, "clocks", 2)));
        }
    }

    @Test
    void batchWithOneRecordOutsideTheLimitsIsRefusedWhole() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin();
             KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 1_000,
                 ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")))
        {
            createTopic(admin, "whole-batch", Map.of("message.timestamp.after.max.ms", "60000"));
            final long now = System.currentTimeMillis();
            final List<Future<RecordMetadata>> batch = List.of(
                producer.send(new ProducerRecord<>("whole-batch", 0, now, null, "ok-1".getBytes())),
                producer.send(new ProducerRecord<>("whole-batch", 0, now + 600_000, null, "ten-minutes-ahead".getBytes())),
                producer.send(new ProducerRecord<>("whole-batch", 0, now, null, "ok-2".getBytes())));
            producer.flush();

            for (final Future<RecordMetadata> metadata : batch)
            {
                final ExecutionException refused = assertThrows(ExecutionException.class, metadata::get);
                assertInstanceOf(InvalidTimestampException.class, refused.getCause());
            }
            assertEquals(0L, endOffset(admin, "whole-batch"), "nothing of the batch was appended");
        }
    }

    @Test
    void beforeMaxMsRefusesOlderRecordsWhenSet() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin();
             KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            createTopic(admin, "recent-only", Map.of("message.timestamp.before.max.ms", "3600000"));
            final long now = System.currentTimeMillis();

            final ExecutionException refused = assertThrows(ExecutionException.class,
                () -> producer.send(new ProducerRecord<>("recent-only", 0, now - 2 * 3_600_000L, null, "stale".getBytes())).get());
            assertInstanceOf(InvalidTimestampException.class, refused.getCause());

            assertEquals(0L, producer.send(new ProducerRecord<>("recent-only", 0, now - 60_000, null, "fresh".getBytes())).get().offset());
            assertEquals(List.of("fresh"), values(consumeAll(broker, "recent-only", 1)));
        }
    }

    @Test
    void zstdTopicStoresGzipAndUncompressedBatchesAsZstdAndConsumersReadThem() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir);
        try (Admin admin = broker.admin())
        {
            createTopic(admin, "zstd-topic", Map.of("compression.type", "zstd"));
            produceOneBatchEach(broker, "zstd-topic", "gzip", "none", "zstd", "lz4");
            assertEquals(List.of("gzip-0", "gzip-1", "none-0", "none-1", "zstd-0", "zstd-1", "lz4-0", "lz4-1"),
                values(consumeAll(broker, "zstd-topic", 8)));
        }
        finally
        {
            broker.close();
        }
        assertEquals(List.of(CompressionType.ZSTD, CompressionType.ZSTD, CompressionType.ZSTD, CompressionType.ZSTD),
            storedCodecs("zstd-topic"));
    }

    @Test
    void producerCompressionTypeKeepsEachProducersCodec() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir);
        try (Admin admin = broker.admin())
        {
            createTopic(admin, "as-sent", Map.of());
            produceOneBatchEach(broker, "as-sent", "gzip", "none", "snappy");
        }
        finally
        {
            broker.close();
        }
        assertEquals(List.of(CompressionType.GZIP, CompressionType.NONE, CompressionType.SNAPPY), storedCodecs("as-sent"));
    }

    @Test
    void brokerCompressionTypeIsTheDefaultOfTopicsWithoutTheirOwn() throws Exception
    {
        final TestBroker broker = TestBroker.start(dataDir, Map.of("compression.type", "uncompressed"));
        try (Admin admin = broker.admin())
        {
            createTopic(admin, "inherits-uncompressed", Map.of());
            createTopic(admin, "own-lz4", Map.of("compression.type", "lz4"));
            produceOneBatchEach(broker, "inherits-uncompressed", "zstd", "snappy");
            produceOneBatchEach(broker, "own-lz4", "gzip");
            assertEquals(List.of("zstd-0", "zstd-1", "snappy-0", "snappy-1"), values(consumeAll(broker, "inherits-uncompressed", 4)));
        }
        finally
        {
            broker.close();
        }
        assertEquals(List.of(CompressionType.NONE, CompressionType.NONE), storedCodecs("inherits-uncompressed"));
        assertEquals(List.of(CompressionType.LZ4), storedCodecs("own-lz4"));
    }

    @Test
    void idempotentProducerKeepsItsSequenceAcrossReencodedBatches() throws Exception
    {
        final int batches = 20;
        final TestBroker broker = TestBroker.start(dataDir);
        try (Admin admin = broker.admin())
        {
            createTopic(admin, "idempotent-zstd", Map.of("compression.type", "zstd"));
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip", ProducerConfig.LINGER_MS_CONFIG, 1_000)))
            {
                for (int b = 0; b < batches; b++)
                {
                    producer.send(new ProducerRecord<>("idempotent-zstd", 0, null, ("b" + b + "-0").getBytes()));
                    producer.send(new ProducerRecord<>("idempotent-zstd", 0, null, ("b" + b + "-1").getBytes()));
                    producer.flush();
                }
                assertEquals(2L * batches, producer.send(new ProducerRecord<>("idempotent-zstd", 0, null, "last".getBytes())).get().offset());
            }
            assertEquals(2 * batches + 1, consumeAll(broker, "idempotent-zstd", 2 * batches + 1).size());
        }
        finally
        {
            broker.close();
        }
        try (FileRecords log = FileRecords.open(segmentFile("idempotent-zstd", ".log").toFile()))
        {
            long producerId = -1;
            int nextSequence = 0;
            int count = 0;
            for (final FileLogInputStream.FileChannelRecordBatch batch : log.batches())
            {
                batch.ensureValid();
                assertEquals(CompressionType.ZSTD, batch.compressionType());
                producerId = count == 0 ? batch.producerId() : producerId;
                assertTrue(producerId >= 0);
                assertEquals(producerId, batch.producerId());
                assertEquals(nextSequence, batch.baseSequence(), "sequences run on across re-encoded batches");
                nextSequence = batch.lastSequence() + 1;
                count++;
            }
            assertEquals(batches + 1, count);
            assertEquals(2 * batches + 1, nextSequence);
        }
    }

    @Test
    void maxMessageBytesAppliesToTheBatchAsStoredAfterReencoding() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir); Admin admin = broker.admin();
             KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip")))
        {
            createTopic(admin, "small-uncompressed", Map.of("compression.type", "uncompressed", "max.message.bytes", "20000"));
            createTopic(admin, "small-as-sent", Map.of("max.message.bytes", "20000"));
            // 100 kB of zeros: a few hundred bytes gzipped, 100 kB once stored uncompressed.
            final byte[] zeros = new byte[100_000];

            assertEquals(0L, producer.send(new ProducerRecord<>("small-as-sent", 0, null, zeros)).get().offset());
            final ExecutionException refused = assertThrows(ExecutionException.class,
                () -> producer.send(new ProducerRecord<>("small-uncompressed", 0, null, zeros)).get());
            assertInstanceOf(RecordTooLargeException.class, refused.getCause());
            assertEquals(0L, endOffset(admin, "small-uncompressed"));

            final byte[] small = new byte[1_000];
            assertEquals(0L, producer.send(new ProducerRecord<>("small-uncompressed", 0, null, small)).get().offset());
            assertArrayEquals(small, consumeAll(broker, "small-uncompressed", 1).get(0).value());
        }
    }

    /** One batch per codec, of two records each ("<codec>-0", "<codec>-1"), from a producer per codec. */
    private static void produceOneBatchEach(final TestBroker broker, final String topic, final String... codecs) throws Exception
    {
        for (final String codec : codecs)
        {
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 1_000)))
            {
                final Future<RecordMetadata> first = producer.send(new ProducerRecord<>(topic, 0, null, (codec + "-0").getBytes()));
                final Future<RecordMetadata> second = producer.send(new ProducerRecord<>(topic, 0, null, (codec + "-1").getBytes()));
                producer.flush();
                first.get();
                second.get();
            }
        }
    }

    /** The codec of every batch in the partition's (only) segment, read from the file after the broker stopped. */
    private List<CompressionType> storedCodecs(final String topic) throws Exception
    {
        final List<CompressionType> codecs = new ArrayList<>();
        try (FileRecords log = FileRecords.open(segmentFile(topic, ".log").toFile()))
        {
            for (final FileLogInputStream.FileChannelRecordBatch batch : log.batches())
            {
                batch.ensureValid();
                codecs.add(batch.compressionType());
            }
        }
        return codecs;
    }

    private Path segmentFile(final String topic, final String suffix) throws Exception
    {
        try (Stream<Path> files = Files.list(dataDir.resolve(topic + "-0")))
        {
            final List<Path> matching = files.filter(file -> file.getFileName().toString().endsWith(suffix)).toList();
            assertEquals(1, matching.size(), "one segment");
            return matching.get(0);
        }
    }

    private static void createTopic(final Admin admin, final String name, final Map<String, String> configs) throws Exception
    {
        admin.createTopics(List.of(new NewTopic(name, 1, (short)1).configs(configs))).all().get();
    }

    private static ListOffsetsResult.ListOffsetsResultInfo listOffset(final Admin admin, final TopicPartition partition, final OffsetSpec spec)
        throws Exception
    {
        return admin.listOffsets(Map.of(partition, spec)).partitionResult(partition).get();
    }

    private static long endOffset(final Admin admin, final String topic) throws Exception
    {
        return listOffset(admin, new TopicPartition(topic, 0), OffsetSpec.latest()).offset();
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeAll(final TestBroker broker, final String topic, final int expected)
    {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            for (int poll = 0; poll < MAX_POLLS && records.size() < expected; poll++)
            {
                consumer.poll(POLL).forEach(records::add);
            }
        }
        assertEquals(expected, records.size(), "records of " + topic);
        return records;
    }

    private static List<String> values(final List<ConsumerRecord<byte[], byte[]>> records)
    {
        return records.stream().map(record -> new String(record.value())).toList();
    }

    private static void assertBetween(final long low, final long value, final long high, final String what)
    {
        assertTrue(low <= value && value <= high, what + ": " + value + " not in [" + low + ", " + high + "]");
    }
}
