package io.runnel.cluster.quorum;

import java.io.File;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.aeron.cluster.RecordingLog;
import io.aeron.cluster.service.Cluster;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three controller nodes in this JVM hosting {@link KeyValueMachine}, and a client as a broker
 * would use it: election, commits with replies and broadcasts, timers, leader loss (clean and
 * abrupt), restart and catch-up, snapshots, and what a majority means.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControllerQuorumTest
{
    private static final int ROUND_TRIPS = 200;

    @TempDir
    File dir;

    private TestQuorum quorum;
    private TestClient client;

    @AfterEach
    void tearDown()
    {
        if (null != client)
        {
            client.close();
        }
        if (null != quorum)
        {
            quorum.close();
        }
    }

    @Test
    void threeNodesElectALeaderAndCommandsCommitWithRepliesAndBroadcasts()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        final int leader = quorum.awaitLeader();
        client = newClient();

        client.put("topic-a", "1");
        client.put("topic-b", "2");

        assertEquals("1", client.get("topic-a"));
        client.awaitBroadcast("topic-a=1");
        client.awaitBroadcast("topic-b=2");
        assertEquals(leader, client.client().leaderMemberId());
        quorum.awaitState(Map.of("topic-a", "1", "topic-b", "2"));
        final long started = System.nanoTime();
        for (int i = 0; i < ROUND_TRIPS; i++)
        {
            client.put("topic-a", Integer.toString(i));
        }
        System.out.printf("quorum: %d puts one after another, %.2f ms each (commit and reply, 3 nodes in one JVM)%n",
            ROUND_TRIPS, (System.nanoTime() - started) / 1e6 / ROUND_TRIPS);
        for (final int id : quorum.runningIds())
        {
            assertEquals(leader == id ? Cluster.Role.LEADER : Cluster.Role.FOLLOWER, quorum.node(id).role());
            assertTrue(quorum.node(id).commitPosition() > 0);
        }
    }

    @Test
    void theLongestCommandCommitsAndALongerOneIsRefusedBeforeSending()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        quorum.awaitLeader();
        client = newClient();
        final int longest = client.client().maxCommandLength();
        final int overhead = 1 + Long.BYTES + 2 * Integer.BYTES + 1;
        final String value = "x".repeat(longest - overhead);

        client.put("k", value);

        quorum.awaitState(Map.of("k", value));
        final ExpandableArrayBuffer tooLong = new ExpandableArrayBuffer(longest + 1);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> client.client().offer(tooLong, 0, longest + 1));
        assertTrue(ex.getMessage().contains("exceeds"), ex.getMessage());
    }

    @Test
    void timersFireThroughTheLogAndReachClients()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        quorum.awaitLeader();
        client = newClient();

        client.scheduleTimer(42, 100);

        client.awaitBroadcast("timer:42");
    }

    @Test
    void closingTheLeaderElectsAnotherAndTheClientKeepsWorking()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        final int leader = quorum.awaitLeader();
        client = newClient();
        client.put("before", "1");

        quorum.stop(leader);
        final int next = quorum.awaitLeader();
        client.put("after", "2");

        assertNotEquals(leader, next);
        assertEquals(next, client.client().leaderMemberId());
        quorum.awaitState(Map.of("before", "1", "after", "2"));
    }

    @Test
    void aCrashedLeaderIsReplacedAndTheClientKeepsWorking()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        final int leader = quorum.awaitLeader();
        client = newClient();
        client.put("before", "1");
        final int connectsBefore = client.connects();

        final long crashedAt = System.nanoTime();
        quorum.crash(leader);
        final int next = quorum.awaitLeader();
        final long electedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
        client.put("after", "2");

        assertNotEquals(leader, next);
        assertTrue(client.connects() > connectsBefore, "the client heard of its reconnection");
        quorum.awaitState(Map.of("before", "1", "after", "2"));
        System.out.printf("quorum: new leader %d elected %d ms after leader %d crashed (heartbeat timeout %d ms)%n",
            next, electedAfterMs, leader, TimeUnit.NANOSECONDS.toMillis(TestQuorum.HEARTBEAT_TIMEOUT_NS));
    }

    @Test
    void aClientThatStopsReadingIsClosedAndReconnectsWithANewSession() throws InterruptedException
    {
        quorum = new TestQuorum(dir, 3, (config) -> config.egressRetries(50)).startAll();
        quorum.awaitLeader();
        client = newClient();
        final long firstSession = client.client().sessionId();

        client.floodAndStall(200, 4096, 2_000);
        client.pollUntil("a new session", () -> client.newSessions() >= 2);
        client.put("after", "1");

        assertNotEquals(firstSession, client.client().sessionId());
        quorum.awaitState(Map.of("after", "1"));
    }

    @Test
    void aSnapshotIsTakenOnATimerWhenCommandsArrived()
    {
        quorum = new TestQuorum(dir, 3, (config) -> config
            .snapshotEveryCommands(Integer.MAX_VALUE)
            .snapshotIntervalNs(TimeUnit.MILLISECONDS.toNanos(200))).startAll();
        quorum.awaitLeader();
        client = newClient();

        client.put("a", "1");

        TestQuorum.await("a timed snapshot on every node", () -> quorum.runningIds().stream()
            .allMatch((id) -> quorum.node(id).snapshotCount() >= 1));
    }

    @Test
    void aStoppedNodeRestartsFromItsFoldersAndCatchesUp()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        final int leader = quorum.awaitLeader();
        client = newClient();
        client.put("a", "1");
        final int follower = leader % 3 + 1;

        quorum.crash(follower);
        final Map<String, String> expected = new TreeMap<>(Map.of("a", "1"));
        for (int i = 0; i < 20; i++)
        {
            client.put("k" + i, "v" + i);
            expected.put("k" + i, "v" + i);
        }
        quorum.start(follower);

        quorum.awaitState(expected);
        assertEquals(expected, quorum.machine(follower).entries());
        assertFalse(quorum.machine(follower).loadedSnapshot(), "no snapshot yet: the whole log was replayed");
    }

    @Test
    void aSnapshotIsTakenEveryNCommandsAndARestartLoadsIt()
    {
        quorum = new TestQuorum(dir, 3, (config) -> config.snapshotEveryCommands(10)).startAll();
        final int leader = quorum.awaitLeader();
        client = newClient();
        final Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 12; i++)
        {
            client.put("k" + i, "v" + i);
            expected.put("k" + i, "v" + i);
        }
        TestQuorum.await("a snapshot on every node", () -> quorum.runningIds().stream()
            .allMatch((id) -> quorum.node(id).snapshotCount() >= 1));
        final int follower = leader % 3 + 1;

        quorum.stop(follower);
        client.put("late", "x");
        expected.put("late", "x");
        quorum.start(follower);

        quorum.awaitState(expected);
        assertTrue(quorum.machine(follower).loadedSnapshot(), "the restart began from the snapshot");
    }

    @Test
    void theLogIsPurgedBelowTheRetainedSnapshot()
    {
        quorum = new TestQuorum(dir, 3, (config) -> config
            .snapshotEveryCommands(50)
            .retainedSnapshots(1)
            .archiveSegmentLength(128 * 1024)).startAll();
        quorum.awaitLeader();
        client = newClient();
        final String value = "v".repeat(1000);
        final Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 400; i++)
        {
            client.put("k" + i, value);
            expected.put("k" + i, value);
        }
        final int node = quorum.runningIds().get(0);

        final long logRecordingId = logRecordingId(node);
        final File firstSegment = new File(new File(quorum.baseDir(node), "archive"), logRecordingId + "-0.rec");

        TestQuorum.await("the log's first segment purged on node " + node, () -> !firstSegment.exists());
        // What stays: the log and the newest snapshot (one recording for the consensus module, one for the service).
        TestQuorum.await("old snapshot recordings purged on node " + node, () -> recordingIds(node).size() <= 3);

        quorum.awaitState(expected);
        quorum.stop(node);
        quorum.start(node);
        quorum.awaitState(expected);
        assertTrue(quorum.machine(node).loadedSnapshot());
    }

    @Test
    void oneNodeOfThreeDownKeepsCommitting()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        final int leader = quorum.awaitLeader();
        client = newClient();
        final int follower = leader % 3 + 1;

        quorum.crash(follower);
        client.put("with-two", "1");

        quorum.awaitState(Map.of("with-two", "1"));
    }

    @Test
    void twoNodesOfThreeDownCommitNothingUntilOneReturns()
    {
        quorum = new TestQuorum(dir, 3).startAll();
        final int leader = quorum.awaitLeader();
        client = newClient();
        client.put("a", "1");
        final int first = leader % 3 + 1;
        final int second = first % 3 + 1;

        quorum.crash(first);
        quorum.crash(second);
        assertFalse(client.tryPut("b", "2", 3_000), "a single node of three committed a command");
        assertEquals(Map.of("a", "1"), quorum.machine(leader).entries());

        quorum.start(first);
        client.put("b", "2");

        quorum.awaitState(Map.of("a", "1", "b", "2"));
    }

    @Test
    void aSecondNodeOnTheSameFoldersIsRefused()
    {
        quorum = new TestQuorum(dir, 3);
        quorum.start(1);

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> ControllerNode.launch(
            TestQuorum.testConfig(quorum.voters(), 1, quorum.baseDir(1)), KeyValueMachine::new));

        assertTrue(ex.getMessage().contains("another controller node is running on"), ex.getMessage());
    }

    private TestClient newClient()
    {
        final TestClient newClient = new TestClient(new File(dir, "client"), quorum.members(), 64 * 1024);
        newClient.awaitConnected();
        return newClient;
    }

    private Set<String> recordingIds(final int id)
    {
        final Set<String> ids = new TreeSet<>();
        final File[] files = new File(quorum.baseDir(id), "archive").listFiles((file) -> file.getName().endsWith(".rec"));
        for (final File file : null == files ? new File[0] : files)
        {
            ids.add(file.getName().substring(0, file.getName().indexOf('-')));
        }
        return ids;
    }

    private long logRecordingId(final int id)
    {
        try (RecordingLog recordingLog = new RecordingLog(new File(quorum.baseDir(id), "cluster"), false))
        {
            return recordingLog.findLastTermRecordingId();
        }
    }
}
