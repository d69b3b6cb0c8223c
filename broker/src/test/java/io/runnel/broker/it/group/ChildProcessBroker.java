package io.runnel.broker.it.group;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.runnel.broker.RunnelMain;

/**
 * A Runnel broker ({@link RunnelMain}) in a child JVM that a test can SIGKILL. Output goes to
 * {@code <dataDir>-broker-<n>.log} next to the data directory. (The crash package has a richer
 * one; it is package-private there, and this package keeps to its own files.)
 */
final class ChildProcessBroker implements AutoCloseable
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("Runnel broker listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final List<String> JVM_FLAGS = List.of(
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED");

    private final Process process;
    private final Path logFile;
    private final int port;

    private ChildProcessBroker(final Process process, final Path logFile, final int port)
    {
        this.process = process;
        this.logFile = logFile;
        this.port = port;
    }

    static ChildProcessBroker start(final Path dataDir, final Map<String, String> overrides) throws IOException
    {
        Files.createDirectories(dataDir);
        final Path logFile = dataDir.toAbsolutePath().getParent().resolve(dataDir.getFileName() + "-broker-" + COUNTER.incrementAndGet() + ".log");
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-Xmx512m");
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RunnelMain.class.getName());
        command.add("--override");
        command.add("listeners=PLAINTEXT://127.0.0.1:0");
        command.add("--override");
        command.add("log.dirs=" + dataDir.toAbsolutePath());
        overrides.forEach((key, value) ->
        {
            command.add("--override");
            command.add(key + "=" + value);
        });
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<Integer> listening = new CompletableFuture<>();
        final Thread pump = new Thread(() -> pump(process, logFile, listening), "child-broker-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        try
        {
            return new ChildProcessBroker(process, logFile, listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
        catch (final Exception ex)
        {
            process.destroyForcibly();
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("child broker did not start: " + ex + "; output in " + logFile, ex);
        }
    }

    private static void pump(final Process process, final Path logFile, final CompletableFuture<Integer> listening)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Writer out = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                out.write(line);
                out.write('\n');
                out.flush();
                final Matcher matcher = LISTENING.matcher(line);
                if (!listening.isDone() && matcher.find())
                {
                    listening.complete(Integer.parseInt(matcher.group(1)));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            listening.completeExceptionally(ex);
        }
        finally
        {
            listening.completeExceptionally(new IllegalStateException("child broker output ended before it listened"));
        }
    }

    String bootstrapServers()
    {
        return "127.0.0.1:" + port;
    }

    Path logFile()
    {
        return logFile;
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill9()
    {
        process.destroyForcibly();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException("child broker " + process.pid() + " survived SIGKILL for " + STOP_TIMEOUT);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            kill9();
        }
    }
}
