package io.runnel.broker.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the nodes of a local cluster as child processes, in the foreground: each node's output
 * (stdout and stderr) line by line behind its id, a node that exits with a failure stops the others
 * (unless told to keep going), and {@link #stop()} (the JVM's shutdown hook on Ctrl-C or SIGTERM)
 * asks every node to stop (SIGTERM: a clean shutdown), then kills what is still running after the
 * grace period.
 */
public final class LocalClusterSupervisor
{
    /** What starts one node: its id and the command line. */
    public record NodeCommand(int id, List<String> command)
    {
        public NodeCommand
        {
            command = List.copyOf(command);
        }
    }

    /** How long output of a node that has exited may take to drain. */
    private static final long OUTPUT_DRAIN_MS = 5_000;
    private static final String OWN_PREFIX = "[cluster] ";

    /** A started node. */
    private record Child(int id, Process process, Thread output)
    {
    }

    private final PrintStream out;
    private final boolean keepGoing;
    private final Duration stopGrace;
    private final List<Child> children = new ArrayList<>();
    private final BlockingQueue<Child> exited = new LinkedBlockingQueue<>();
    private volatile boolean stopping;

    /**
     * @param out       where every node's output and the supervisor's own lines go
     * @param keepGoing a node that fails does not stop the others (to try failover by killing one)
     * @param stopGrace how long a node may take to stop cleanly before it is killed
     */
    public LocalClusterSupervisor(final PrintStream out, final boolean keepGoing, final Duration stopGrace)
    {
        this.out = out;
        this.keepGoing = keepGoing;
        this.stopGrace = stopGrace;
    }

    /**
     * Starts every node; if one cannot be started, stops those already running.
     *
     * @throws UncheckedIOException if a command cannot be run
     */
    public synchronized void start(final List<NodeCommand> nodes)
    {
        for (final NodeCommand node : nodes)
        {
            final Process process;
            try
            {
                process = new ProcessBuilder(node.command()).redirectErrorStream(true).start();
                process.getOutputStream().close();
            }
            catch (final IOException ex)
            {
                stop();
                throw new UncheckedIOException("cannot start node " + node.id() + " (" + String.join(" ", node.command()) + ")", ex);
            }
            final Thread output = new Thread(() -> copyOutput(node.id(), process), "node-" + node.id() + "-output");
            output.setDaemon(true);
            output.start();
            final Child child = new Child(node.id(), process, output);
            children.add(child);
            process.onExit().thenRun(() -> exited.add(child));
        }
    }

    /**
     * Waits until every node has exited: by itself, because another failed, or because {@link #stop()} stopped it.
     *
     * @return 0, or 1 if a node exited with a failure before it was asked to stop
     */
    public int awaitExit() throws InterruptedException
    {
        int running;
        synchronized (this)
        {
            running = children.size();
        }
        boolean failed = false;
        while (running > 0)
        {
            final Child child = exited.take();
            running--;
            drain(child);
            if (stopping)
            {
                continue;
            }
            final int status = child.process.exitValue();
            line(OWN_PREFIX + "node " + child.id + " exited with status " + status);
            if (status != 0)
            {
                failed = true;
                if (!keepGoing && running > 0)
                {
                    line(OWN_PREFIX + "stopping the other nodes");
                    stopInBackground();
                }
            }
        }
        return failed ? 1 : 0;
    }

    /** Asks every node to stop (SIGTERM), waits up to the grace period for each, kills the rest, and waits for their output. */
    public synchronized void stop()
    {
        stopping = true;
        for (final Child child : children)
        {
            child.process.destroy();
        }
        final long deadline = System.nanoTime() + stopGrace.toNanos();
        for (final Child child : children)
        {
            try
            {
                if (!child.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    line(OWN_PREFIX + "node " + child.id + " did not stop within " + stopGrace.toSeconds() + " s: killing it");
                    child.process.destroyForcibly().waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
                }
                drain(child);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                child.process.destroyForcibly();
            }
        }
    }

    /** The main thread must go on counting exits, so the stopping happens elsewhere. */
    private void stopInBackground()
    {
        final Thread stopper = new Thread(this::stop, "cluster-stop");
        stopper.setDaemon(true);
        stopper.start();
    }

    private void copyOutput(final int id, final Process process)
    {
        final String prefix = "[node " + id + "] ";
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String text;
            while ((text = reader.readLine()) != null)
            {
                line(prefix + text);
            }
        }
        catch (final IOException ex)
        {
            line(prefix + "(output lost: " + ex.getMessage() + ")");
        }
    }

    private static void drain(final Child child)
    {
        try
        {
            child.output.join(OUTPUT_DRAIN_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** One whole line at a time, so that the nodes' lines never interleave within a line. */
    private void line(final String text)
    {
        synchronized (out)
        {
            out.println(text);
            out.flush();
        }
    }
}
