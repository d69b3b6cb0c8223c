package io.runnel.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.runnel.bench.ToolRun;
import io.runnel.bench.omb.BenchConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness's command line and plan files, parsed as bin/runnel bench would (runnel.home = the repository). */
class BenchOptionsTest
{
    private static final Path ROOT = ToolRun.repoRoot();
    private static String previousHome;

    @TempDir
    Path dir;

    @BeforeAll
    static void pointHomeAtTheRepository()
    {
        previousHome = System.setProperty("runnel.home", ROOT.toString());
    }

    @AfterAll
    static void restoreHome()
    {
        if (previousHome == null)
        {
            System.clearProperty("runnel.home");
        }
        else
        {
            System.setProperty("runnel.home", previousHome);
        }
    }

    @Test
    void planLinesWithAndWithoutADriverAndComments() throws Exception
    {
        final Path plan = dir.resolve("mine.plan");
        Files.writeString(plan, """
            # comment line

            bench/workloads/1-topic-6-partitions-1kb-max.yaml    omb-driver/runnel-acks-all.yaml   # trailing comment
              bench/workloads/1-topic-6-partitions-100b-max.yaml
            """);
        final BenchOptions options = parse("--plan", plan.toString(), "--driver", ROOT.resolve("omb-driver/runnel-acks-0.yaml").toString(),
            "--warmup-seconds", "3", "--duration-seconds", "7");
        final List<Scenario> scenarios = options.scenarios();
        assertEquals(2, scenarios.size());
        assertEquals("1-topic-6-partitions-1kb-max.yaml", scenarios.get(0).workloadFile().getFileName().toString());
        assertEquals("runnel-acks-all.yaml", scenarios.get(0).driverFile().getFileName().toString());
        // A line without a driver takes --driver's.
        assertEquals("1-topic-6-partitions-100b-max.yaml", scenarios.get(1).workloadFile().getFileName().toString());
        assertEquals("runnel-acks-0.yaml", scenarios.get(1).driverFile().getFileName().toString());
        assertEquals(Duration.ofSeconds(3), options.warmup(scenarios.get(0).workload()));
        assertEquals(Duration.ofSeconds(7), options.duration(scenarios.get(0).workload()));
        assertEquals(List.of("kafka", "runnel"), options.systems().stream().map(SystemUnderTest::label).toList());
    }

    @Test
    void noArgumentsRunTheStandardPlan()
    {
        final BenchOptions options = parse();
        assertFalse(options.scenarios().isEmpty());
        assertEquals(ROOT.resolve("bench/target/apache-kafka/lib"), options.kafkaLib());
        assertEquals(BenchOptions.DEFAULT_WARMUP, options.warmup(options.scenarios().get(0).workload()));
        assertEquals(BenchOptions.DEFAULT_DURATION, options.duration(options.scenarios().get(0).workload()));
    }

    @Test
    void everyShippedPlanParses() throws Exception
    {
        try (var plans = Files.list(ROOT.resolve("bench/plans")))
        {
            final List<Path> files = plans.filter(p -> p.toString().endsWith(".plan")).sorted().toList();
            assertFalse(files.isEmpty());
            for (final Path plan : files)
            {
                // Three brokers take every replication factor a shipped driver asks for.
                assertFalse(parse("--brokers", "3", "--plan", plan.toString()).scenarios().isEmpty(), plan.toString());
            }
        }
    }

    @Test
    void threeBrokersRunTheReplicatedPlanByDefault()
    {
        final BenchOptions options = parse("--brokers", "3");
        assertEquals(3, options.brokers());
        assertFalse(options.scenarios().isEmpty());
        for (final Scenario scenario : options.scenarios())
        {
            assertEquals(3, scenario.driver().replicationFactor(), scenario.name());
            assertEquals("2", scenario.driver().topicConfig().getProperty("min.insync.replicas"), scenario.name());
            assertEquals("all", scenario.driver().producerConfig().getProperty("acks"), scenario.name());
        }
        // The fixed-rate scenario first, then flat out, as in the standard plan.
        assertTrue(options.scenarios().get(0).workload().producerRate() > 0);
        assertEquals(0, options.scenarios().get(options.scenarios().size() - 1).workload().producerRate());
        assertEquals(List.of("kafka", "runnel"), options.systems().stream().map(SystemUnderTest::label).toList());
    }

    @Test
    void oneBrokerByDefault()
    {
        assertEquals(1, parse().brokers());
        assertEquals(1, parse("--brokers", "1").brokers());
    }

    @Test
    void refusesAReplicationFactorAboveTheBrokerCount()
    {
        final Path replicated = ROOT.resolve(BenchOptions.REPLICATED_PLAN);
        final String driver = ROOT.resolve("omb-driver/runnel-acks-all-rf3.yaml").toString();
        assertEquals(driver + " has replicationFactor 3, more than the 1 broker(s) of each system; run with --brokers 3",
            refused("--plan", replicated.toString()));
        assertEquals(driver + " has replicationFactor 3, more than the 2 broker(s) of each system; run with --brokers 3",
            refused("--brokers", "2", ROOT.resolve("bench/workloads/1-topic-6-partitions-1kb-max.yaml") + "@" + driver));
    }

    @Test
    void workloadArgumentsWithDriversAndSystems()
    {
        final Path workload = ROOT.resolve("bench/workloads/1-topic-6-partitions-1kb-50mb.yaml");
        final Path driver = ROOT.resolve("omb-driver/runnel-acks-1-lz4.yaml");
        final BenchOptions options = parse("--system", "base=runnel", "--system", "one=runnel,runnel.shards=1", "--omb-durations",
            "--window-seconds", "2", workload.toString(), workload + "@" + driver);
        assertEquals(2, options.scenarios().size());
        assertEquals("runnel-acks-1.yaml", options.scenarios().get(0).driverFile().getFileName().toString());
        assertEquals("runnel-acks-1-lz4.yaml", options.scenarios().get(1).driverFile().getFileName().toString());
        assertEquals(List.of("base", "one"), options.systems().stream().map(SystemUnderTest::label).toList());
        // --omb-durations: the workload file's own warm-up and test minutes.
        assertNull(options.fixedWarmup());
        assertEquals(Duration.ofMinutes(1), options.warmup(options.scenarios().get(0).workload()));
        assertEquals(Duration.ofMinutes(5), options.duration(options.scenarios().get(0).workload()));
        assertEquals(Duration.ofSeconds(2), options.window(Duration.ofMinutes(5)));
    }

    @Test
    void refusesBadPlans() throws Exception
    {
        final Path plan = dir.resolve("bad.plan");
        Files.writeString(plan, "# nothing but a comment\n\n");
        assertEquals(plan + " lists no scenarios", refused("--plan", plan.toString()));

        Files.writeString(plan, "bench/workloads/1-topic-6-partitions-1kb-max.yaml omb-driver/runnel-acks-1.yaml extra\n");
        assertEquals(plan + " line 1: expected 'workload.yaml [driver.yaml]'", refused("--plan", plan.toString()));

        Files.writeString(plan, "\nbench/workloads/nope.yaml\n");
        assertEquals("workload file (bad.plan line 2) " + ROOT.resolve("bench/workloads/nope.yaml") + " does not exist",
            refused("--plan", plan.toString()));
    }

    @Test
    void refusesBadFlags()
    {
        assertEquals("--warmup-seconds needs a value", refused("--warmup-seconds"));
        assertEquals("--duration-seconds must be a whole number of seconds, was '-1'", refused("--duration-seconds", "-1"));
        assertEquals("--duration-seconds must be at least 1", refused("--duration-seconds", "0"));
        assertEquals("--system labels must differ", refused("--system", "a=runnel", "--system", "a=kafka"));
        assertTrue(refused("--bogus").startsWith("unknown flag --bogus; usage: "));
        assertEquals("--brokers needs a value", refused("--brokers"));
        assertEquals("--brokers must be a whole number from 1 to 9, was '0'", refused("--brokers", "0"));
        assertEquals("--brokers must be a whole number from 1 to 9, was '10'", refused("--brokers", "10"));
        assertEquals("--brokers must be a whole number from 1 to 9, was 'three'", refused("--brokers", "three"));
    }

    private BenchOptions parse(final String... args)
    {
        final String[] withOutput = new String[args.length + 2];
        withOutput[0] = "--output";
        withOutput[1] = dir.resolve("out").toString();
        System.arraycopy(args, 0, withOutput, 2, args.length);
        return BenchOptions.parse(withOutput);
    }

    private String refused(final String... args)
    {
        return assertThrows(BenchConfigException.class, () -> parse(args)).getMessage();
    }
}
