package io.runnel.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a tool's real {@code main} in a child JVM, as {@code bin/runnel} does, so that what a user sees
 * (exit code, stderr) is what the test sees: main calls System.exit, which an in-process test could not survive.
 */
public final class ToolRun
{
    private static final long TIMEOUT_SECONDS = 60;

    /** What a run left behind. */
    public record Result(int exitCode, String stdout, String stderr)
    {
        /** Exit code 2 and exactly one line on stderr that starts with {@code prefix} and holds every fragment. */
        public String assertOneLineError(final String prefix, final String... fragments)
        {
            final String context = "\nexit code " + exitCode + "\nstderr:\n" + stderr + "\nstdout:\n" + stdout;
            assertEquals(2, exitCode, "exit code" + context);
            assertTrue(stderr.endsWith("\n") && stderr.indexOf('\n') == stderr.length() - 1, "stderr is not exactly one line" + context);
            final String line = stderr.strip();
            assertTrue(line.startsWith(prefix), "stderr does not start with '" + prefix + "'" + context);
            for (final String fragment : fragments)
            {
                assertTrue(line.contains(fragment), "stderr does not name '" + fragment + "'" + context);
            }
            return line;
        }
    }

    private ToolRun()
    {
    }

    /** The repository root: the first folder up from the working directory (bench/ under Maven) holding bin/runnel. */
    public static Path repoRoot()
    {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            if (Files.isRegularFile(dir.resolve("bin/runnel")) && Files.isDirectory(dir.resolve("bench/workloads")))
            {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (bin/runnel) above " + Path.of("").toAbsolutePath());
    }

    public static Result run(final Class<?> mainClass, final Path home, final Path scratch, final String... args) throws IOException,
        InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // Startup dominates these runs; C1 alone starts faster.
            "-XX:TieredStopAtLevel=1", "-Xmx256m",
            "-cp", System.getProperty("java.class.path"),
            "-Drunnel.home=" + home,
            mainClass.getName()));
        command.addAll(List.of(args));
        final Path stdout = Files.createTempFile(scratch, "stdout", ".txt");
        final Path stderr = Files.createTempFile(scratch, "stderr", ".txt");
        final ProcessBuilder builder = new ProcessBuilder(command).directory(scratch.toFile())
            .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        // A "Picked up JAVA_TOOL_OPTIONS" line on stderr would be the JVM's, not the tool's.
        final Map<String, String> env = builder.environment();
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        final Process process = builder.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(mainClass.getSimpleName() + " " + String.join(" ", args) + " did not exit within " + TIMEOUT_SECONDS + " s; stderr:\n" +
                Files.readString(stderr, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
    }

    /**
     * A Runnel home at {@code home} whose {@code bin/runnel} prints "no broker here" to stderr and
     * exits with code 3 at once: a broker (or cluster node) that never starts.
     */
    public static Path homeWhoseBrokerExits(final Path home) throws IOException
    {
        final Path launcher = Files.createDirectories(home.resolve("bin")).resolve("runnel");
        Files.writeString(launcher, "#!/bin/sh\necho 'no broker here' >&2\nexit 3\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    /** A port on 127.0.0.1 that nothing listens on: bound, then closed. */
    public static int closedPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            return socket.getLocalPort();
        }
    }
}
