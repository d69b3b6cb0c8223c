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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.runnel.bench.omb.BenchConfigException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Broker CPU per fetch: a broker as a child process (Runnel from any checkout, or Apache Kafka),
 * one topic of N partitions, a Java consumer assigned every partition (it uses fetch sessions
 * unless the broker declines them) and a steady trickle of produced records, one every
 * {@code --trickle-ms} round-robin over the partitions, so that fetches return one at a time as a
 * tailing consumer's do. {@code --fetch-max-wait-ms} defaults to 0: the consumer fetches back to
 * back, most fetches find nothing new (where sessions matter most), and the broker's shards stay
 * busy, so the figure is the work of fetching rather than of the idle strategy between requests
 * (with a long poll and a trickle, a backoff shard spins and yields after every wake-up, and that
 * CPU would dominate). After {@code --warmup-fetches}, the broker's CPU time is read around the
 * next {@code --fetches} fetches (the consumer's own fetch-total metric), from
 * /proc/&lt;pid&gt;/task/&lt;tid&gt;/schedstat (nanoseconds, all the broker's threads) and /proc/&lt;pid&gt;/stat
 * (clock ticks). The figure includes the broker's cost of the trickle's produce requests, the
 * same in every configuration. Each (system, partitions) pair is measured {@code --repetitions}
 * times on a fresh broker, systems alternating.
 */
public final class FetchCpu
{
    private static final String USAGE = "usage: FetchCpu --system label=runnel|kafka[,home=DIR][,key=value...]... "
        + "[--partitions 100,1000] [--fetches N] [--warmup-fetches N] [--repetitions N] [--trickle-ms N] [--fetch-max-wait-ms N] "
        + "[--output FILE]";
    private static final String TOPIC = "fetch-cpu";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    private FetchCpu()
    {
    }

    record Measurement(String system, int partitions, int repetition, long fetches, double schedstatSeconds, double statSeconds,
        double seconds)
    {
        double microsPerFetch()
        {
            return schedstatSeconds * 1e6 / fetches;
        }
    }

    public static void main(final String[] args)
    {
        // A broker stopped under a lingering client makes its network threads warn; only errors matter here.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        try
        {
            run(args);
        }
        catch (final BenchConfigException ex)
        {
            System.err.println("bench: " + ex.getMessage());
            System.exit(2);
        }
        catch (final Exception ex)
        {
            System.err.println("bench: " + ex);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(final String[] args) throws Exception
    {
        final Path defaultHome = Path.of(System.getProperty("runnel.home", ".")).toAbsolutePath().normalize();
        final List<SystemUnderTest> systems = new ArrayList<>();
        final Map<String, Path> homes = new LinkedHashMap<>();
        List<Integer> partitionCounts = List.of(100, 1000);
        int fetches = 2000;
        int warmup = 200;
        int repetitions = 3;
        int trickleMs = 5;
        int fetchMaxWaitMs = 0;
        Path output = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (i + 1 >= args.length)
            {
                throw new BenchConfigException(arg + " needs a value; " + USAGE);
            }
            final String value = args[++i];
            switch (arg)
            {
                case "--system" ->
                {
                    final SystemUnderTest parsed = SystemUnderTest.parse(value);
                    homes.put(parsed.label(), parsed.homeOr(defaultHome));
                    systems.add(parsed);
                }
                case "--partitions" -> partitionCounts = List.of(value.split(",")).stream().map(Integer::parseInt).toList();
                case "--fetches" -> fetches = Integer.parseInt(value);
                case "--warmup-fetches" -> warmup = Integer.parseInt(value);
                case "--repetitions" -> repetitions = Integer.parseInt(value);
                case "--trickle-ms" -> trickleMs = Integer.parseInt(value);
                case "--fetch-max-wait-ms" -> fetchMaxWaitMs = Integer.parseInt(value);
                case "--output" -> output = Path.of(value);
                default -> throw new BenchConfigException("unknown flag " + arg + "; " + USAGE);
            }
        }
        if (systems.isEmpty())
        {
            throw new BenchConfigException("name at least one --system; " + USAGE);
        }
        final List<Measurement> measurements = new ArrayList<>();
        for (final int partitions : partitionCounts)
        {
            for (int rep = 0; rep < repetitions; rep++)
            {
                for (int i = 0; i < systems.size(); i++)
                {
                    // Rotate the order each repetition so that no system always runs first.
                    final SystemUnderTest system = systems.get((i + rep) % systems.size());
                    final Measurement m = measure(system, homes.get(system.label()), partitions, rep, warmup, fetches, trickleMs,
                        fetchMaxWaitMs);
                    System.out.printf(Locale.ROOT, "%s partitions=%d rep=%d: %d fetches in %.1f s, broker CPU %.3f s (stat %.2f s), %.1f us/fetch%n",
                        m.system, m.partitions, m.repetition, m.fetches, m.seconds, m.schedstatSeconds, m.statSeconds, m.microsPerFetch());
                    measurements.add(m);
                }
            }
        }
        final String table = table(systems, partitionCounts, measurements);
        System.out.println();
        System.out.println(table);
        if (output != null)
        {
            Files.createDirectories(output.toAbsolutePath().getParent());
            final StringBuilder raw = new StringBuilder("system,partitions,repetition,fetches,schedstat_cpu_s,stat_cpu_s,wall_s\n");
            for (final Measurement m : measurements)
            {
                raw.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%.6f,%.2f,%.3f%n", m.system, m.partitions, m.repetition, m.fetches,
                    m.schedstatSeconds, m.statSeconds, m.seconds));
            }
            Files.writeString(output, raw, StandardCharsets.UTF_8);
            Files.writeString(Path.of(output + ".md"), table, StandardCharsets.UTF_8);
        }
    }

    private static Measurement measure(final SystemUnderTest system, final Path home, final int partitions, final int rep,
        final int warmup, final int fetches, final int trickleMs, final int fetchMaxWaitMs) throws Exception
    {
        final Path dataDir = Files.createTempDirectory("runnel-fetchcpu-" + system.label() + "-");
        final Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        final int port = SideBySide.freePortPair();
        final BrokerProcess broker = switch (system.kind())
        {
            case KAFKA -> new ApacheKafkaProcess(home, home.resolve("bench/target/apache-kafka/lib"), dataDir, port, log, system.overrides(),
                ApacheKafkaProcess.DEFAULT_JVM_OPTIONS);
            case RUNNEL -> new RunnelProcess(home, dataDir, port, log, system.overrides(), RunnelProcess.DEFAULT_JVM_OPTIONS);
        };
        try (broker)
        {
            broker.start();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap())))
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short)1))).all().get(2, TimeUnit.MINUTES);
            }
            final AtomicBoolean producing = new AtomicBoolean(true);
            final Thread trickle = new Thread(() -> trickle(broker.bootstrap(), partitions, trickleMs, producing), "trickle");
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker.bootstrap(), fetchMaxWaitMs))
            {
                final List<TopicPartition> all = new ArrayList<>();
                for (int p = 0; p < partitions; p++)
                {
                    all.add(new TopicPartition(TOPIC, p));
                }
                consumer.assign(all);
                consumer.seekToEnd(all);
                trickle.start();
                final long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
                pollUntil(consumer, warmup, deadline);
                final long startFetches = fetchTotal(consumer);
                final double startSched = schedstatSeconds(broker.pid());
                final double startStat = ProcStats.cpuTime(broker.pid()).totalSeconds();
                final long startNanos = System.nanoTime();
                pollUntil(consumer, startFetches + fetches, deadline);
                final double sched = schedstatSeconds(broker.pid()) - startSched;
                final double stat = ProcStats.cpuTime(broker.pid()).totalSeconds() - startStat;
                final double seconds = (System.nanoTime() - startNanos) / 1e9;
                return new Measurement(system.label(), partitions, rep, fetchTotal(consumer) - startFetches, sched, stat, seconds);
            }
            finally
            {
                producing.set(false);
                trickle.join(10_000);
            }
        }
        finally
        {
            Files.deleteIfExists(log);
        }
    }

    private static void pollUntil(final KafkaConsumer<byte[], byte[]> consumer, final long fetchTotal, final long deadlineNanos)
    {
        while (fetchTotal(consumer) < fetchTotal)
        {
            if (System.nanoTime() > deadlineNanos)
            {
                throw new IllegalStateException("fetches did not reach " + fetchTotal + " within " + RUN_TIMEOUT);
            }
            consumer.poll(Duration.ofMillis(100));
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final String bootstrap, final int fetchMaxWaitMs)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, fetchMaxWaitMs);
        return new KafkaConsumer<>(props);
    }

    private static void trickle(final String bootstrap, final int partitions, final int everyMs, final AtomicBoolean producing)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props))
        {
            final byte[] value = new byte[100];
            for (long n = 0; producing.get(); n++)
            {
                producer.send(new ProducerRecord<>(TOPIC, (int)(n % partitions), null, value));
                Thread.sleep(everyMs);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static long fetchTotal(final KafkaConsumer<byte[], byte[]> consumer)
    {
        for (final Map.Entry<MetricName, ? extends Metric> entry : consumer.metrics().entrySet())
        {
            final MetricName name = entry.getKey();
            if (name.name().equals("fetch-total") && name.group().equals("consumer-fetch-manager-metrics") && name.tags().isEmpty()
                || name.name().equals("fetch-total") && name.group().equals("consumer-fetch-manager-metrics")
                && name.tags().keySet().stream().allMatch("client-id"::equals))
            {
                return (long)((Number)entry.getValue().metricValue()).doubleValue();
            }
        }
        throw new IllegalStateException("the consumer has no fetch-total metric");
    }

    /** CPU time of every thread of a process, in nanoseconds since each started (schedstat's first field). */
    private static double schedstatSeconds(final long pid) throws IOException
    {
        long nanos = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : tasks.toList())
            {
                try
                {
                    final String line = Files.readString(task.resolve("schedstat")).trim();
                    nanos += Long.parseLong(line.substring(0, line.indexOf(' ')));
                }
                catch (final IOException gone)
                {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return nanos / 1e9;
    }

    private static String table(final List<SystemUnderTest> systems, final List<Integer> partitionCounts, final List<Measurement> all)
    {
        final StringBuilder out = new StringBuilder("| system | partitions | runs | broker CPU per fetch, mean (µs) | min – max (µs) | fetches/s |\n"
            + "|---|---:|---:|---:|---|---:|\n");
        for (final int partitions : partitionCounts)
        {
            for (final SystemUnderTest system : systems)
            {
                final List<Measurement> runs = all.stream().filter(m -> m.system.equals(system.label()) && m.partitions == partitions).toList();
                final double mean = runs.stream().mapToDouble(Measurement::microsPerFetch).average().orElse(Double.NaN);
                final double min = runs.stream().mapToDouble(Measurement::microsPerFetch).min().orElse(Double.NaN);
                final double max = runs.stream().mapToDouble(Measurement::microsPerFetch).max().orElse(Double.NaN);
                final double rate = runs.stream().mapToDouble(m -> m.fetches / m.seconds).average().orElse(Double.NaN);
                out.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f – %.1f | %.0f |%n", system.label(), partitions, runs.size(),
                    mean, min, max, rate));
            }
        }
        return out.toString();
    }
}
