package io.runnel.cluster.quorum;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * One controller node in a JVM of its own, for the kill -9 test: {@code voters id baseDir}. It
 * hosts a {@link KeyValueMachine} and every 50 ms writes {@code baseDir/status} (role, leader id,
 * then the machine's entries as {@code key=value} lines) for the test to read. It exits when its
 * standard input closes (its parent test JVM is gone) and closes the node on SIGTERM.
 */
public final class QuorumNodeProcess
{
    static final String STATUS_FILE = "status";
    private static final long STATUS_INTERVAL_MS = 50;

    private QuorumNodeProcess()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String voters = args[0];
        final int id = Integer.parseInt(args[1]);
        final File baseDir = new File(args[2]);
        final AtomicReference<KeyValueMachine> machine = new AtomicReference<>();
        final QuorumNodeConfig config = TestQuorum.testConfig(voters, id, baseDir);
        final String maxParkMs = System.getProperty("quorum.maxParkMs");
        if (null != maxParkMs)
        {
            // For measuring what idle costs against how fast a command commits.
            final long maxParkNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(maxParkMs));
            config.idleStrategySupplier(() -> new BackoffIdleStrategy(10, 5, TimeUnit.MICROSECONDS.toNanos(10), maxParkNs));
        }
        final ControllerNode node = ControllerNode.launch(config, () ->
        {
            final KeyValueMachine fresh = new KeyValueMachine();
            machine.set(fresh);
            return fresh;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        final Thread parentWatch = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    // nothing is sent: only the end of the stream matters
                }
            }
            catch (final IOException ignore)
            {
                // the parent is gone either way
            }
            System.exit(1);
        });
        parentWatch.setDaemon(true);
        parentWatch.start();

        final Path status = new File(baseDir, STATUS_FILE).toPath();
        final Path next = new File(baseDir, STATUS_FILE + ".next").toPath();
        while (true)
        {
            final List<String> lines = new ArrayList<>();
            lines.add(node.role().name());
            lines.add(Integer.toString(node.leaderMemberId()));
            final KeyValueMachine current = machine.get();
            if (null != current)
            {
                for (final Map.Entry<String, String> entry : current.entries().entrySet())
                {
                    lines.add(entry.getKey() + "=" + entry.getValue());
                }
            }
            try
            {
                Files.write(next, lines, StandardCharsets.UTF_8);
                Files.move(next, status, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            Thread.sleep(STATUS_INTERVAL_MS);
        }
    }
}
