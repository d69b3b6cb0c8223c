package io.runnel.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;

import io.runnel.bench.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to {@code bin/runnel bench cleaner} is one line on stderr and exit code 2: CleanerLatency's real main in a
 * child JVM. The flags are refused before any broker starts, except in the last case, whose "broker" exits at once.
 */
class CleanerLatencyErrorsTest
{
    private static final Path ROOT = ToolRun.repoRoot();

    @TempDir
    Path dir;

    @Test
    void unknownFlagAndBadSize() throws Exception
    {
        run(ROOT, "--fill", "1g").assertOneLineError("bench: ", "unknown flag --fill", "usage: bin/runnel bench cleaner");
        run(ROOT, "--fill-bytes", "1gb").assertOneLineError("bench: ", "--fill-bytes must be a size such as 1024, 64k, 64m or 1g", "'1gb'");
        run(ROOT, "--system", "rp=redpanda").assertOneLineError("bench: ", "--system rp: broker must be kafka or runnel, was 'redpanda'");
    }

    @Test
    void brokerThatDoesNotStart() throws Exception
    {
        // A home whose bin/runnel exits at once: the harness gives up in one line instead of waiting for a listener.
        final Path home = ToolRun.homeWhoseBrokerExits(dir.resolve("home"));
        run(home, "--system", "r=runnel", "--fill-bytes", "1m", "--seconds", "1")
            .assertOneLineError("bench: ", "Runnel exited with code 3 before listening", dir.resolve("out").resolve("r-broker.log").toString());
        // Its data folder went with it; the broker's log stays for the reader.
        assertTrue(Files.readString(dir.resolve("out/r-broker.log")).contains("no broker here"));
        assertFalse(Files.exists(home.resolve("bench/target/cleaner-latency/r/data")));
    }

    private ToolRun.Result run(final Path home, final String... args) throws Exception
    {
        final String[] withOutput = new String[args.length + 2];
        withOutput[0] = "--out";
        withOutput[1] = dir.resolve("out").toString();
        System.arraycopy(args, 0, withOutput, 2, args.length);
        return ToolRun.run(CleanerLatency.class, home, dir, withOutput);
    }
}
