package io.runnel.cluster.quorum;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Three controller nodes, each a JVM of its own ({@link QuorumNodeProcess}): the leader is killed
 * with SIGKILL, the other two elect a new one and keep committing, and the killed node restarts at
 * once on its folders (its mark files still look alive) and catches up.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControllerProcessKillTest
{
    private static final int NODES = 3;

    @TempDir
    File dir;

    private final Process[] processes = new Process[NODES + 1];
    private TestClient client;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        if (null != client)
        {
            client.close();
        }
        for (final Process process : processes)
        {
            if (null != process)
            {
                process.destroy();
            }
        }
        for (final Process process : processes)
        {
            if (null != process && !process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void aKilledLeaderIsReplacedAndRejoinsAfterARestart() throws IOException
    {
        final String voters = TestQuorum.probeVoters(NODES);
        for (int id = 1; id <= NODES; id++)
        {
            processes[id] = startNode(voters, id);
        }
        final int leader = awaitLeader(List.of(1, 2, 3));
        client = new TestClient(new File(dir, "client"), QuorumMembers.forClient(voters, 0), 64 * 1024);
        client.awaitConnected();
        client.put("a", "1");
        awaitEntries(List.of(1, 2, 3), Map.of("a", "1"));

        final long killedAt = System.nanoTime();
        processes[leader].destroyForcibly();
        final List<Integer> survivors = new ArrayList<>(List.of(1, 2, 3));
        survivors.remove(Integer.valueOf(leader));
        final int next = awaitLeaderOtherThan(survivors, leader);
        final long electedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        client.put("b", "2");

        Files.deleteIfExists(status(leader).toPath());
        processes[leader] = startNode(voters, leader);

        awaitEntries(List.of(1, 2, 3), Map.of("a", "1", "b", "2"));
        assertNotEquals(leader, next);
        System.out.printf("quorum: after kill -9 of leader %d (a JVM of its own), %d led %d ms later " +
            "(heartbeat timeout %d ms); the killed node restarted and caught up%n",
            leader, next, electedAfterMs, TimeUnit.NANOSECONDS.toMillis(TestQuorum.HEARTBEAT_TIMEOUT_NS));
    }

    private Process startNode(final String voters, final int id) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(QuorumNodeProcess.class.getName());
        command.add(voters);
        command.add(Integer.toString(id));
        command.add(baseDir(id).getPath());
        return new ProcessBuilder(command)
            .redirectOutput(new File(dir, "node-" + id + ".out"))
            .redirectErrorStream(true)
            .start();
    }

    private File baseDir(final int id)
    {
        return new File(dir, "node-" + id);
    }

    private File status(final int id)
    {
        return new File(baseDir(id), QuorumNodeProcess.STATUS_FILE);
    }

    /** Role, leader id and entries as the node last wrote them; null before its first write. */
    private List<String> readStatus(final int id)
    {
        try
        {
            return status(id).exists() ? Files.readAllLines(status(id).toPath(), StandardCharsets.UTF_8) : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private int awaitLeader(final List<Integer> ids)
    {
        return awaitLeaderOtherThan(ids, QuorumHost.NO_LEADER);
    }

    private int awaitLeaderOtherThan(final List<Integer> ids, final int formerLeader)
    {
        final int[] leader = {QuorumHost.NO_LEADER};
        pollUntil("a leader other than " + formerLeader + " known to nodes " + ids, () ->
        {
            int agreed = QuorumHost.NO_LEADER;
            for (final int id : ids)
            {
                final List<String> status = readStatus(id);
                if (null == status || status.size() < 2)
                {
                    return false;
                }
                final int known = Integer.parseInt(status.get(1));
                if (known == formerLeader || (agreed != QuorumHost.NO_LEADER && known != agreed))
                {
                    return false;
                }
                agreed = known;
            }
            final List<String> leaderStatus = ids.contains(agreed) ? readStatus(agreed) : null;
            if (null == leaderStatus || !"LEADER".equals(leaderStatus.get(0)))
            {
                return false;
            }
            leader[0] = agreed;
            return true;
        });
        return leader[0];
    }

    private void awaitEntries(final List<Integer> ids, final Map<String, String> expected)
    {
        pollUntil("nodes " + ids + " holding " + expected, () ->
        {
            for (final int id : ids)
            {
                final List<String> status = readStatus(id);
                if (null == status || status.size() < 2)
                {
                    return false;
                }
                final Map<String, String> entries = new TreeMap<>();
                for (final String line : status.subList(2, status.size()))
                {
                    final int equals = line.indexOf('=');
                    entries.put(line.substring(0, equals), line.substring(equals + 1));
                }
                if (!expected.equals(entries))
                {
                    return false;
                }
            }
            return true;
        });
    }

    /** Waits, keeping the client's session alive meanwhile. */
    private void pollUntil(final String what, final java.util.function.BooleanSupplier condition)
    {
        if (null == client)
        {
            TestQuorum.await(what, condition);
        }
        else
        {
            client.pollUntil(what, condition);
        }
    }
}
