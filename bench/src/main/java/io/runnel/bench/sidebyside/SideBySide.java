package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.runnel.bench.omb.BenchConfigException;
import io.runnel.bench.omb.OmbResult;
import io.runnel.bench.omb.WorkloadRunner;

/**
 * The side-by-side harness behind {@code bin/runnel bench}: runs each scenario (an OMB workload with
 * an OMB driver file) against each system under test (Apache Kafka, Runnel, or Runnel configured
 * otherwise), every run on a freshly started broker with an empty data folder, the systems'
 * order alternating from one scenario to the next so neither always runs on a warmer machine.
 * The same load runner drives all of them. It writes, into the output folder, each run's OMB JSON,
 * HdrHistogram logs and broker figures (CPU seconds, peak RSS, bytes on disk), a Markdown summary
 * and plots. With {@code --brokers N} each system runs as a cluster of N combined broker+controller
 * nodes instead ({@link ClusterBrokers}; plan {@code bench/plans/replicated.plan} by default), its
 * figures summed over the nodes.
 *
 * <pre>
 * SideBySide [--output DIR] [--plan FILE] [--driver FILE] [--system label=kafka|runnel[,home=DIR][,key=value...]]...
 *            [--brokers N] [--warmup-seconds N] [--duration-seconds N] [--window-seconds N] [--omb-durations] [--keep-broker-logs]
 *            [workload.yaml[@driver.yaml]]...
 * </pre>
 *
 * The repository root comes from {@code -Drunnel.home} (bin/runnel sets it): plans, the default driver
 * file, bin/runnel for Runnel and bench/target/apache-kafka/lib for Apache Kafka are found there.
 *
 * Bad input (a missing file, an unknown field or flag, a broker that does not start) is one line on
 * stderr and exit code 2.
 */
public final class SideBySide
{
    private static final String USAGE = "usage: bin/runnel bench [--output DIR] [--plan FILE] [--driver FILE] " +
        "[--system label=kafka|runnel[,home=DIR][,key=value...]]... [--brokers N] [--warmup-seconds N] [--duration-seconds N] [--window-seconds N] " +
        "[--omb-durations] [--keep-broker-logs] [workload.yaml[@driver.yaml]]...";

    private SideBySide()
    {
    }

    public static void main(final String[] args)
    {
        // The clients' own INFO lines would bury the progress lines.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("java.awt.headless", "true");
        try
        {
            run(BenchOptions.parse(args));
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

    private static void run(final BenchOptions options) throws Exception
    {
        final Path output = options.output();
        Files.createDirectories(output);
        final List<Scenario> scenarios = options.scenarios();
        final List<SystemUnderTest> systems = options.systems();
        final String header = MachineDescription.header(options, scenarios, systems);
        Files.writeString(output.resolve("machine.md"), header, StandardCharsets.UTF_8);
        System.out.printf("%d scenario(s) x %d system(s), warm-up %s, test %s each; results in %s%n", scenarios.size(), systems.size(),
            options.warmupLabel(), options.durationLabel(), output);

        final List<RunRecord> runs = new ArrayList<>();
        for (int s = 0; s < scenarios.size(); s++)
        {
            final Scenario scenario = scenarios.get(s);
            for (int i = 0; i < systems.size(); i++)
            {
                // Rotate the order per scenario: A,B then B,A, so neither system always goes first.
                final SystemUnderTest system = systems.get((i + s) % systems.size());
                runs.add(runOne(options, scenario, system));
            }
            final List<RunRecord> scenarioRuns = runs.stream().filter(r -> r.scenario() == scenario)
                .sorted((a, b) -> Integer.compare(systems.indexOf(a.system()), systems.indexOf(b.system()))).toList();
            writePlots(output, scenario, scenarioRuns);
        }
        final List<RunRecord> ordered = new ArrayList<>();
        for (final Scenario scenario : scenarios)
        {
            for (final SystemUnderTest system : systems)
            {
                runs.stream().filter(r -> r.scenario() == scenario && r.system() == system).forEach(ordered::add);
            }
        }
        final String summary = SummaryTable.render(header, systems, ordered);
        Files.writeString(output.resolve("summary.md"), summary, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(summary);
    }

    private static RunRecord runOne(final BenchOptions options, final Scenario scenario, final SystemUnderTest system) throws Exception
    {
        final Path output = options.output();
        final String prefix = system.label() + "--" + scenario.name();
        final Path dataDir = Files.createTempDirectory("runnel-bench-" + system.label() + "-");
        final BrokersUnderTest brokers = brokers(options, system, prefix, dataDir);
        for (final Path log : brokers.logs())
        {
            Files.deleteIfExists(log);
        }
        System.out.printf("%n== %s: %s with %s (%s%s) ==%n", system.label(), scenario.workload().name(), scenario.driverFile().getFileName(),
            system.describe(), options.brokers() > 1 ? ", " + options.brokers() + " brokers" : "");
        try (brokers)
        {
            brokers.start();
            final List<Long> pids = brokers.pids();
            final List<ProcStats.CpuTime> cpuBefore = pids.stream().map(ProcStats::cpuTime).toList();
            final Duration warmup = options.warmup(scenario.workload());
            final Duration duration = options.duration(scenario.workload());
            final OmbResult result = new WorkloadRunner(scenario.workload(), scenario.driver().withBootstrap(brokers.bootstrap()), warmup, duration,
                System.out, options.window(duration)).run(output, prefix);
            final List<ProcStats.CpuTime> cpu = new ArrayList<>();
            final List<Long> peakRss = new ArrayList<>();
            for (int i = 0; i < pids.size(); i++)
            {
                cpu.add(ProcStats.cpuTime(pids.get(i)).minus(cpuBefore.get(i)));
                peakRss.add(ProcStats.peakRssBytes(pids.get(i)));
            }
            final RunRecord record = new RunRecord(system, scenario, result, cpu, peakRss, ProcStats.bytesOnDisk(brokers.dataDir()));
            Files.writeString(output.resolve(prefix + "-broker.json"), record.toJson(), StandardCharsets.UTF_8);
            System.out.printf("%s: broker CPU %.1f s (%.0f%% kernel; %.2f s/GiB), peak RSS %d MiB, %d MiB on disk%s%n", system.label(),
                record.brokerCpuSeconds(), 100 * record.kernelShare(), record.cpuSecondsPerGib(), record.peakRssBytes() >> 20,
                record.bytesOnDisk() >> 20, pids.size() > 1 ? " (summed over " + pids.size() + " brokers)" : "");
            if (!options.keepBrokerLogs())
            {
                for (final Path log : brokers.logs())
                {
                    Files.deleteIfExists(log);
                }
            }
            return record;
        }
    }

    /**
     * One broker on a free pair of ports, its output in {@code <run>-broker.log}; or, with {@code --brokers N}
     * above 1, a cluster of N combined nodes, node i's output in {@code <run>-broker-<i>.log}.
     */
    private static BrokersUnderTest brokers(final BenchOptions options, final SystemUnderTest system, final String prefix, final Path dataDir)
        throws IOException
    {
        final Path home = system.homeOr(options.home());
        final Path output = options.output();
        if (options.brokers() > 1)
        {
            return new ClusterBrokers(system, home, options.brokers(), dataDir, id -> output.resolve(prefix + "-broker-" + id + ".log"));
        }
        final Path brokerLog = output.resolve(prefix + "-broker.log");
        final int port = freePortPair();
        return switch (system.kind())
        {
            case KAFKA -> new ApacheKafkaProcess(home, options.kafkaLib(), dataDir, port, brokerLog, system.overrides(),
                ApacheKafkaProcess.DEFAULT_JVM_OPTIONS);
            case RUNNEL -> new RunnelProcess(home, dataDir, port, brokerLog, system.overrides(), RunnelProcess.DEFAULT_JVM_OPTIONS);
        };
    }

    private static void writePlots(final Path output, final Scenario scenario, final List<RunRecord> runs) throws IOException
    {
        final String title = scenario.workload().name() + " with " + scenario.driverFile().getFileName();
        Plots.latencySpectrum(output.resolve(scenario.name() + "-publish-latency.png"), "Publish latency: " + title, runs,
            OmbResult::aggregatedPublish);
        if (scenario.workload().subscriptionsPerTopic() > 0)
        {
            Plots.latencySpectrum(output.resolve(scenario.name() + "-end-to-end-latency.png"), "End-to-end latency: " + title, runs,
                OmbResult::aggregatedEndToEnd);
        }
        Plots.throughputOverTime(output.resolve(scenario.name() + "-throughput.png"), "Throughput: " + title, runs);
    }

    /** A free port whose successor is free too (Kafka's controller listener takes port + 1). */
    static int freePortPair() throws IOException
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try (ServerSocket first = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
            {
                final int port = first.getLocalPort();
                if (port < 65535)
                {
                    try (ServerSocket second = new ServerSocket(port + 1, 1, java.net.InetAddress.getLoopbackAddress()))
                    {
                        return port;
                    }
                    catch (final IOException taken)
                    {
                        // try another pair
                    }
                }
            }
        }
        throw new IOException("no free pair of ports on 127.0.0.1");
    }

    static String today()
    {
        return LocalDate.now(ZoneOffset.UTC).toString();
    }

    static String now()
    {
        return ZonedDateTime.now(ZoneOffset.UTC).withNano(0).toString();
    }

    static String commandOutput(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? out : "unknown";
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    static String usage()
    {
        return USAGE;
    }
}
