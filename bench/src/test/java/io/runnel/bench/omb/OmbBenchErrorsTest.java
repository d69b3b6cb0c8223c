package io.runnel.bench.omb;

import java.nio.file.Files;
import java.nio.file.Path;

import io.runnel.bench.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Bad input to the OMB runner is one line on stderr and exit code 2, never a stack trace: each case runs
 * OmbBench's real main in a child JVM. No broker is started; only 127.0.0.1 is connected to.
 */
class OmbBenchErrorsTest
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
        run("--driver", DRIVER.toString(), "--bootstrap", "127.0.0.1:9", missing.toString())
            .assertOneLineError("omb: ", "no such file", missing.toString());
    }

    @Test
    void workloadFileWithAnUnknownField() throws Exception
    {
        final Path workload = dir.resolve("typo.yaml");
        Files.writeString(workload, Files.readString(WORKLOAD) + "\nproducerRates: 1000\n");
        run("--driver", DRIVER.toString(), "--bootstrap", "127.0.0.1:9", workload.toString())
            .assertOneLineError("omb: ", workload.toString(), "unknown field 'producerRates'");
    }

    @Test
    void driverFileWithAnUnknownField() throws Exception
    {
        final Path driver = dir.resolve("driver-typo.yaml");
        Files.writeString(driver, Files.readString(DRIVER) + "\nreplicationFactr: 3\n");
        run("--driver", driver.toString(), WORKLOAD.toString())
            .assertOneLineError("omb: ", driver.toString(), "unknown field 'replicationFactr'");
    }

    @Test
    void unknownFlag() throws Exception
    {
        run("--driver", DRIVER.toString(), "--duration", "10", WORKLOAD.toString()).assertOneLineError("omb: ", "unknown flag --duration");
    }

    @Test
    void brokerNotReachable() throws Exception
    {
        final int port = ToolRun.closedPort();
        final Path output = dir.resolve("out");
        final ToolRun.Result result = run("--driver", DRIVER.toString(), "--bootstrap", "127.0.0.1:" + port, "--warmup-seconds", "0",
            "--duration-seconds", "1", "--output", output.toString(), WORKLOAD.toString());
        final String line = result.assertOneLineError("omb: ");
        assertEquals("omb: broker not reachable at 127.0.0.1:" + port + " (connection refused)", line);
        // This message comes only from the up-front connect; a failure after the clients' timeouts reads "cannot create topics".
        try (var files = Files.list(output))
        {
            assertFalse(files.findAny().isPresent(), "no result files for a run that never started");
        }
    }

    @Test
    void bootstrapThatIsNotHostAndPort() throws Exception
    {
        run("--driver", DRIVER.toString(), "--bootstrap", "localhost", WORKLOAD.toString())
            .assertOneLineError("omb: ", "bootstrap server 'localhost' is not host:port");
    }

    @Test
    void noWorkload() throws Exception
    {
        run("--driver", DRIVER.toString()).assertOneLineError("omb: ", "usage: OmbBench");
    }

    private ToolRun.Result run(final String... args) throws Exception
    {
        return ToolRun.run(OmbBench.class, ROOT, dir, args);
    }
}
