package io.runnel.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;

import io.runnel.bench.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to {@code bin/runnel bench} is one line on stderr and exit code 2, never a stack trace:
 * each case runs SideBySide's real main in a child JVM with {@code -Drunnel.home} set as bin/runnel sets it.
 * The input is refused before any broker starts, except in the last case, whose "broker" exits at once.
 */
class SideBySideErrorsTest
{
    private static final Path ROOT = ToolRun.repoRoot();
    private static final Path DRIVER = ROOT.resolve("omb-driver/runnel-acks-1.yaml");
    private static final Path WORKLOAD = ROOT.resolve("bench/workloads/1-topic-6-partitions-1kb-max.yaml");

    @TempDir
    Path dir;

    @Test
    void missingWorkloadFile() throws Exception
    {
        final Path missing = dir.resolve("no-such-workload.yaml");
        run(missing.toString()).assertOneLineError("bench: ", "workload file", missing.toString(), "does not exist");
    }

    @Test
    void workloadFileWithAnUnknownField() throws Exception
    {
        final Path workload = dir.resolve("typo.yaml");
        Files.writeString(workload, Files.readString(WORKLOAD) + "\nmessageSizeBytes: 100\n");
        run(workload.toString()).assertOneLineError("bench: ", workload.toString(), "unknown field 'messageSizeBytes'");
    }

    @Test
    void driverFileWithAnUnknownField() throws Exception
    {
        final Path driver = dir.resolve("driver-typo.yaml");
        Files.writeString(driver, Files.readString(DRIVER) + "\nproducerConfigs: |\n  acks=all\n");
        run("--driver", driver.toString(), WORKLOAD.toString())
            .assertOneLineError("bench: ", driver.toString(), "unknown field 'producerConfigs'");
        // The same file named after a workload with '@'.
        run(WORKLOAD + "@" + driver).assertOneLineError("bench: ", driver.toString(), "unknown field 'producerConfigs'");
    }

    @Test
    void unknownFlag() throws Exception
    {
        run("--warmup", "5").assertOneLineError("bench: ", "unknown flag --warmup", "usage: bin/runnel bench");
    }

    @Test
    void badSystemSpec() throws Exception
    {
        run("--system", "redpanda").assertOneLineError("bench: ", "--system must be label=kafka or label=runnel", "'redpanda'");
        run("--system", "rp=redpanda").assertOneLineError("bench: ", "--system rp: broker must be kafka or runnel, was 'redpanda'");
        run("--system", "one=runnel,runnel.shards").assertOneLineError("bench: ", "'runnel.shards' is not key=value");
    }

    @Test
    void planLinePointingAtAMissingFile() throws Exception
    {
        final Path plan = dir.resolve("typo.plan");
        Files.writeString(plan, "# one good line, then one whose workload is misspelt\n" +
            "bench/workloads/1-topic-6-partitions-1kb-max.yaml omb-driver/runnel-acks-1.yaml\n" +
            "bench/workloads/1-topic-6-partitions-1kb-maxx.yaml omb-driver/runnel-acks-1.yaml\n");
        run("--plan", plan.toString()).assertOneLineError("bench: ", "typo.plan line 3", "1-topic-6-partitions-1kb-maxx.yaml", "does not exist");

        Files.writeString(plan, "bench/workloads/1-topic-6-partitions-1kb-max.yaml omb-driver/runnel-acks-9.yaml\n");
        run("--plan", plan.toString()).assertOneLineError("bench: ", "driver file (typo.plan line 1)", "runnel-acks-9.yaml", "does not exist");
    }

    @Test
    void missingPlanFile() throws Exception
    {
        final Path plan = dir.resolve("no-such.plan");
        run("--plan", plan.toString()).assertOneLineError("bench: ", "plan", plan.toString(), "does not exist");
    }

    @Test
    void brokerThatDoesNotStart() throws Exception
    {
        // A home whose bin/runnel exits at once: the harness gives up in one line instead of waiting for a listener.
        final Path home = ToolRun.homeWhoseBrokerExits(dir.resolve("home"));
        final Path output = dir.resolve("out");
        final ToolRun.Result result = ToolRun.run(SideBySide.class, home, dir, "--output", output.toString(), "--system", "r=runnel",
            "--warmup-seconds", "0", "--duration-seconds", "1", "--driver", DRIVER.toString(), WORKLOAD.toString());
        result.assertOneLineError("bench: ", "Runnel exited with code 3 before listening", output.toString());
    }

    @Test
    void clusterThatDoesNotStart() throws Exception
    {
        // --brokers 3 with the same home: the cluster gives up in one line once a node has exited, and keeps the node's log.
        final Path home = ToolRun.homeWhoseBrokerExits(dir.resolve("home"));
        final Path output = dir.resolve("out");
        final ToolRun.Result result = ToolRun.run(SideBySide.class, home, dir, "--output", output.toString(), "--system", "r=runnel",
            "--brokers", "3", "--warmup-seconds", "0", "--duration-seconds", "1", "--driver", DRIVER.toString(), WORKLOAD.toString());
        result.assertOneLineError("bench: ", "r: the cluster did not start (node ", "exited with code 3)", output.toString());
        final String scenario = "r--" + Scenario.read(WORKLOAD, DRIVER).name();
        assertTrue(Files.readString(output.resolve(scenario + "-broker-1.log")).contains("no broker here"));
    }

    @Test
    void replicationFactorAboveTheBrokerCount() throws Exception
    {
        final Path rf3 = ROOT.resolve("omb-driver/runnel-acks-all-rf3.yaml");
        run(WORKLOAD + "@" + rf3).assertOneLineError("bench: ", rf3.toString(), "has replicationFactor 3", "run with --brokers 3");
    }

    private ToolRun.Result run(final String... args) throws Exception
    {
        final String[] withOutput = new String[args.length + 2];
        // Never the repository's results/ folder, should a case get past the checks.
        withOutput[0] = "--output";
        withOutput[1] = dir.resolve("out").toString();
        System.arraycopy(args, 0, withOutput, 2, args.length);
        return ToolRun.run(SideBySide.class, ROOT, dir, withOutput);
    }
}
