package io.runnel.cluster.quorum;

import java.util.concurrent.TimeUnit;

import io.aeron.Publication;
import io.aeron.cluster.client.ClusterException;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's effects as Aeron Cluster calls: replies and broadcasts go to the client sessions'
 * egress (on followers Aeron turns them into no-ops), timers to the consensus module.
 *
 * <p>A session that stays back-pressured for {@code retries} offers is closed rather than let it
 * stall the service thread, which every other session waits on; its client reconnects and asks
 * again for what it missed. Offers never throw into the machine: a reply too large for the egress
 * term is logged and dropped.
 */
final class SessionOutput implements ReplicatedStateMachine.QuorumOutput
{
    private static final Logger LOG = LoggerFactory.getLogger(SessionOutput.class);
    /** Closing a session is one message to the consensus module: a few tries, then the session timeout closes it. */
    private static final int CLOSE_ATTEMPTS = 100;

    private final int retries;
    private final LongHashSet closing = new LongHashSet();
    private Cluster cluster;

    SessionOutput(final int retries)
    {
        this.retries = retries;
    }

    void cluster(final Cluster cluster)
    {
        this.cluster = cluster;
    }

    /** The session's close reached the log: it is no longer ours to close. */
    void onSessionClosed(final long sessionId)
    {
        closing.remove(sessionId);
    }

    @Override
    public boolean reply(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        final ClientSession session = cluster.getClientSession(sessionId);
        if (null == session || closing.contains(sessionId))
        {
            return false;
        }
        return offer(session, buffer, offset, length);
    }

    @Override
    public void broadcast(final DirectBuffer buffer, final int offset, final int length)
    {
        for (final ClientSession session : cluster.clientSessions())
        {
            if (!closing.contains(session.id()))
            {
                offer(session, buffer, offset, length);
            }
        }
    }

    @Override
    public void scheduleTimer(final long correlationId, final long deadlineMs)
    {
        // Aeron's contract: loop until the consensus module takes it; its idle strategy stops the loop at shutdown.
        final long deadline = cluster.timeUnit().convert(deadlineMs, TimeUnit.MILLISECONDS);
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        while (!cluster.scheduleTimer(correlationId, deadline))
        {
            idle.idle();
        }
    }

    @Override
    public void cancelTimer(final long correlationId)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        while (!cluster.cancelTimer(correlationId))
        {
            idle.idle();
        }
    }

    private boolean offer(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        for (int attempt = 0; attempt < retries; attempt++)
        {
            final long result;
            try
            {
                result = session.offer(buffer, offset, length);
            }
            catch (final IllegalArgumentException ex)
            {
                LOG.error("quorum: a {} byte message to session {} is larger than its egress takes; dropped: {}",
                    length, session.id(), ex.getMessage());
                return false;
            }
            if (result > 0)
            {
                return true;
            }
            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                if (Publication.MAX_POSITION_EXCEEDED == result)
                {
                    close(session, "its egress reached its maximum position");
                }
                // NOT_CONNECTED or CLOSED: the client is gone or reconnecting; it asks again when back.
                return false;
            }
            idle.idle();
        }
        close(session, "it stayed back-pressured for " + retries + " offers");
        return false;
    }

    private void close(final ClientSession session, final String why)
    {
        final long sessionId = session.id();
        LOG.warn("quorum: closing client session {}: {}; its client reconnects", sessionId, why);
        closing.add(sessionId);
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        try
        {
            for (int attempt = 0; attempt < CLOSE_ATTEMPTS && !cluster.closeClientSession(sessionId); attempt++)
            {
                idle.idle();
            }
        }
        catch (final ClusterException ex)
        {
            LOG.debug("quorum: session {} was already gone: {}", sessionId, ex.getMessage());
        }
    }
}
