package io.runnel.broker.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.runnel.broker.RunnelMain;

/**
 * A Runnel broker ({@link RunnelMain}) in a child JVM, so that tests can kill it for real:
 * {@link #kill9()} is SIGKILL (no shutdown hook, no clean-shutdown marker), {@link #stop()} is
 * SIGTERM (the shutdown hook closes the broker cleanly). It starts from {@link BrokerUnderTest#settings},
 * passed as {@code --override}s, and the ephemeral port is learnt from its "listening" line; stdout and stderr (merged) go to
 * {@code <dataDir's parent>/<dataDir name>-broker-<n>.log}. A {@link Placement} says where it runs: on loopback by default,
 * or on another host address with its command prefixed (a network namespace: {@code ip netns exec <name>}).
 */
public final class ChildBroker implements BrokerUnderTest
{
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final List<String> JVM_FLAGS = List.of(
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED");

    private final Path dataDir;
    private final Path logFile;
    private final Process process;
    private final Thread pump;
    private final String host;
    private final int port;

    /**
     * Where a child broker runs: the host address it listens on and advertises, and what its java
     * command is prefixed with (empty: run as it is).
     */
    public record Placement(String host, List<String> commandPrefix)
    {
        /** On loopback, as every test broker runs unless told otherwise. */
        public static final Placement LOOPBACK = new Placement(HOST, List.of());

        public Placement
        {
            commandPrefix = List.copyOf(commandPrefix);
        }
    }

    private ChildBroker(final Path dataDir, final Path logFile, final Process process, final Thread pump, final String host, final int port)
    {
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.process = process;
        this.pump = pump;
        this.host = host;
        this.port = port;
    }

    /** Starts a child broker on loopback on {@code dataDir} and returns once it listens (or throws, the child killed). */
    public static ChildBroker start(final Path dataDir, final Map<String, String> overrides) throws IOException
    {
        return start(dataDir, overrides, Placement.LOOPBACK);
    }

    /**
     * Starts a child broker where {@code placement} says, its listener on the placement's host unless
     * {@code overrides} name the listeners, and returns once it listens (or throws, the child killed).
     */
    public static ChildBroker start(final Path dataDir, final Map<String, String> overrides, final Placement placement) throws IOException
    {
        Files.createDirectories(dataDir);
        final Path parent = dataDir.toAbsolutePath().getParent();
        final Path logFile = parent.resolve(dataDir.getFileName() + "-broker-" + COUNTER.incrementAndGet() + ".log");
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listeners", "PLAINTEXT://" + placement.host() + ":0");
        settings.putAll(overrides);
        final List<String> command = new ArrayList<>(placement.commandPrefix());
        command.add(ProcessHandle.current().info().command().orElse(
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("-Xmx512m");
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RunnelMain.class.getName());
        BrokerUnderTest.settings(dataDir, settings).forEach((key, value) ->
        {
            command.add("--override");
            command.add(key + "=" + value);
        });
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final CompletableFuture<Integer> listening = new CompletableFuture<>();
        final Pattern listeningLine = Pattern.compile("Runnel broker listening on " + Pattern.quote(placement.host()) + ":(\\d+)");
        final Thread pump = new Thread(() -> pump(process, logFile, listeningLine, listening), "child-broker-pump-" + process.pid());
        pump.setDaemon(true);
        pump.start();
        try
        {
            final int port = listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new ChildBroker(dataDir, logFile, process, pump, placement.host(), port);
        }
        catch (final InterruptedException | ExecutionException | TimeoutException ex)
        {
            process.destroyForcibly();
            waitQuietly(process, STOP_TIMEOUT);
            joinQuietly(pump);
            if (ex instanceof InterruptedException)
            {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("child broker on " + dataDir + " did not start (" + ex + "); exit " +
                (process.isAlive() ? "none" : process.exitValue()) + "; output:\n" + tail(logFile, 60), ex);
        }
    }

    /** Copies the child's output to the log file, completing {@code listening} with the port once seen. */
    private static void pump(final Process process, final Path logFile, final Pattern listeningLine, final CompletableFuture<Integer> listening)
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
                if (!listening.isDone())
                {
                    final Matcher matcher = listeningLine.matcher(line);
                    if (matcher.find())
                    {
                        listening.complete(Integer.parseInt(matcher.group(1)));
                    }
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

    @Override
    public int port()
    {
        return port;
    }

    /** The address it listens on and advertises. */
    public String host()
    {
        return host;
    }

    @Override
    public String bootstrapServers()
    {
        return host + ":" + port;
    }

    public long pid()
    {
        return process.pid();
    }

    @Override
    public Path dataDir()
    {
        return dataDir;
    }

    public Path logFile()
    {
        return logFile;
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed by the broker. @return the exit code. */
    public int kill9()
    {
        process.destroyForcibly();
        return awaitExit();
    }

    /** SIGTERM: the shutdown hook closes the broker cleanly. @return the exit code. */
    public int stop()
    {
        process.destroy();
        return awaitExit();
    }

    /** SIGSTOP: the process stops where it is (a long GC pause, a frozen VM), until {@link #resume}. */
    public void pause()
    {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume()
    {
        signal("CONT");
    }

    private void signal(final String name)
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + name, ex);
        }
    }

    private int awaitExit()
    {
        try
        {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                throw new IllegalStateException("child broker " + process.pid() + " did not exit within " + STOP_TIMEOUT +
                    "; killed. Output:\n" + tail(logFile, 60));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted waiting for the child broker to exit", ex);
        }
        joinQuietly(pump);
        return process.exitValue();
    }

    /** The child's output so far (stdout and stderr). */
    public String output()
    {
        try
        {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public String outputTail(final int lines)
    {
        return tail(logFile, lines);
    }

    /** Kills the child if it still runs (test clean-up). */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            waitQuietly(process, STOP_TIMEOUT);
        }
        joinQuietly(pump);
    }

    private static void waitQuietly(final Process process, final Duration timeout)
    {
        try
        {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(final Thread thread)
    {
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(final Path file, final int lines)
    {
        try
        {
            if (!Files.exists(file))
            {
                return "(no output)";
            }
            final List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return "(cannot read " + file + ": " + ex + ")";
        }
    }
}
