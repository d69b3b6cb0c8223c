package io.runnel.broker.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor of bin/runnel cluster over real child processes (small shell scripts standing in for nodes). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalClusterSupervisorTest
{
    private static final Duration GRACE = Duration.ofSeconds(10);
    /** Long enough to outlive any test; every test ends its sleepers. */
    private static final String SLEEPS = "exec sleep 120";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void everyNodesOutputComesLineByLineBehindItsId() throws Exception
    {
        final LocalClusterSupervisor supervisor = new LocalClusterSupervisor(out, false, GRACE);
        supervisor.start(List.of(node(1, "echo hello; echo on stderr >&2"), node(2, "echo hello")));
        assertEquals(0, supervisor.awaitExit(), "every node exited cleanly");
        final List<String> lines = lines();
        assertTrue(lines.contains("[node 1] hello"), lines::toString);
        assertTrue(lines.contains("[node 1] on stderr"), lines::toString);
        assertTrue(lines.contains("[node 2] hello"), lines::toString);
        assertTrue(lines.contains("[cluster] node 2 exited with status 0"), lines::toString);
    }

    @Test
    void aNodeThatFailsStopsTheOthers() throws Exception
    {
        final LocalClusterSupervisor supervisor = new LocalClusterSupervisor(out, false, GRACE);
        supervisor.start(List.of(node(1, SLEEPS), node(2, "echo boom; exit 3"), node(3, SLEEPS)));
        assertEquals(1, supervisor.awaitExit(), "returns once the sleepers are stopped too");
        final List<String> lines = lines();
        assertTrue(lines.contains("[node 2] boom"), lines::toString);
        assertTrue(lines.contains("[cluster] node 2 exited with status 3"), lines::toString);
        assertTrue(lines.contains("[cluster] stopping the other nodes"), lines::toString);
        assertFalse(lines.contains("[cluster] node 1 exited with status 143"), "a node stopped on purpose is not reported as failed");
    }

    @Test
    void withKeepGoingTheOthersRunOn() throws Exception
    {
        final LocalClusterSupervisor supervisor = new LocalClusterSupervisor(out, true, GRACE);
        supervisor.start(List.of(node(1, "sleep 1; echo still here"), node(2, "exit 3")));
        assertEquals(1, supervisor.awaitExit());
        final List<String> lines = lines();
        assertTrue(lines.indexOf("[cluster] node 2 exited with status 3") < lines.indexOf("[node 1] still here"), lines::toString);
        assertTrue(lines.contains("[cluster] node 1 exited with status 0"), lines::toString);
    }

    @Test
    void stopEndsEveryNodeAndKillsOneThatIgnoresIt() throws Exception
    {
        final LocalClusterSupervisor supervisor = new LocalClusterSupervisor(out, false, Duration.ofSeconds(1));
        // Node 2 ignores SIGTERM; its loop of short sleeps leaves no long-lived orphan once it is killed.
        supervisor.start(List.of(node(1, SLEEPS), node(2, "trap '' TERM; echo stubborn; while true; do sleep 0.2; done")));
        final CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return supervisor.awaitExit();
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        waitForLine("[node 2] stubborn");
        supervisor.stop();
        assertEquals(0, status.get(30, TimeUnit.SECONDS), "stopped on purpose: no failure");
        assertTrue(lines().contains("[cluster] node 2 did not stop within 1 s: killing it"), lines()::toString);
    }

    private static LocalClusterSupervisor.NodeCommand node(final int id, final String script)
    {
        return new LocalClusterSupervisor.NodeCommand(id, List.of("sh", "-c", script));
    }

    private void waitForLine(final String line) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!lines().contains(line) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(lines().contains(line), "no line '" + line + "' in " + lines());
    }

    private List<String> lines()
    {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
