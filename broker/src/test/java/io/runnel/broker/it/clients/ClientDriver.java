package io.runnel.broker.it.clients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One driver of the non-Java client matrix (a program under {@code clients/}) run as a child process:
 * {@code BOOTSTRAP TOPIC GROUP PHASE [ARGS]...}, one JSON line on stdout. Every run is bounded: on its
 * timeout the driver and everything it started are killed and the test fails with what it printed.
 */
final class ClientDriver
{
    /** Drivers give up on their own after 60 s; this covers start-up on a loaded 2-core machine on top. */
    private static final long TIMEOUT_SECONDS = 120;
    private static final long KILL_WAIT_SECONDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a driver run left behind; {@code result} is its last stdout line, parsed. */
    record Run(int exitCode, JsonNode result, String stdout, String stderr)
    {
        /** For assertion messages: everything the driver said. */
        String transcript()
        {
            return "\nexit code " + exitCode + "\nstdout:\n" + abbreviate(stdout) + "\nstderr:\n" + abbreviate(stderr);
        }

        Run assertSucceeded(final String what)
        {
            if (exitCode != 0 || result == null)
            {
                fail(what + " failed" + transcript());
            }
            return this;
        }
    }

    private final String name;
    private final List<String> command;
    private final List<String> probe;

    /**
     * @param name    the client's name in messages
     * @param command the driver's command line before its arguments, relative paths from the repository root
     * @param probe   a command that exits 0 when the client is installed
     */
    private ClientDriver(final String name, final List<String> command, final List<String> probe)
    {
        this.name = name;
        this.command = command;
        this.probe = probe;
    }

    static ClientDriver kcat()
    {
        return new ClientDriver("kcat", List.of("bash", "clients/kcat/driver.sh"), List.of("kcat", "-V"));
    }

    /** Debian's interpreter: the Python clients are Debian packages, not installed into any other python3. */
    static ClientDriver python(final String name, final String folder, final String module)
    {
        return new ClientDriver(name, List.of("/usr/bin/python3", "clients/" + folder + "/driver.py"),
            List.of("/usr/bin/python3", "-c", "import " + module));
    }

    static ClientDriver kafkaJs()
    {
        return new ClientDriver("KafkaJS", List.of("node", "clients/kafkajs/driver.js"),
            List.of("node", "-e", "require('./clients/kafkajs/node_modules/kafkajs')"));
    }

    static ClientDriver sarama()
    {
        final String binary = "clients/sarama/target/sarama-driver";
        return new ClientDriver("Sarama", List.of(binary), List.of("test", "-x", binary));
    }

    String name()
    {
        return name;
    }

    /** Fails, naming the installer, when the client is not installed: a missing client is a failure, never a skip. */
    void assertInstalled()
    {
        final Run run = start(probe, "probe");
        if (run.exitCode != 0)
        {
            fail(name + " is not installed (" + String.join(" ", probe) + " failed): run bin/install-client-matrix,"
                + " or bin/runnel test, which runs it before the suite" + run.transcript());
        }
    }

    Run run(final String bootstrap, final String topic, final String group, final String phase, final String... args)
    {
        final List<String> line = new ArrayList<>(command);
        line.addAll(List.of(bootstrap, topic, group, phase));
        line.addAll(List.of(args));
        return start(line, phase);
    }

    private Run start(final List<String> line, final String phase)
    {
        try
        {
            final Path stdout = Files.createTempFile("client-" + phase + "-", ".out");
            final Path stderr = Files.createTempFile("client-" + phase + "-", ".err");
            try
            {
                final Process process;
                try
                {
                    // Files, not pipes: a chatty driver can never block on a full pipe.
                    process = new ProcessBuilder(line).directory(ClientMatrix.repositoryRoot().toFile())
                        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
                }
                catch (final IOException ex)
                {
                    return new Run(-1, null, "", "could not start " + line + ": " + ex.getMessage());
                }
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    kill(process);
                    fail(name + " " + phase + " did not finish in " + TIMEOUT_SECONDS + " s and was killed: " + line
                        + "\nstdout:\n" + abbreviate(Files.readString(stdout)) + "\nstderr:\n" + abbreviate(Files.readString(stderr)));
                }
                final String out = Files.readString(stdout, StandardCharsets.UTF_8);
                return new Run(process.exitValue(), lastJsonLine(out), out, Files.readString(stderr, StandardCharsets.UTF_8));
            }
            finally
            {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError(name + " " + phase + ": " + ex, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + " " + phase + " interrupted", ex);
        }
    }

    /** The driver's children first (node, kcat under bash), so none outlives it. */
    private static void kill(final Process process) throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static JsonNode lastJsonLine(final String stdout)
    {
        final String[] lines = stdout.strip().split("\n");
        final String last = lines[lines.length - 1];
        if (!last.startsWith("{"))
        {
            return null;
        }
        try
        {
            return JSON.readTree(last);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static String abbreviate(final String text)
    {
        final int limit = 8_000;
        return text.length() <= limit ? text : text.substring(0, limit / 2) + "\n[…]\n" + text.substring(text.length() - limit / 2);
    }
}
