package io.runnel.broker.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/runnel cluster end to end, with a stand-in for bin/runnel that says how it was called and exits. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalClusterCommandTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final StringWriter err = new StringWriter();

    @Test
    void writesEveryNodesFileStartsEachWithBrokerAndPrintsTheBootstrapServers() throws IOException
    {
        final Path data = dir.resolve("data");
        assertEquals(0, run(launcher("echo \"$1 $2\""), "3", "--data-dir", data.toString(), "--base-port", "19092"), err::toString);
        final List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.contains("[cluster] bootstrap servers: 127.0.0.1:19092,127.0.0.1:19102,127.0.0.1:19112"), lines::toString);
        for (int id = 1; id <= 3; id++)
        {
            final Path file = data.resolve("node-" + id).resolve("server.properties");
            assertTrue(Files.isRegularFile(file), file + " is written");
            assertTrue(lines.contains("[node " + id + "] broker " + file), lines::toString);
        }
    }

    @Test
    void aNodeThatFailsMakesTheCommandFail() throws IOException
    {
        assertEquals(1, run(launcher("exit 7"), "1", "--data-dir", dir.toString()), err::toString);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("[cluster] node 1 exited with status 7"));
    }

    @Test
    void badUsageIsRefusedBeforeAnythingStarts() throws IOException
    {
        final Path launcher = launcher("exit 0");
        assertEquals(2, run(launcher, "0", "--data-dir", dir.resolve("none").toString()));
        assertTrue(err.toString().contains("a local cluster has 1 to 9 nodes, not 0"), err::toString);
        assertEquals(2, run(launcher, "3", "--data-dir", dir.resolve("none").toString(), "--override", "runnel.shard=1"));
        assertTrue(err.toString().contains("node 1: unknown configuration key 'runnel.shard'"), err::toString);
        assertTrue(Files.notExists(dir.resolve("none")), "nothing written");
    }

    private int run(final Path launcher, final String... args)
    {
        return LocalClusterCommand.run(args, launcher, new PrintStream(bytes, true, StandardCharsets.UTF_8), new PrintWriter(err, true));
    }

    private Path launcher(final String body) throws IOException
    {
        final Path script = dir.resolve("runnel");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
