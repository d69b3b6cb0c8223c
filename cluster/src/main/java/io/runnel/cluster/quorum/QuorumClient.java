package io.runnel.cluster.quorum;

import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.cluster.codecs.EventCode;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's connection to the metadata quorum: an Aeron Cluster session with whichever voter
 * leads, kept up across leader changes and lost sessions.
 *
 * <p>It is a duty cycle ({@link Agent}): whoever owns it calls {@link #doWork()} often (the
 * broker's conductor, or an {@code AgentRunner} of its own) and calls {@link #offer} on that same
 * thread; it is not thread-safe. Its Aeron client runs inside {@link #doWork()} too (conductor
 * agent invoker), so it adds no thread.
 *
 * <p>Connecting dials every voter's ingress at once; the leader answers. A connect that finds no
 * leader within {@code connectTimeoutNs} is logged (which voters were dialled) and tried again
 * {@code retryDelayNs} later, forever. Each time a session is established, or the session moves
 * to a newly elected leader, {@link Listener#onConnected} tells the owner that messages in flight
 * may have been lost: replies and broadcasts the old leader had not sent, commands it had not
 * committed. The owner resubscribes and resends what got no reply.
 */
public final class QuorumClient implements Agent, AutoCloseable
{
    /** What a client hears. All calls come from {@link #doWork()}. */
    public interface Listener
    {
        /** A reply or broadcast from the quorum's machine. */
        void onMessage(DirectBuffer buffer, int offset, int length);

        /**
         * A session is ready to take commands: a new one ({@code newSession}) or the same one now
         * served by a newly elected leader.
         */
        void onConnected(long sessionId, int leaderMemberId, boolean newSession);

        /** The session ended; the client is reconnecting. */
        default void onDisconnected(final String reason)
        {
        }
    }

    /** The client's settings; required: the Aeron directory, the members, the listener. */
    public static final class Context
    {
        private String aeronDirectoryName;
        private QuorumMembers members;
        private Listener listener;
        private String egressHost = "127.0.0.1";
        private int ingressTermLength = QuorumNodeConfig.DEFAULT_INGRESS_TERM_LENGTH;
        private int egressTermLength = DEFAULT_EGRESS_TERM_LENGTH;
        private long connectTimeoutNs = DEFAULT_CONNECT_TIMEOUT_NS;
        private long retryDelayNs = DEFAULT_RETRY_DELAY_NS;
        private long keepAliveIntervalNs = DEFAULT_KEEP_ALIVE_INTERVAL_NS;
        private String clientName = "runnel-quorum-client";

        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public Context members(final QuorumMembers members)
        {
            this.members = members;
            return this;
        }

        public Context listener(final Listener listener)
        {
            this.listener = listener;
            return this;
        }

        /** The address the voters send replies to: this host as they reach it. */
        public Context egressHost(final String egressHost)
        {
            this.egressHost = egressHost;
            return this;
        }

        /** Must equal the voters' {@link QuorumNodeConfig#ingressTermLength()}. */
        public Context ingressTermLength(final int ingressTermLength)
        {
            this.ingressTermLength = ingressTermLength;
            return this;
        }

        public Context egressTermLength(final int egressTermLength)
        {
            this.egressTermLength = egressTermLength;
            return this;
        }

        public Context connectTimeoutNs(final long connectTimeoutNs)
        {
            this.connectTimeoutNs = connectTimeoutNs;
            return this;
        }

        public Context retryDelayNs(final long retryDelayNs)
        {
            this.retryDelayNs = retryDelayNs;
            return this;
        }

        /** Must stay well below the voters' {@link QuorumNodeConfig#sessionTimeoutNs()}. */
        public Context keepAliveIntervalNs(final long keepAliveIntervalNs)
        {
            this.keepAliveIntervalNs = keepAliveIntervalNs;
            return this;
        }

        public Context clientName(final String clientName)
        {
            this.clientName = clientName;
            return this;
        }
    }

    /** Replies to 1 MiB / 8 (128 KiB) each, and half a term in flight to a slow client. */
    public static final int DEFAULT_EGRESS_TERM_LENGTH = 1024 * 1024;
    public static final long DEFAULT_CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final long DEFAULT_RETRY_DELAY_NS = TimeUnit.SECONDS.toNanos(1);
    /** A tenth of Aeron's default session timeout (10 s). */
    public static final long DEFAULT_KEEP_ALIVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private static final Logger LOG = LoggerFactory.getLogger(QuorumClient.class);
    /** After the first failure, one connect failure in this many is logged at WARN. */
    private static final int FAILURE_LOG_EVERY = 10;

    private final Context ctx;
    private Aeron aeron;
    private final NanoClock clock = SystemNanoClock.INSTANCE;
    private final EgressListener egress = new EgressAdapter();
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster cluster;
    private long nextConnectNs;
    private long nextKeepAliveNs;
    private int failedConnects;
    private boolean leaderChangePending;
    private boolean closed;

    /** Connects its Aeron client to the driver at once; the quorum session comes in {@link #doWork()}. */
    public QuorumClient(final Context ctx)
    {
        if (null == ctx.aeronDirectoryName || null == ctx.members || null == ctx.listener)
        {
            throw new IllegalArgumentException("quorum client: aeronDirectoryName, members and listener are required");
        }
        this.ctx = ctx;
        this.aeron = connectAeron();
    }

    @Override
    public String roleName()
    {
        return ctx.clientName;
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        if (aeron.isClosed())
        {
            return reopenAeron(nowNs);
        }
        int work = aeron.conductorAgentInvoker().invoke();
        if (null != cluster)
        {
            work += pollSession(nowNs);
        }
        else if (null != connecting)
        {
            work += pollConnect(nowNs);
        }
        else if (nowNs - nextConnectNs >= 0 && !closed)
        {
            connecting = startConnect();
            work++;
        }
        return work;
    }

    /**
     * Sends a command to the leader.
     *
     * @return false when there is no session right now or the leader is back-pressuring: try again later
     * @throws IllegalArgumentException the command is longer than {@link #maxCommandLength()}
     */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxCommandLength())
        {
            throw new IllegalArgumentException("a quorum command of " + length + " bytes exceeds the " +
                maxCommandLength() + " an ingress term of " + ctx.ingressTermLength + " bytes takes");
        }
        if (null == cluster || cluster.isClosed() || leaderChangePending)
        {
            return false;
        }
        return cluster.offer(buffer, offset, length) > 0;
    }

    /** The longest command {@link #offer} takes. */
    public int maxCommandLength()
    {
        return QuorumNodeConfig.maxCommandLength(ctx.ingressTermLength);
    }

    /** A session is established and its leader reachable. */
    public boolean isConnected()
    {
        return null != cluster && !cluster.isClosed() && !leaderChangePending;
    }

    /** The current session's id, or -1 without one. */
    public long sessionId()
    {
        return null == cluster ? -1 : cluster.clusterSessionId();
    }

    /** The leader the session talks to, or {@link QuorumHost#NO_LEADER}. */
    public int leaderMemberId()
    {
        return null == cluster ? QuorumHost.NO_LEADER : cluster.leaderMemberId();
    }

    /** Closes the session (the quorum learns at once) and the Aeron client. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietCloseAll(connecting, cluster, aeron);
        connecting = null;
        cluster = null;
    }

    @Override
    public void onClose()
    {
        close();
    }

    private Aeron connectAeron()
    {
        return Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .clientName(ctx.clientName)
            .driverTimeoutMs(PauseTolerance.driverTimeoutMs())
            .useConductorAgentInvoker(true));
    }

    /**
     * The Aeron client closes itself when its driver stops answering, or when it was not polled
     * for the driver's liveness timeout (a stalled owner): start again with a new one.
     */
    private int reopenAeron(final long nowNs)
    {
        if (null != cluster || null != connecting)
        {
            final boolean hadSession = null != cluster;
            CloseHelper.quietCloseAll(connecting, cluster);
            connecting = null;
            cluster = null;
            leaderChangePending = false;
            nextConnectNs = nowNs;
            LOG.warn("quorum client: its Aeron client closed (driver {} gone, or not polled in time); reconnecting",
                ctx.aeronDirectoryName);
            if (hadSession)
            {
                ctx.listener.onDisconnected("the Aeron client closed");
            }
        }
        if (closed || nowNs - nextConnectNs < 0)
        {
            return 0;
        }
        try
        {
            aeron = connectAeron();
        }
        catch (final AeronException ex)
        {
            onConnectFailed(nowNs, ex);
        }
        return 1;
    }

    private int pollSession(final long nowNs)
    {
        int work = cluster.pollEgress();
        if (cluster.isClosed())
        {
            final long sessionId = cluster.clusterSessionId();
            cluster = null;
            leaderChangePending = false;
            nextConnectNs = nowNs;
            LOG.info("quorum session {} ended; reconnecting to {}", sessionId, ctx.members.ingressEndpoints());
            ctx.listener.onDisconnected("session " + sessionId + " closed");
            return work + 1;
        }
        if (leaderChangePending && cluster.ingressPublication().isConnected())
        {
            leaderChangePending = false;
            LOG.info("quorum session {} now served by leader {}", cluster.clusterSessionId(), cluster.leaderMemberId());
            ctx.listener.onConnected(cluster.clusterSessionId(), cluster.leaderMemberId(), false);
            work++;
        }
        if (nowNs - nextKeepAliveNs >= 0 && !leaderChangePending)
        {
            cluster.sendKeepAlive();
            nextKeepAliveNs = nowNs + ctx.keepAliveIntervalNs;
            work++;
        }
        return work;
    }

    private int pollConnect(final long nowNs)
    {
        try
        {
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return 0;
            }
            connecting = null;
            cluster = connected;
            failedConnects = 0;
            nextKeepAliveNs = nowNs + ctx.keepAliveIntervalNs;
            LOG.info("quorum session {} established with leader {}", cluster.clusterSessionId(), cluster.leaderMemberId());
            ctx.listener.onConnected(cluster.clusterSessionId(), cluster.leaderMemberId(), true);
            return 1;
        }
        catch (final AeronException ex)
        {
            CloseHelper.quietClose(connecting);
            connecting = null;
            onConnectFailed(nowNs, ex);
            return 1;
        }
    }

    private AeronCluster.AsyncConnect startConnect()
    {
        final AeronCluster.Context clusterCtx = new AeronCluster.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .ingressChannel("aeron:udp?term-length=" + ctx.ingressTermLength)
            .ingressEndpoints(ctx.members.ingressEndpoints())
            .egressChannel("aeron:udp?endpoint=" + ctx.egressHost + ":0|term-length=" + ctx.egressTermLength)
            .isIngressExclusive(true)
            .messageTimeoutNs(ctx.connectTimeoutNs)
            .clientName(ctx.clientName)
            .egressListener(egress)
            .errorHandler((throwable) -> LOG.warn("quorum client: {}", throwable.toString()));
        try
        {
            return AeronCluster.asyncConnect(clusterCtx);
        }
        catch (final AeronException ex)
        {
            onConnectFailed(clock.nanoTime(), ex);
            return null;
        }
    }

    private void onConnectFailed(final long nowNs, final AeronException ex)
    {
        failedConnects++;
        nextConnectNs = nowNs + ctx.retryDelayNs;
        final String message = "no metadata quorum reachable at " + ctx.members.ingressEndpoints() + " within " +
            TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs) + " ms (attempt " + failedConnects + "); retrying in " +
            TimeUnit.NANOSECONDS.toMillis(ctx.retryDelayNs) + " ms: " + ex.getMessage();
        if (1 == failedConnects || 0 == failedConnects % FAILURE_LOG_EVERY)
        {
            LOG.warn(message);
        }
        else
        {
            LOG.debug(message);
        }
    }

    private final class EgressAdapter implements EgressListener
    {
        @Override
        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            ctx.listener.onMessage(buffer, offset, length);
        }

        @Override
        public void onSessionEvent(
            final long correlationId,
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final EventCode code,
            final String detail)
        {
            if (EventCode.ERROR == code || EventCode.AUTHENTICATION_REJECTED == code)
            {
                LOG.warn("quorum session {}: {} {}", clusterSessionId, code, detail);
            }
        }

        @Override
        public void onNewLeader(
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final String ingressEndpoints)
        {
            leaderChangePending = true;
        }
    }
}
