package io.runnel.bench.omb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs OMB workload files against a Kafka-API broker with an OMB Kafka-driver file:
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.runnel.bench.omb.OmbBench \
 *   --driver omb-driver/runnel-acks1.yaml [--bootstrap 127.0.0.1:9092] \
 *   [--warmup-seconds 30] [--duration-seconds 120] [--output results/dir] bench/workloads/1-topic-6-partitions-1kb.yaml...
 * </pre>
 *
 * The flags shorten OMB's warm-up and test durations so a run fits in a few minutes. Bad input
 * (a missing file, an unknown field, an unreachable broker) is one line on stderr and exit code 2.
 */
public final class OmbBench
{
    private OmbBench()
    {
    }

    public static void main(final String[] args)
    {
        // The clients' own INFO lines would bury the progress lines.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        try
        {
            run(args);
        }
        catch (final BenchConfigException ex)
        {
            System.err.println("omb: " + ex.getMessage());
            System.exit(2);
        }
        catch (final Exception ex)
        {
            System.err.println("omb: " + ex);
            System.exit(1);
        }
        System.exit(0);
    }

    static void run(final String[] args) throws Exception
    {
        Path driverFile = null;
        String bootstrap = null;
        Duration warmup = null;
        Duration duration = null;
        Path output = Path.of(".");
        final List<Path> workloads = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (arg.startsWith("--") && i + 1 >= args.length)
            {
                throw new BenchConfigException(arg + " needs a value");
            }
            switch (arg)
            {
                case "--driver" -> driverFile = Path.of(args[++i]);
                case "--bootstrap" -> bootstrap = args[++i];
                case "--warmup-seconds" -> warmup = seconds(args[++i], arg);
                case "--duration-seconds" -> duration = seconds(args[++i], arg);
                case "--output" -> output = Path.of(args[++i]);
                default ->
                {
                    if (arg.startsWith("--"))
                    {
                        throw new BenchConfigException("unknown flag " + arg);
                    }
                    workloads.add(Path.of(arg));
                }
            }
        }
        if (driverFile == null || workloads.isEmpty())
        {
            throw new BenchConfigException("usage: OmbBench --driver driver.yaml [--bootstrap host:port] [--warmup-seconds N] " +
                "[--duration-seconds N] [--output dir] workload.yaml...");
        }
        Driver driver = Driver.read(driverFile);
        if (bootstrap != null)
        {
            driver = driver.withBootstrap(bootstrap);
        }
        if (driver.commonConfig().getProperty("bootstrap.servers") == null)
        {
            throw new BenchConfigException(driverFile + " has no bootstrap.servers in commonConfig; pass --bootstrap");
        }
        final List<Workload> parsed = new ArrayList<>();
        for (final Path file : workloads)
        {
            parsed.add(Workload.read(file));
        }
        Files.createDirectories(output);
        for (final Workload workload : parsed)
        {
            final Duration w = warmup != null ? warmup : Duration.ofMillis((long)(workload.warmupDurationMinutes() * 60_000));
            final Duration d = duration != null ? duration : Duration.ofMillis((long)(workload.testDurationMinutes() * 60_000));
            System.out.printf("workload %s on %s (%s): warm-up %ds, test %ds%n", workload.name(), driver.name(),
                driver.commonConfig().getProperty("bootstrap.servers"), w.toSeconds(), d.toSeconds());
            final OmbResult result = new WorkloadRunner(workload, driver, w, d, System.out).run(output, fileName(workload.name()));
            System.out.printf("done: %s publish %.0f msg/s, consume %.0f msg/s, publish p99 %.2f ms, end-to-end p99 %.2f ms%n",
                workload.name(), result.meanPublishRate(), result.meanConsumeRate(),
                result.aggregatedPublish().getValueAtPercentile(99) / 1000.0, result.aggregatedEndToEnd().getValueAtPercentile(99) / 1000.0);
        }
    }

    /** A flag's whole number of seconds, or a one-line error naming the flag; shared by the bench tools. */
    public static Duration seconds(final String value, final String flag)
    {
        try
        {
            final long seconds = Long.parseLong(value);
            if (seconds < 0)
            {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        }
        catch (final NumberFormatException ex)
        {
            throw new BenchConfigException(flag + " must be a whole number of seconds, was '" + value + "'");
        }
    }

    private static String fileName(final String workload)
    {
        return workload.replaceAll("[^a-zA-Z0-9._-]", "_");
    }
}
