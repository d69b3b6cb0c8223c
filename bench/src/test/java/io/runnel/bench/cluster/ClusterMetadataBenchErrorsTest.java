package io.runnel.bench.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

import io.runnel.bench.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to {@code bin/runnel bench metadata} is one line on stderr and exit code 2:
 * ClusterMetadataBench's real main in a child JVM. The flags are refused before any node starts,
 * except in the last case, whose "nodes" exit at once.
 */
class ClusterMetadataBenchErrorsTest
{
    private static final Path ROOT = ToolRun.repoRoot();

    @TempDir
    Path dir;

    @Test
    void badOptions() throws Exception
    {
        run(ROOT, "--nodes", "5").assertOneLineError("bench: ", "unknown option --nodes");
        run(ROOT, "--topics", "many").assertOneLineError("bench: ", "--topics wants a positive whole number, not many");
        run(ROOT, "--repeats", "0").assertOneLineError("bench: ", "--repeats wants a positive whole number, not 0");
        run(ROOT, "--system", "rp=redpanda").assertOneLineError("bench: ", "--system rp: kafka or runnel, not redpanda");
        run(ROOT, "--system", "r=runnel,heap=2g").assertOneLineError("bench: ", "--system r: only home=DIR may follow, not heap=2g");
        run(ROOT, "--topics").assertOneLineError("bench: ", "--topics needs a value");
    }

    @Test
    void clusterThatDoesNotStart() throws Exception
    {
        // A home whose bin/runnel exits at once: the bench gives up in one line instead of waiting for the cluster.
        final Path home = ToolRun.homeWhoseBrokerExits(dir.resolve("home"));
        run(home, "--system", "r=runnel", "--topics", "1", "--repeats", "1")
            .assertOneLineError("bench: ", "r: the cluster did not start", dir.resolve("out").resolve("r").toString());
        assertTrue(Files.readString(dir.resolve("out/r/node-1/node.log")).contains("no broker here"));
    }

    private ToolRun.Result run(final Path home, final String... args) throws Exception
    {
        final String[] withOutput = new String[args.length + 2];
        withOutput[0] = "--output";
        withOutput[1] = dir.resolve("out").toString();
        System.arraycopy(args, 0, withOutput, 2, args.length);
        return ToolRun.run(ClusterMetadataBench.class, home, dir, withOutput);
    }
}
