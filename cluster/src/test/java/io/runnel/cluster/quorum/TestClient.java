package io.runnel.cluster.quorum;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A broker's side in the tests: an embedded client driver and a {@link QuorumClient} driven on the
 * test thread, with blocking helpers that resend a command after every reconnect until its reply
 * comes (puts are idempotent, so a resend that lands twice is harmless).
 */
final class TestClient implements AutoCloseable, QuorumClient.Listener
{
    private final MediaDriver driver;
    private final QuorumClient client;
    private final ExpandableArrayBuffer command = new ExpandableArrayBuffer();
    private final Long2ObjectHashMap<String> replies = new Long2ObjectHashMap<>();
    private final List<String> broadcasts = new ArrayList<>();
    private final IdleStrategy idle = new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(50),
        TimeUnit.MILLISECONDS.toNanos(1));
    private long nextCorrelationId = 1;
    private int connects;
    private int newSessions;

    TestClient(final File baseDir, final QuorumMembers members, final int ingressTermLength)
    {
        driver = ClientMediaDriver.launch(QuorumNodeConfig.defaultAeronDirectoryName(baseDir, "test-client"));
        client = new QuorumClient(new QuorumClient.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .members(members)
            .listener(this)
            .ingressTermLength(ingressTermLength)
            .egressTermLength(256 * 1024)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(2))
            .retryDelayNs(TimeUnit.MILLISECONDS.toNanos(200))
            .keepAliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(500))
            .clientName("test-client"));
    }

    QuorumClient client()
    {
        return client;
    }

    int connects()
    {
        return connects;
    }

    int newSessions()
    {
        return newSessions;
    }

    List<String> broadcasts()
    {
        return broadcasts;
    }

    void put(final String key, final String value)
    {
        final long correlationId = nextCorrelationId++;
        final int length = KeyValueMachine.encodePut(command, correlationId, key, value);
        if (null == await(correlationId, length, TestQuorum.AWAIT_TIMEOUT_MS))
        {
            fail("no reply to put " + key + " within " + TestQuorum.AWAIT_TIMEOUT_MS + " ms");
        }
    }

    /** Whether a put got its reply within {@code timeoutMs}. */
    boolean tryPut(final String key, final String value, final long timeoutMs)
    {
        final long correlationId = nextCorrelationId++;
        final int length = KeyValueMachine.encodePut(command, correlationId, key, value);
        return null != await(correlationId, length, timeoutMs);
    }

    String get(final String key)
    {
        final long correlationId = nextCorrelationId++;
        final int length = KeyValueMachine.encodeGet(command, correlationId, key);
        final String value = await(correlationId, length, TestQuorum.AWAIT_TIMEOUT_MS);
        if (null == value)
        {
            fail("no reply to get " + key);
        }
        return value;
    }

    /** Sends a flood command and then does not poll for {@code stallMs}, as a stalled broker would. */
    void floodAndStall(final int count, final int size, final long stallMs) throws InterruptedException
    {
        final int length = KeyValueMachine.encodeFlood(command, nextCorrelationId++, count, size);
        pollUntil("the flood command sent", () -> client.offer(command, 0, length));
        Thread.sleep(stallMs);
    }

    void scheduleTimer(final long correlationId, final long delayMs)
    {
        final int length = KeyValueMachine.encodeTimer(command, correlationId, delayMs);
        if (null == await(correlationId, length, TestQuorum.AWAIT_TIMEOUT_MS))
        {
            fail("no reply to the timer command");
        }
    }

    void awaitBroadcast(final String broadcast)
    {
        pollUntil("broadcast " + broadcast, () -> broadcasts.contains(broadcast));
    }

    void awaitConnected()
    {
        pollUntil("a quorum session", client::isConnected);
    }

    void pollUntil(final String what, final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.currentTimeMillis() + TestQuorum.AWAIT_TIMEOUT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("timed out waiting for " + what);
            }
            idle.idle(client.doWork());
        }
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte type = buffer.getByte(offset);
        if (KeyValueMachine.PUT_DONE == type)
        {
            replies.put(KeyValueMachine.correlationId(buffer, offset), "ok");
        }
        else if (KeyValueMachine.VALUE == type)
        {
            replies.put(KeyValueMachine.correlationId(buffer, offset),
                KeyValueMachine.readString(buffer, offset + 1 + Long.BYTES));
        }
        else if (KeyValueMachine.CHANGED == type)
        {
            final String key = KeyValueMachine.readString(buffer, offset + 1);
            final String value = KeyValueMachine.readString(buffer, offset + 1 + Integer.BYTES + key.length());
            broadcasts.add(key + "=" + value);
        }
        else if (KeyValueMachine.TIMER_FIRED == type)
        {
            broadcasts.add("timer:" + KeyValueMachine.correlationId(buffer, offset));
        }
    }

    @Override
    public void onConnected(final long sessionId, final int leaderMemberId, final boolean newSession)
    {
        connects++;
        if (newSession)
        {
            newSessions++;
        }
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(client, driver);
    }

    /** Offers the command, again after each reconnect, until its reply arrives or {@code timeoutMs} passes. */
    private String await(final long correlationId, final int length, final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        int sentAtConnect = -1;
        while (System.currentTimeMillis() <= deadline)
        {
            final String reply = replies.remove(correlationId);
            if (null != reply)
            {
                return reply;
            }
            if (sentAtConnect != connects && client.offer(command, 0, length))
            {
                sentAtConnect = connects;
            }
            idle.idle(client.doWork());
        }
        return null;
    }
}
