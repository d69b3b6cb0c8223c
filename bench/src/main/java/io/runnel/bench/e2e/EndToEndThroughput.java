package io.runnel.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end produce-then-consume throughput against any Kafka-API broker, with the stock
 * kafka-clients producer and consumer: sends N records of a fixed size as fast as the producer
 * goes (publish latency per record in HdrHistogram), then reads them all back with assign().
 * Bounded by record count and by a wall-clock cap; prints one JSON object and writes it to --out.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.runnel.bench.e2e.EndToEndThroughput \
 *   --bootstrap 127.0.0.1:9092 --record-size 100 --records 2000000 --acks 1 --out result.json
 * </pre>
 */
public final class EndToEndThroughput
{
    private static final long MAX_PHASE_SECONDS = 300;

    private EndToEndThroughput()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = parse(args);
        final String bootstrap = options.getOrDefault("bootstrap", "127.0.0.1:9092");
        final int recordSize = Integer.parseInt(options.getOrDefault("record-size", "100"));
        final long records = Long.parseLong(options.getOrDefault("records", "1000000"));
        final int partitions = Integer.parseInt(options.getOrDefault("partitions", "6"));
        final String acks = options.getOrDefault("acks", "1");
        final String compression = options.getOrDefault("compression", "none");
        final String topic = options.getOrDefault("topic", "e2e-" + recordSize + "b-acks" + acks + "-" + System.currentTimeMillis());

        createTopic(bootstrap, topic, partitions);
        final Map<String, Object> produced = produce(bootstrap, topic, recordSize, records, acks, compression, options);
        final Map<String, Object> consumed = consume(bootstrap, topic, partitions, records);

        final StringBuilder json = new StringBuilder("{\n");
        json.append("  \"bootstrap\": \"").append(bootstrap).append("\",\n");
        json.append("  \"topic\": \"").append(topic).append("\",\n");
        json.append("  \"partitions\": ").append(partitions).append(",\n");
        json.append("  \"recordSize\": ").append(recordSize).append(",\n");
        json.append("  \"records\": ").append(records).append(",\n");
        json.append("  \"acks\": \"").append(acks).append("\",\n");
        json.append("  \"compression\": \"").append(compression).append("\",\n");
        json.append("  \"produce\": ").append(toJson(produced)).append(",\n");
        json.append("  \"consume\": ").append(toJson(consumed)).append("\n}\n");
        System.out.print(json);
        if (options.containsKey("out"))
        {
            Files.writeString(Path.of(options.get("out")), json, StandardCharsets.UTF_8);
        }
    }

    private static void createTopic(final String bootstrap, final String topic, final int partitions) throws Exception
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props))
        {
            try
            {
                admin.deleteTopics(List.of(topic)).all().get();
            }
            catch (final ExecutionException ex)
            {
                if (!(ex.getCause() instanceof UnknownTopicOrPartitionException))
                {
                    throw ex;
                }
            }
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Object> produce(final String bootstrap, final String topic, final int recordSize, final long records,
        final String acks, final String compression, final Map<String, String> options) throws Exception
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all") || acks.equals("-1"));
        props.put(ProducerConfig.LINGER_MS_CONFIG, options.getOrDefault("linger-ms", "5"));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, options.getOrDefault("batch-size", "131072"));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024);

        final byte[][] payloads = new byte[64][];
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < payloads.length; i++)
        {
            payloads[i] = new byte[recordSize];
            for (int b = 0; b < recordSize; b++)
            {
                payloads[i][b] = (byte)('a' + random.nextInt(26));
            }
        }
        final Recorder latency = new Recorder(3);
        final AtomicLong errors = new AtomicLong();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_PHASE_SECONDS);
        final long start = System.nanoTime();
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
        {
            for (; sent < records && System.nanoTime() < deadline; sent++)
            {
                final long sendTime = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, payloads[(int)(sent & 63)]), (metadata, exception) ->
                {
                    if (exception != null)
                    {
                        errors.incrementAndGet();
                    }
                    else
                    {
                        latency.recordValue(Math.max(1, (System.nanoTime() - sendTime) / 1_000));
                    }
                });
            }
            producer.flush();
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final Histogram histogram = latency.getIntervalHistogram();
        final Map<String, Object> result = new HashMap<>();
        result.put("recordsSent", sent);
        result.put("errors", errors.get());
        result.put("seconds", round(seconds));
        result.put("recordsPerSecond", round(sent / seconds));
        result.put("megabytesPerSecond", round(sent * (double)recordSize / seconds / (1024 * 1024)));
        result.put("publishLatencyMicros", percentiles(histogram));
        return result;
    }

    private static Map<String, Object> consume(final String bootstrap, final String topic, final int partitions, final long records)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        long received = 0;
        long bytes = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_PHASE_SECONDS);
        final long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props))
        {
            final List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                assigned.add(new TopicPartition(topic, p));
            }
            consumer.assign(assigned);
            while (received < records && System.nanoTime() < deadline)
            {
                for (final var record : consumer.poll(Duration.ofMillis(200)))
                {
                    received++;
                    bytes += record.serializedValueSize();
                }
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final Map<String, Object> result = new HashMap<>();
        result.put("recordsReceived", received);
        result.put("seconds", round(seconds));
        result.put("recordsPerSecond", round(received / seconds));
        result.put("megabytesPerSecond", round(bytes / seconds / (1024 * 1024)));
        return result;
    }

    private static Map<String, Object> percentiles(final Histogram histogram)
    {
        final Map<String, Object> result = new HashMap<>();
        result.put("p50", histogram.getValueAtPercentile(50));
        result.put("p99", histogram.getValueAtPercentile(99));
        result.put("p99.9", histogram.getValueAtPercentile(99.9));
        result.put("max", histogram.getMaxValue());
        result.put("mean", round(histogram.getMean()));
        return result;
    }

    private static double round(final double value)
    {
        return Math.round(value * 100) / 100.0;
    }

    private static String toJson(final Map<String, Object> map)
    {
        final StringBuilder out = new StringBuilder("{");
        map.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry ->
        {
            if (out.length() > 1)
            {
                out.append(", ");
            }
            out.append('"').append(entry.getKey()).append("\": ");
            if (entry.getValue() instanceof Map<?, ?> nested)
            {
                @SuppressWarnings("unchecked")
                final Map<String, Object> typed = (Map<String, Object>)nested;
                out.append(toJson(typed));
            }
            else
            {
                out.append(entry.getValue());
            }
        });
        return out.append('}').toString();
    }

    private static Map<String, String> parse(final String[] args) throws IOException
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
            {
                System.err.println("usage: EndToEndThroughput [--bootstrap h:p] [--record-size B] [--records N] [--partitions P] " +
                    "[--acks 0|1|all] [--compression none|gzip|snappy|lz4|zstd] [--linger-ms L] [--batch-size B] [--out file]");
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
