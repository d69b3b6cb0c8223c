package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.runnel.bench.omb.BenchConfigException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One system's run of {@link CleanerLatency}: a fresh broker (data under bench/target), a compacted
 * topic filled with keyed records while its cleaner is held idle by {@code min.cleanable.dirty.ratio=1.0},
 * then the fixed-rate producer on a plain topic twice: with the cleaner idle, and after the ratio is
 * lowered to 0.01 so that the cleaner compacts the topic, until the topic stops shrinking.
 *
 * The ratio is lowered with IncrementalAlterConfigs. A broker that refuses it (Runnel before its
 * dynamic configs land) is run in the fallback instead, found out up front on a probe topic: the
 * broker restarts with {@code log.cleaner.min.cleanable.ratio=1.0} as its default before the topic
 * is created (without a topic-level ratio, which would override the default), and restarts with
 * 0.01 to start the clean.
 */
final class CleanerLatencyRun
{
    static final String COMPACTED_TOPIC = "cleaner-bench-compacted";
    static final String PRODUCE_TOPIC = "cleaner-bench-produce";
    private static final String PROBE_TOPIC = "cleaner-bench-probe";
    private static final String RATIO_KEY = "min.cleanable.dirty.ratio";
    private static final String BROKER_RATIO_KEY = "log.cleaner.min.cleanable.ratio";
    /** Kafka cleans a log only when its dirty ratio is above this, and a ratio never exceeds 1. */
    private static final String IDLE_RATIO = "1.0";
    private static final String CLEANING_RATIO = "0.01";
    private static final long ADMIN_TIMEOUT_SECONDS = 60;
    private static final Duration FILL_TIMEOUT = Duration.ofMinutes(20);
    private static final long SYNC_TIMEOUT_SECONDS = 300;
    private static final long PROGRESS_EVERY_MS = 5_000;
    /**
     * The producer's warm-up in the restart fallback, in both phases alike (each follows a restart), instead of
     * --warmup-seconds: there the cleaner starts with the broker, and a long warm-up would leave much of the clean
     * uncounted. A restarted broker's first second or so is slow (seconds-long sends were seen in it), hence not 1 s.
     */
    private static final Duration RESTART_WARMUP = Duration.ofSeconds(3);

    /** How the cleaner was set going: lowering the topic's ratio at run time, or restarting with a lower broker default. */
    enum Trigger
    {
        ALTER, RESTART
    }

    record Fill(long records, long payloadBytes, double seconds, long errors, long logBytes)
    {
    }

    /**
     * One phase of fixed-rate producing.
     *
     * @param latency the latencies that count: for the cleaning phase those up to the last shrink of the compacted topic
     * @param sizes the compacted topic's size during the phase: {ms since the phase started, bytes}, bytes -1 when the read failed
     * @param detector the cleaning phase's watch on the compacted topic; null for the idle phase
     */
    record Phase(String name, double seconds, long acknowledged, long errors, Histogram latency, Histogram wholePhase,
        ProcStats.CpuTime brokerCpu, IntervalLatencies intervals, List<long[]> sizes, ShrinkDetector detector)
    {
    }

    /** Sets the cleaner going (or says when it was) and returns that moment's System.nanoTime. */
    @FunctionalInterface
    private interface CleanerStart
    {
        long start() throws Exception;
    }

    record Cleaning(Trigger trigger, String refusal, long sizeBefore, long sizeAfter, ShrinkDetector.State state, double secondsToFirstShrink,
        double secondsToLastShrink, List<KafkaCleanerLog.Clean> brokerReported)
    {
        /** Bytes of the compacted topic read per second of cleaning (its size before over the cleaning's wall time). */
        double readMibPerSecond()
        {
            return secondsToLastShrink > 0 ? sizeBefore / secondsToLastShrink / (1 << 20) : Double.NaN;
        }

        /** Bytes the clean removed per second of cleaning. */
        double removedMibPerSecond()
        {
            return secondsToLastShrink > 0 ? (sizeBefore - sizeAfter) / secondsToLastShrink / (1 << 20) : Double.NaN;
        }
    }

    record Result(SystemUnderTest system, Fill fill, Phase idle, Phase cleaning, Cleaning cleaner)
    {
    }

    private final CleanerLatencyOptions options;
    private final SystemUnderTest system;
    private final Path home;
    private final Path systemDir;
    private final Path brokerLog;
    private final Path cleanerLog;
    private final int port;

    CleanerLatencyRun(final CleanerLatencyOptions options, final SystemUnderTest system) throws IOException
    {
        this.options = options;
        this.system = system;
        this.home = options.homes().get(system.label());
        this.systemDir = options.workDir().resolve(system.label());
        this.brokerLog = options.output().resolve(system.label() + "-broker.log");
        this.cleanerLog = options.output().resolve(system.label() + "-log-cleaner.log");
        this.port = SideBySide.freePortPair();
    }

    Result run() throws Exception
    {
        BrokerProcess.deleteRecursively(systemDir);
        Files.createDirectories(systemDir);
        Files.deleteIfExists(brokerLog);
        Files.deleteIfExists(cleanerLog);
        BrokerProcess broker = broker(Map.of());
        try
        {
            broker.start();
            String refusal = null;
            try (Admin admin = admin(broker))
            {
                create(admin, new NewTopic(PRODUCE_TOPIC, options.partitions(), (short)1));
                create(admin, new NewTopic(PROBE_TOPIC, 1, (short)1).configs(Map.of("cleanup.policy", "compact")));
                refusal = alterRatio(admin, PROBE_TOPIC, IDLE_RATIO);
            }
            final Trigger trigger = refusal == null ? Trigger.ALTER : Trigger.RESTART;
            if (trigger == Trigger.RESTART)
            {
                say("IncrementalAlterConfigs of %s refused (%s): restarting with %s=%s as the broker default instead", RATIO_KEY, refusal,
                    BROKER_RATIO_KEY, IDLE_RATIO);
                broker = restart(broker, IDLE_RATIO);
            }
            final Map<String, String> topicConfig = new LinkedHashMap<>();
            topicConfig.put("cleanup.policy", "compact");
            topicConfig.put("segment.bytes", Long.toString(options.segmentBytes()));
            if (trigger == Trigger.ALTER)
            {
                topicConfig.put(RATIO_KEY, IDLE_RATIO);
            }
            final Fill fill;
            try (Admin admin = admin(broker))
            {
                create(admin, new NewTopic(COMPACTED_TOPIC, 1, (short)1).configs(topicConfig));
                fill = fill(broker.bootstrap(), admin);
            }
            if (trigger == Trigger.RESTART)
            {
                // The cleaning phase runs on a broker just restarted: so does the idle phase, or a cold JVM would weigh on one side only.
                broker = restart(broker, IDLE_RATIO);
            }
            sync();
            final Duration warmup = trigger == Trigger.RESTART ? RESTART_WARMUP : options.warmup();
            final Phase idle;
            final long sizeBefore;
            try (Admin admin = admin(broker))
            {
                idle = phase("idle", broker, admin, warmup, null, 0, options.phase(), options.phase());
                sync();
                sizeBefore = logSize(admin);
            }
            final long restartNanos = System.nanoTime();
            if (trigger == Trigger.RESTART)
            {
                broker = restart(broker, CLEANING_RATIO);
                say("cleaner set going: broker restarted with %s=%s", BROKER_RATIO_KEY, CLEANING_RATIO);
            }
            final Phase cleaning;
            final long sizeAfter;
            try (Admin admin = admin(broker))
            {
                final CleanerStart start = trigger == Trigger.RESTART ? () -> restartNanos : () -> lowerRatio(admin);
                cleaning = phase("cleaning", broker, admin, warmup, start, sizeBefore, Duration.ZERO, options.cleanTimeout());
                sizeAfter = logSize(admin);
            }
            final ShrinkDetector detector = cleaning.detector();
            return new Result(system, fill, idle, cleaning, new Cleaning(trigger, refusal, sizeBefore, sizeAfter, detector.state(),
                detector.secondsToFirstShrink(), detector.secondsToLastShrink(), reportedCleans()));
        }
        finally
        {
            broker.close();
        }
    }

    /** Stops the broker, keeping its data, and starts another on the same data and port with the cleaner ratio as the broker default. */
    private BrokerProcess restart(final BrokerProcess broker, final String ratio) throws IOException, InterruptedException
    {
        broker.stop();
        final BrokerProcess restarted = broker(Map.of(BROKER_RATIO_KEY, ratio));
        restarted.start();
        return restarted;
    }

    /**
     * Lowers the compacted topic's ratio so that the cleaner takes it, and returns the moment it was asked. Called with
     * the cleaning phase's producer already warm.
     */
    private long lowerRatio(final Admin admin) throws Exception
    {
        final long nanos = System.nanoTime();
        final String refused = alterRatio(admin, COMPACTED_TOPIC, CLEANING_RATIO);
        if (refused != null)
        {
            throw new IllegalStateException(system.label() + " took " + RATIO_KEY + " on the probe topic but refused it on " + COMPACTED_TOPIC
                + ": " + refused);
        }
        say("cleaner set going: IncrementalAlterConfigs %s=%s", RATIO_KEY, CLEANING_RATIO);
        return nanos;
    }

    /** Kafka's own reports of its cleans of the compacted topic, if it wrote any. */
    private List<KafkaCleanerLog.Clean> reportedCleans() throws IOException
    {
        if (!Files.exists(cleanerLog))
        {
            return List.of();
        }
        return KafkaCleanerLog.parse(Files.readString(cleanerLog, StandardCharsets.UTF_8)).stream()
            .filter(c -> c.log().equals(COMPACTED_TOPIC + "-0")).toList();
    }

    private BrokerProcess broker(final Map<String, String> extra) throws IOException
    {
        final Map<String, String> overrides = options.brokerSettings(system);
        overrides.putAll(extra);
        final Path dataDir = systemDir.resolve("data");
        return switch (system.kind())
        {
            case KAFKA ->
            {
                final List<String> jvm = new ArrayList<>(ApacheKafkaProcess.DEFAULT_JVM_OPTIONS);
                jvm.add("-Dlog4j2.configurationFile=" + kafkaLogConfig());
                yield new ApacheKafkaProcess(home, home.resolve("bench/target/apache-kafka/lib"), dataDir, port, brokerLog, overrides, jvm);
            }
            case RUNNEL -> new RunnelProcess(home, dataDir, port, brokerLog, overrides, RunnelProcess.DEFAULT_JVM_OPTIONS);
        };
    }

    /**
     * A log4j2 configuration for Kafka as its distribution's (config/log4j2.yaml) routes the cleaner:
     * the LogCleaner loggers at INFO into their own file, which holds the cleaner's per-clean report;
     * everything else at WARN into the broker log.
     */
    private Path kafkaLogConfig() throws IOException
    {
        final Path xml = systemDir.resolve("log4j2.xml");
        final StringBuilder loggers = new StringBuilder();
        for (final String logger : List.of("org.apache.kafka.storage.internals.log.LogCleaner",
            "org.apache.kafka.storage.internals.log.LogCleaner$CleanerThread", "org.apache.kafka.storage.internals.log.LogCleanerManager",
            "org.apache.kafka.storage.internals.log.Cleaner", "kafka.log.LogCleaner"))
        {
            loggers.append("    <Logger name=\"").append(logger).append("\" level=\"INFO\" additivity=\"false\"><AppenderRef ref=\"cleaner\"/></Logger>\n");
        }
        Files.writeString(xml, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Configuration status="WARN">
              <Appenders>
                <Console name="stdout" target="SYSTEM_OUT"><PatternLayout pattern="[%%d] %%p %%m (%%c)%%n"/></Console>
                <File name="cleaner" fileName="%s"><PatternLayout pattern="[%%d] %%p %%m (%%c)%%n"/></File>
              </Appenders>
              <Loggers>
                <Root level="WARN"><AppenderRef ref="stdout"/></Root>
            %s  </Loggers>
            </Configuration>
            """.formatted(cleanerLog.toString().replace("&", "&amp;").replace("\"", "&quot;"), loggers), StandardCharsets.UTF_8);
        return xml;
    }

    private Admin admin(final BrokerProcess broker)
    {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int)TimeUnit.SECONDS.toMillis(ADMIN_TIMEOUT_SECONDS)));
    }

    private static void create(final Admin admin, final NewTopic topic) throws Exception
    {
        admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Sets the topic's min.cleanable.dirty.ratio; null when done, else why the broker refused. */
    private static String alterRatio(final Admin admin, final String topic, final String ratio) throws Exception
    {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try
        {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(RATIO_KEY, ratio), AlterConfigOp.OpType.SET))))
                .all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return null;
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause() == null ? ex : ex.getCause();
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }

    /** Writes the compacted topic's keyed records flat out: {@code keys} keys in turn, so each is updated fillRecords/keys times. */
    private Fill fill(final String bootstrap, final Admin admin) throws Exception
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        final long records = options.fillRecords();
        final byte[] value = new byte[options.valueBytes()];
        new SplittableRandom(13).nextBytes(value);
        final LongAdder errors = new LongAdder();
        say("filling %s with %,d records of %,d B over %,d keys", COMPACTED_TOPIC, records, options.valueBytes(), options.keys());
        final long start = System.nanoTime();
        final long deadline = start + FILL_TIMEOUT.toNanos();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
        {
            for (long n = 0; n < records; n++)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("filling " + COMPACTED_TOPIC + " took longer than " + FILL_TIMEOUT);
                }
                producer.send(new ProducerRecord<>(COMPACTED_TOPIC, Long.toString(n % options.keys()).getBytes(StandardCharsets.UTF_8), value),
                    (metadata, exception) ->
                    {
                        if (exception != null)
                        {
                            errors.increment();
                        }
                    });
            }
            producer.flush();
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final Fill fill = new Fill(records, records * options.valueBytes(), seconds, errors.sum(), logSize(admin));
        say("filled in %.1f s (%.0f MiB/s), %d errors; %s holds %,d MiB", seconds, fill.payloadBytes / seconds / (1 << 20), fill.errors,
            COMPACTED_TOPIC, fill.logBytes >> 20);
        return fill;
    }

    /**
     * Produces at the fixed rate until {@code detector} says cleaning is over (or, without one, for {@code min}), at least
     * {@code min} and at most {@code max}, sampling the compacted topic's size and the latencies every sample interval.
     */
    private Phase phase(final String name, final BrokerProcess broker, final Admin admin, final Duration warmup, final CleanerStart cleanerStart,
        final long sizeBefore, final Duration min, final Duration max) throws Exception
    {
        say("%s phase: %.2f MiB/s (%.0f records/s of %,d B) to %s", name, options.rateBytesPerSecond() / (double)(1 << 20),
            options.messagesPerSecond(), options.valueBytes(), PRODUCE_TOPIC);
        final IntervalLatencies intervals = new IntervalLatencies();
        final List<long[]> sizes = new ArrayList<>();
        final long producerDeadline = System.nanoTime() + warmup.toNanos() + max.toNanos()
            + TimeUnit.MINUTES.toNanos(1);
        // Set once the producer is warm: the phase, its CPU figure and its latencies start there.
        final ProcStats.CpuTime cpuBefore;
        final long startNanos;
        final long startMs;
        final long acknowledged;
        final long errors;
        final ShrinkDetector detector;
        try (FixedRateProducer producer = new FixedRateProducer(broker.bootstrap(), PRODUCE_TOPIC, options.valueBytes(), options.keys(),
            options.messagesPerSecond(), producerDeadline))
        {
            // A new producer's first latencies (connections, metadata, the broker's first writes) are not counted.
            Thread.sleep(warmup.toMillis());
            producer.interval();
            detector = cleanerStart == null ? null
                : new ShrinkDetector(cleanerStart.start(), sizeBefore, options.cleanStartTimeout(), options.settle());
            cpuBefore = ProcStats.cpuTime(broker.pid());
            startNanos = System.nanoTime();
            startMs = System.currentTimeMillis();
            long lastMs = startMs;
            long lastProgressMs = startMs;
            while (true)
            {
                Thread.sleep(options.sampleInterval().toMillis());
                final long size = logSizeOrMinusOne(admin);
                final long nowNanos = System.nanoTime();
                final long nowMs = System.currentTimeMillis();
                intervals.add(producer.interval(), lastMs, nowMs);
                lastMs = nowMs;
                sizes.add(new long[] {nowMs - startMs, size});
                final ShrinkDetector.State state = detector == null || size < 0 ? null : detector.sample(nowNanos, size);
                final long elapsed = nowNanos - startNanos;
                if (nowMs - lastProgressMs >= PROGRESS_EVERY_MS)
                {
                    lastProgressMs = nowMs;
                    final Histogram recent = intervals.between(nowMs - PROGRESS_EVERY_MS, nowMs);
                    say("%s %3.0f s: %,d acknowledged, p99 %.2f ms over the last %d s; %s %,d MiB%s", name, elapsed / 1e9, producer.acknowledged(),
                        recent.getValueAtPercentile(99) / 1000.0, PROGRESS_EVERY_MS / 1000, COMPACTED_TOPIC, size >> 20,
                        state == null ? "" : " (" + state.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")");
                }
                if (elapsed >= max.toNanos())
                {
                    break;
                }
                if (elapsed >= min.toNanos() && (detector == null || detector.state().finished()))
                {
                    break;
                }
            }
            producer.close();
            intervals.add(producer.interval(), lastMs, System.currentTimeMillis());
            acknowledged = producer.acknowledged();
            errors = producer.errors();
        }
        final ProcStats.CpuTime cpu = ProcStats.cpuTime(broker.pid()).minus(cpuBefore);
        final double seconds = (System.nanoTime() - startNanos) / 1e9;
        final Histogram whole = intervals.total();
        final Histogram counted = detector != null && detector.shrank()
            ? intervals.between(startMs, startMs + TimeUnit.NANOSECONDS.toMillis(detector.lastShrinkNanos() - startNanos))
            : whole;
        say("%s phase done: %.1f s, %,d acknowledged, %d errors; p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; broker CPU %.1f s",
            name, seconds, acknowledged, errors, counted.getValueAtPercentile(50) / 1000.0, counted.getValueAtPercentile(99) / 1000.0,
            counted.getValueAtPercentile(99.9) / 1000.0, counted.getMaxValue() / 1000.0, cpu.totalSeconds());
        return new Phase(name, seconds, acknowledged, errors, counted, whole, cpu, intervals, sizes, detector);
    }

    private long logSizeOrMinusOne(final Admin admin)
    {
        try
        {
            return logSize(admin);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    /** The compacted topic's size as the broker reports it (DescribeLogDirs), summed over its log directories. */
    private static long logSize(final Admin admin) throws Exception
    {
        final int node = admin.describeCluster().nodes().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).iterator().next().id();
        final Map<Integer, Map<String, LogDirDescription>> all = admin.describeLogDirs(List.of(node)).allDescriptions()
            .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long bytes = 0;
        boolean found = false;
        for (final LogDirDescription dir : all.getOrDefault(node, Map.of()).values())
        {
            for (final Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet())
            {
                if (replica.getKey().topic().equals(COMPACTED_TOPIC))
                {
                    bytes += replica.getValue().size();
                    found = true;
                }
            }
        }
        if (!found)
        {
            throw new BenchConfigException("DescribeLogDirs does not list " + COMPACTED_TOPIC);
        }
        return bytes;
    }

    /** Writes every dirty page out, so that one phase's page-cache writeback does not land in the next. */
    private static void sync() throws IOException, InterruptedException
    {
        final Process sync = new ProcessBuilder("sync").redirectErrorStream(true).start();
        if (!sync.waitFor(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            sync.destroyForcibly();
        }
    }

    private void say(final String format, final Object... args)
    {
        System.out.printf(Locale.ROOT, "[%s] %s%n", system.label(), String.format(Locale.ROOT, format, args));
    }
}
