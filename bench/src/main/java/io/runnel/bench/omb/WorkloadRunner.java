package io.runnel.bench.omb;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Runs one OMB workload against one Kafka-API broker with stock kafka-clients, the way OMB's
 * Kafka driver does: topics, subscriptions (a consumer group each), paced producers, publish
 * latency (send → acknowledgement) and end-to-end latency (producer timestamp → consumer receipt)
 * in HdrHistogram, a progress line every reporting interval, and an OMB-format result.
 * Every loop is bounded by the warm-up plus test duration.
 */
public final class WorkloadRunner
{
    private static final long REPORT_INTERVAL_MS = 10_000;
    private static final long CONSUMER_JOIN_TIMEOUT_MS = 60_000;
    private static final long HIGHEST_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(5);

    private final Workload workload;
    private final Driver driver;
    private final Duration warmup;
    private final Duration duration;
    private final PrintStream progress;
    private final Duration window;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean consuming = new AtomicBoolean(false);
    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder messagesReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private volatile CountDownLatch consumersJoined = new CountDownLatch(0);
    private final Recorder publishLatency = new Recorder(HIGHEST_LATENCY_MICROS, 3);
    private final Recorder endToEndLatency = new Recorder(HIGHEST_LATENCY_MICROS, 3);

    public WorkloadRunner(final Workload workload, final Driver driver, final Duration warmup, final Duration duration, final PrintStream progress)
    {
        // OMB's 10 s windows, fewer when the run is short so that a short run still has a series.
        this(workload, driver, warmup, duration, progress,
            Duration.ofMillis(Math.min(REPORT_INTERVAL_MS, Math.max(1_000, duration.toMillis() / 6))));
    }

    /** @param window the length of one reporting window: one progress line and one point of each rate and latency series */
    public WorkloadRunner(final Workload workload, final Driver driver, final Duration warmup, final Duration duration, final PrintStream progress,
        final Duration window)
    {
        this.workload = workload;
        this.driver = driver;
        this.warmup = warmup;
        this.duration = duration;
        this.progress = progress;
        this.window = window;
    }

    /** Runs the workload and writes {@code <prefix>.json} plus HdrHistogram logs into {@code outputDir}. */
    public OmbResult run(final Path outputDir, final String prefix) throws Exception
    {
        // Fail in seconds and in one line, before the clients' timeouts and warnings, when nothing listens.
        BootstrapCheck.requireReachable(driver.commonConfig().getProperty("bootstrap.servers"));
        final String topicPrefix = "omb-" + workload.name().replaceAll("[^a-zA-Z0-9._-]", "_") + "-" + System.currentTimeMillis();
        final List<String> topics = createTopics(topicPrefix);
        final List<Thread> threads = new ArrayList<>();
        try
        {
            startConsumers(topics, threads);
            awaitConsumersJoined();
            startProducers(topics, threads);
            final OmbResult result = measure(topics.size());
            writeHistograms(outputDir, prefix, result);
            Files.writeString(outputDir.resolve(prefix + ".json"), result.toJson(), StandardCharsets.UTF_8);
            return result;
        }
        finally
        {
            running.set(false);
            for (final Thread thread : threads)
            {
                thread.join(30_000);
            }
        }
    }

    private Properties clientConfig(final Properties extra)
    {
        final Properties props = new Properties();
        props.putAll(driver.commonConfig());
        props.putAll(extra);
        return props;
    }

    private List<String> createTopics(final String prefix) throws Exception
    {
        final List<String> names = new ArrayList<>();
        final List<NewTopic> newTopics = new ArrayList<>();
        final Map<String, String> configs = new HashMap<>();
        driver.topicConfig().forEach((k, v) -> configs.put(k.toString(), v.toString()));
        for (int i = 0; i < workload.topics(); i++)
        {
            names.add(prefix + "-" + i);
            newTopics.add(new NewTopic(prefix + "-" + i, workload.partitionsPerTopic(), (short)driver.replicationFactor()).configs(configs));
        }
        final Properties props = clientConfig(new Properties());
        // The Admin client refuses an api timeout below the request timeout; keep the driver's and bound the wait here.
        final int requestTimeout = Integer.parseInt(props.getProperty("request.timeout.ms", "30000"));
        props.setProperty("default.api.timeout.ms", Integer.toString(Math.max(requestTimeout, 20_000)));
        try (Admin admin = Admin.create(props))
        {
            admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
        {
            throw new BenchConfigException("cannot create topics on " + props.getProperty("bootstrap.servers") + ": " +
                (ex.getCause() != null ? ex.getCause().getMessage() : "broker not reachable"));
        }
        return names;
    }

    private void startConsumers(final List<String> topics, final List<Thread> threads)
    {
        final boolean backlog = workload.consumerBacklogSizeGB() > 0;
        consuming.set(!backlog);
        consumersJoined = new CountDownLatch(topics.size() * workload.subscriptionsPerTopic() * workload.consumerPerSubscription());
        for (int t = 0; t < topics.size(); t++)
        {
            for (int s = 0; s < workload.subscriptionsPerTopic(); s++)
            {
                for (int c = 0; c < workload.consumerPerSubscription(); c++)
                {
                    final Properties props = clientConfig(driver.consumerConfig());
                    props.put("group.id", "sub-" + s + "-" + topics.get(t));
                    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
                    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
                    props.putIfAbsent("auto.offset.reset", "earliest");
                    final String topic = topics.get(t);
                    final Thread thread = new Thread(() -> consume(props, topic), "omb-consumer-" + t + "-" + s + "-" + c);
                    thread.setDaemon(true);
                    threads.add(thread);
                    thread.start();
                }
            }
        }
    }

    /**
     * Like OMB, produce only once every consumer has joined its group: otherwise the first seconds
     * measure the group's initial rebalance delay, not the broker.
     */
    private void awaitConsumersJoined() throws InterruptedException
    {
        if (!consumersJoined.await(CONSUMER_JOIN_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            progress.printf("%d consumer(s) had not joined their groups after %d s; producing anyway%n", consumersJoined.getCount(),
                CONSUMER_JOIN_TIMEOUT_MS / 1000);
        }
    }

    private void consume(final Properties props, final String topic)
    {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props))
        {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener()
            {
                @Override
                public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
                {
                }

                @Override
                public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
                {
                    // Called after every completed join, even with nothing assigned: the member is in the group.
                    consumersJoined.countDown();
                }
            });
            while (running.get())
            {
                if (!consuming.get())
                {
                    // Backlog phase: stay in the group but read nothing until the backlog is built.
                    consumer.pause(consumer.assignment());
                }
                else if (!consumer.paused().isEmpty())
                {
                    consumer.resume(consumer.paused());
                }
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)))
                {
                    messagesReceived.increment();
                    bytesReceived.add(record.serializedValueSize());
                    final long latencyMicros = (System.currentTimeMillis() - record.timestamp()) * 1000;
                    endToEndLatency.recordValue(Math.max(0, Math.min(latencyMicros, HIGHEST_LATENCY_MICROS)));
                }
            }
        }
    }

    private void startProducers(final List<String> topics, final List<Thread> threads) throws IOException
    {
        final byte[] payload = workload.payloadFile() != null ? Files.readAllBytes(Path.of(workload.payloadFile())) : randomPayload();
        final int producers = workload.topics() * workload.producersPerTopic();
        final double ratePerProducer = workload.producerRate() > 0 && producers > 0 ? workload.producerRate() / producers : 0;
        for (int t = 0; t < topics.size(); t++)
        {
            for (int p = 0; p < workload.producersPerTopic(); p++)
            {
                final Properties props = clientConfig(driver.producerConfig());
                props.put("key.serializer", ByteArraySerializer.class.getName());
                props.put("value.serializer", ByteArraySerializer.class.getName());
                final String topic = topics.get(t);
                final Thread thread = new Thread(() -> produce(props, topic, payload, ratePerProducer), "omb-producer-" + t + "-" + p);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }
    }

    private byte[] randomPayload()
    {
        final byte[] payload = new byte[workload.messageSize()];
        new SplittableRandom(7).nextBytes(payload);
        return payload;
    }

    private void produce(final Properties props, final String topic, final byte[] payload, final double rate)
    {
        final long intervalNs = rate > 0 ? (long)(1e9 / rate) : 0;
        long nextSendNs = System.nanoTime();
        long sequence = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
        {
            while (running.get())
            {
                if (intervalNs > 0)
                {
                    final long waitNs = nextSendNs - System.nanoTime();
                    if (waitNs > 0)
                    {
                        LockSupport.parkNanos(Math.min(waitNs, 1_000_000));
                        continue;
                    }
                    nextSendNs += intervalNs;
                }
                final byte[] key = switch (workload.keyDistributor())
                {
                    case "KEY_ROUND_ROBIN" -> Long.toString(sequence % 10_000).getBytes(StandardCharsets.UTF_8);
                    case "RANDOM_NANO" -> Long.toString(System.nanoTime()).getBytes(StandardCharsets.UTF_8);
                    default -> null;
                };
                sequence++;
                final long sendNs = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), key, payload), (metadata, exception) ->
                {
                    if (exception != null)
                    {
                        sendErrors.increment();
                        return;
                    }
                    messagesSent.increment();
                    bytesSent.add(payload.length);
                    publishLatency.recordValue(Math.min((System.nanoTime() - sendNs) / 1_000, HIGHEST_LATENCY_MICROS));
                });
            }
            producer.flush();
        }
        catch (final org.apache.kafka.common.KafkaException ex)
        {
            sendErrors.increment();
        }
    }

    private OmbResult measure(final int topicCount) throws InterruptedException
    {
        final OmbResult result = new OmbResult(workload, driver, topicCount, window);
        final long backlogBytes = (long)(workload.consumerBacklogSizeGB() * 1024 * 1024 * 1024);
        final long startMs = System.currentTimeMillis();
        final long warmupEndMs = startMs + warmup.toMillis();
        final long endMs = warmupEndMs + duration.toMillis();
        final Histogram aggregatedPublish = new Histogram(HIGHEST_LATENCY_MICROS, 3);
        final Histogram aggregatedEndToEnd = new Histogram(HIGHEST_LATENCY_MICROS, 3);
        boolean warm = warmup.isZero();
        long lastSent = 0;
        long lastReceived = 0;
        long lastBytesSent = 0;
        long lastBytesReceived = 0;
        long lastReportMs = startMs;
        // The measured period starts exactly at the end of the warm-up, whatever the window length, and its
        // totals (messages and bytes acknowledged, over the elapsed time) give the period's rate.
        long measuredStartMs = startMs;
        long measuredStartSent = 0;
        long measuredStartBytesSent = 0;
        long measuredStartReceived = 0;
        long measuredStartBytesReceived = 0;
        final long interval = window.toMillis();
        long windowEndMs = nextWindowEnd(startMs, interval, warm ? endMs : warmupEndMs);
        while (true)
        {
            for (long waitMs = windowEndMs - System.currentTimeMillis(); waitMs > 0; waitMs = windowEndMs - System.currentTimeMillis())
            {
                Thread.sleep(waitMs);
            }
            final long now = System.currentTimeMillis();
            if (!consuming.get() && bytesSent.sum() - bytesReceived.sum() >= backlogBytes)
            {
                consuming.set(true);
                progress.println("backlog of " + workload.consumerBacklogSizeGB() + " GB built; consumers catch up");
            }
            final double seconds = Math.max(1, now - lastReportMs) / 1000.0;
            final long sent = messagesSent.sum();
            final long received = messagesReceived.sum();
            final long sentBytes = bytesSent.sum();
            final long receivedBytes = bytesReceived.sum();
            final Histogram publish = publishLatency.getIntervalHistogram();
            final Histogram endToEnd = endToEndLatency.getIntervalHistogram();
            final double publishRate = (sent - lastSent) / seconds;
            final double consumeRate = (received - lastReceived) / seconds;
            if (warm)
            {
                aggregatedPublish.add(publish);
                aggregatedEndToEnd.add(endToEnd);
                result.addWindow(publishRate, consumeRate, sent - received, publish, endToEnd);
            }
            progress.printf("%s %s | pub %.0f msg/s %.1f MB/s | cons %.0f msg/s %.1f MB/s | backlog %,d | pub lat ms avg %.2f p99 %.2f max %.2f | e2e ms p50 %.1f p99 %.1f | %ds elapsed, %ds left%n",
                warm ? "[run]" : "[warm-up]", workload.name(), publishRate, (sentBytes - lastBytesSent) / seconds / 1048576.0,
                consumeRate, (receivedBytes - lastBytesReceived) / seconds / 1048576.0, sent - received,
                publish.getMean() / 1000.0, publish.getValueAtPercentile(99) / 1000.0, publish.getMaxValue() / 1000.0,
                endToEnd.getValueAtPercentile(50) / 1000.0, endToEnd.getValueAtPercentile(99) / 1000.0,
                (now - startMs) / 1000, Math.max(0, endMs - now) / 1000);
            lastSent = sent;
            lastReceived = received;
            lastBytesSent = sentBytes;
            lastBytesReceived = receivedBytes;
            lastReportMs = now;
            if (!warm && windowEndMs >= warmupEndMs)
            {
                warm = true;
                measuredStartMs = now;
                measuredStartSent = sent;
                measuredStartBytesSent = sentBytes;
                measuredStartReceived = received;
                measuredStartBytesReceived = receivedBytes;
            }
            if (windowEndMs >= endMs)
            {
                result.measured((now - measuredStartMs) / 1000.0, sent - measuredStartSent, sentBytes - measuredStartBytesSent,
                    received - measuredStartReceived, receivedBytes - measuredStartBytesReceived);
                break;
            }
            windowEndMs = nextWindowEnd(windowEndMs, interval, warm ? endMs : warmupEndMs);
        }
        if (sendErrors.sum() > 0)
        {
            progress.println(sendErrors.sum() + " sends failed");
        }
        result.aggregate(aggregatedPublish, aggregatedEndToEnd, sendErrors.sum());
        result.totals(bytesSent.sum(), bytesReceived.sum());
        return result;
    }

    /**
     * The end of the window that starts at {@code fromMs}: one window length later, or the end of the phase
     * (warm-up or measured period) when less than half a window would be left, so that no phase ends in a
     * sliver of a window whose rate would count as much as a whole one in a per-window series.
     */
    private static long nextWindowEnd(final long fromMs, final long intervalMs, final long phaseEndMs)
    {
        final long next = fromMs + intervalMs;
        return phaseEndMs - next < intervalMs / 2 ? phaseEndMs : next;
    }

    private static void writeHistograms(final Path outputDir, final String prefix, final OmbResult result) throws IOException
    {
        for (final Map.Entry<String, Histogram> entry : Map.of("publish", result.aggregatedPublish(), "end-to-end", result.aggregatedEndToEnd()).entrySet())
        {
            try (PrintStream out = new PrintStream(Files.newOutputStream(outputDir.resolve(prefix + "-" + entry.getKey() + "-latency.hlog")), true,
                StandardCharsets.UTF_8))
            {
                final HistogramLogWriter writer = new HistogramLogWriter(out);
                writer.outputComment("Runnel OMB runner, " + entry.getKey() + " latency in microseconds");
                writer.outputLogFormatVersion();
                writer.outputLegend();
                writer.outputIntervalHistogram(entry.getValue());
            }
        }
    }
}
