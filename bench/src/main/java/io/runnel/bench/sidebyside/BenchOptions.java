package io.runnel.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.runnel.bench.omb.BenchConfigException;
import io.runnel.bench.omb.OmbBench;
import io.runnel.bench.omb.Workload;

/** The harness's command line, checked up front so that a typo fails in the first second, not after the first broker run. */
record BenchOptions(Path home, Path kafkaLib, Path output, List<Scenario> scenarios, List<SystemUnderTest> systems, int brokers,
    Duration fixedWarmup, Duration fixedDuration, Duration fixedWindow, boolean keepBrokerLogs, String commandLine)
{
    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(10);
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(40);
    /** As {@code bin/runnel cluster}: up to 9 nodes, each a voter of the quorum. */
    static final int MAX_BROKERS = 9;
    static final String STANDARD_PLAN = "bench/plans/standard.plan";
    /** The default plan with {@code --brokers} above 1: replication factor 3, acks=all. */
    static final String REPLICATED_PLAN = "bench/plans/replicated.plan";

    static BenchOptions parse(final String[] args)
    {
        final Path home = Path.of(System.getProperty("runnel.home", ".")).toAbsolutePath().normalize();
        Path output = null;
        Path plan = null;
        Path driver = home.resolve("omb-driver/runnel-acks-1.yaml");
        final List<SystemUnderTest> systems = new ArrayList<>();
        Duration warmup = DEFAULT_WARMUP;
        Duration duration = DEFAULT_DURATION;
        Duration window = null;
        boolean keepLogs = false;
        int brokers = 1;
        final List<String> workloadArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            final boolean takesValue = List.of("--output", "--plan", "--driver", "--system", "--warmup-seconds", "--duration-seconds",
                "--window-seconds", "--brokers").contains(arg);
            if (takesValue && i + 1 >= args.length)
            {
                throw new BenchConfigException(arg + " needs a value");
            }
            switch (arg)
            {
                case "--output" -> output = Path.of(args[++i]).toAbsolutePath();
                case "--plan" -> plan = existing(Path.of(args[++i]), "plan");
                case "--driver" -> driver = existing(Path.of(args[++i]), "driver file");
                case "--system" -> systems.add(SystemUnderTest.parse(args[++i]));
                case "--warmup-seconds" -> warmup = OmbBench.seconds(args[++i], arg);
                case "--duration-seconds" -> duration = OmbBench.seconds(args[++i], arg);
                case "--window-seconds" -> window = OmbBench.seconds(args[++i], arg);
                case "--brokers" -> brokers = brokerCount(args[++i]);
                case "--omb-durations" ->
                {
                    warmup = null;
                    duration = null;
                }
                case "--keep-broker-logs" -> keepLogs = true;
                case "--help", "-h" -> throw new BenchConfigException(SideBySide.usage());
                default ->
                {
                    if (arg.startsWith("--"))
                    {
                        throw new BenchConfigException("unknown flag " + arg + "; " + SideBySide.usage());
                    }
                    workloadArgs.add(arg);
                }
            }
        }
        if (duration != null && duration.isZero())
        {
            throw new BenchConfigException("--duration-seconds must be at least 1");
        }
        if (systems.isEmpty())
        {
            systems.add(SystemUnderTest.parse("kafka=kafka"));
            systems.add(SystemUnderTest.parse("runnel=runnel"));
        }
        if (systems.stream().map(SystemUnderTest::label).distinct().count() != systems.size())
        {
            throw new BenchConfigException("--system labels must differ");
        }
        final List<Scenario> scenarios = new ArrayList<>();
        if (plan == null && workloadArgs.isEmpty())
        {
            plan = existing(home.resolve(brokers > 1 ? REPLICATED_PLAN : STANDARD_PLAN), "plan");
        }
        if (plan != null)
        {
            scenarios.addAll(readPlan(plan, home, driver));
        }
        for (final String arg : workloadArgs)
        {
            final int at = arg.indexOf('@');
            final Path workload = existing(Path.of(at < 0 ? arg : arg.substring(0, at)), "workload file");
            scenarios.add(Scenario.read(workload, at < 0 ? driver : existing(Path.of(arg.substring(at + 1)), "driver file")));
        }
        for (final Scenario scenario : scenarios)
        {
            if (scenario.driver().replicationFactor() > brokers)
            {
                throw new BenchConfigException(scenario.driverFile() + " has replicationFactor " + scenario.driver().replicationFactor() +
                    ", more than the " + brokers + " broker(s) of each system; run with --brokers " + scenario.driver().replicationFactor());
            }
        }
        if (output == null)
        {
            output = uniqueFolder(home.resolve("results"), SideBySide.today() + (brokers > 1 ? "-side-by-side-" + brokers + "-brokers" : "-side-by-side"));
        }
        return new BenchOptions(home, home.resolve("bench/target/apache-kafka/lib"), output, scenarios, systems, brokers, warmup, duration, window,
            keepLogs, String.join(" ", args));
    }

    private static int brokerCount(final String value)
    {
        try
        {
            final int brokers = Integer.parseInt(value);
            if (brokers >= 1 && brokers <= MAX_BROKERS)
            {
                return brokers;
            }
        }
        catch (final NumberFormatException ignored)
        {
            // answered below
        }
        throw new BenchConfigException("--brokers must be a whole number from 1 to " + MAX_BROKERS + ", was '" + value + "'");
    }

    /** A plan file: one scenario a line, {@code workload.yaml [driver.yaml]}, paths relative to the repository; # starts a comment. */
    private static List<Scenario> readPlan(final Path plan, final Path home, final Path defaultDriver)
    {
        final List<Scenario> scenarios = new ArrayList<>();
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(plan);
        }
        catch (final java.io.IOException ex)
        {
            throw new BenchConfigException("cannot read plan " + plan + ": " + ex.getMessage());
        }
        for (int n = 0; n < lines.size(); n++)
        {
            final String line = lines.get(n).replaceFirst("#.*", "").trim();
            if (line.isEmpty())
            {
                continue;
            }
            final String[] parts = line.split("\\s+");
            if (parts.length > 2)
            {
                throw new BenchConfigException(plan + " line " + (n + 1) + ": expected 'workload.yaml [driver.yaml]'");
            }
            final Path workload = existing(home.resolve(parts[0]), "workload file (" + plan.getFileName() + " line " + (n + 1) + ")");
            final Path driver = parts.length == 2 ? existing(home.resolve(parts[1]), "driver file (" + plan.getFileName() + " line " + (n + 1) + ")")
                : defaultDriver;
            scenarios.add(Scenario.read(workload, driver));
        }
        if (scenarios.isEmpty())
        {
            throw new BenchConfigException(plan + " lists no scenarios");
        }
        return scenarios;
    }

    Duration warmup(final Workload workload)
    {
        return fixedWarmup != null ? fixedWarmup : Duration.ofMillis((long)(workload.warmupDurationMinutes() * 60_000));
    }

    Duration duration(final Workload workload)
    {
        return fixedDuration != null ? fixedDuration : Duration.ofMillis((long)(workload.testDurationMinutes() * 60_000));
    }

    /** One point of the throughput series: about 20 per run, between 1 s and OMB's 10 s. */
    Duration window(final Duration duration)
    {
        if (fixedWindow != null)
        {
            return fixedWindow;
        }
        return Duration.ofSeconds(Math.max(1, Math.min(10, duration.toSeconds() / 20)));
    }

    String warmupLabel()
    {
        return fixedWarmup != null ? fixedWarmup.toSeconds() + " s" : "as each workload file says";
    }

    String durationLabel()
    {
        return fixedDuration != null ? fixedDuration.toSeconds() + " s" : "as each workload file says";
    }

    private static Path existing(final Path path, final String what)
    {
        if (!Files.isRegularFile(path))
        {
            throw new BenchConfigException(what + " " + path + " does not exist");
        }
        return path;
    }

    private static Path uniqueFolder(final Path parent, final String name)
    {
        Path candidate = parent.resolve(name);
        for (int n = 2; Files.exists(candidate); n++)
        {
            candidate = parent.resolve(name + "-" + n);
        }
        return candidate;
    }
}
