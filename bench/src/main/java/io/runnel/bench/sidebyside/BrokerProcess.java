package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.runnel.bench.omb.BenchConfigException;

/**
 * One broker under test, run as a child process on 127.0.0.1 with its own fresh data folder,
 * so that its CPU time and memory can be read from /proc and nothing of one run leaks into the next.
 */
abstract class BrokerProcess implements BrokersUnderTest
{
    private static final long START_TIMEOUT_MS = 90_000;
    private static final long STOP_TIMEOUT_MS = 60_000;

    protected final Path dataDir;
    protected final int port;
    protected final Path logFile;
    private Process process;

    BrokerProcess(final Path dataDir, final int port, final Path logFile)
    {
        this.dataDir = dataDir;
        this.port = port;
        this.logFile = logFile;
    }

    /** The command line that starts the broker in the foreground. */
    protected abstract ProcessBuilder command() throws IOException;

    @Override
    public final void start() throws IOException, InterruptedException
    {
        Files.createDirectories(dataDir);
        process = command().redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        final long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!accepts())
        {
            if (!process.isAlive())
            {
                throw new BenchConfigException(name() + " exited with code " + process.exitValue() + " before listening; see " + logFile);
            }
            if (System.currentTimeMillis() > deadline)
            {
                throw new BenchConfigException(name() + " did not listen on 127.0.0.1:" + port + " within " +
                    START_TIMEOUT_MS / 1000 + " s; see " + logFile);
            }
            Thread.sleep(200);
        }
    }

    abstract String name();

    @Override
    public final String bootstrap()
    {
        return "127.0.0.1:" + port;
    }

    final long pid()
    {
        return process.pid();
    }

    @Override
    public final List<Long> pids()
    {
        return List.of(pid());
    }

    @Override
    public final Path dataDir()
    {
        return dataDir;
    }

    @Override
    public final List<Path> logs()
    {
        return List.of(logFile);
    }

    private boolean accepts()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * SIGTERM (both brokers shut down cleanly on it), SIGKILL if that takes too long; the data folder
     * stays, so that another broker process can be started on it (a restart with other settings).
     */
    final void stop() throws InterruptedException
    {
        if (process != null && process.isAlive())
        {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** {@link #stop()}, then the data folder goes. */
    @Override
    public final void close() throws IOException, InterruptedException
    {
        stop();
        deleteRecursively(dataDir);
    }

    static void deleteRecursively(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
