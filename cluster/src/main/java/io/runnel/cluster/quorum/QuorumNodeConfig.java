package io.runnel.cluster.quorum;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.AeronCluster;
import io.runnel.kernel.threading.AdaptiveBackoffIdleStrategy;
import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;

/**
 * Everything one controller node of the metadata quorum is configured with, each with a default:
 * set what differs, then {@link #conclude()} checks the whole once (Aeron's Context style).
 *
 * <p>Directories: {@code baseDir} (the node's {@code <log dir>/__quorum}) holds {@code archive/}
 * (the replicated log and snapshots) and {@code cluster/} (the consensus module's recording log,
 * mark files and node state); both must survive a restart. The media driver's folder holds only
 * buffers rebuilt at start, so it lives in memory ({@code /dev/shm}) where that exists.
 *
 * <p>Sizes: metadata commands are small and few, and many nodes may share a 2-core machine, so the
 * buffers are sized for the largest message rather than for throughput (Aeron's defaults are 16-64
 * MiB terms). A message can be at most a term length / 8: the ingress term of 1 MiB takes commands
 * up to {@link #maxCommandLength()} (128 KiB less a 32 byte header); the log term is twice that because the log adds a
 * session header to each command; archive segments hold 4 log terms, and the log can be purged a
 * segment at a time.
 */
public final class QuorumNodeConfig
{
    public static final int DEFAULT_INGRESS_TERM_LENGTH = 1024 * 1024;
    public static final int DEFAULT_LOG_TERM_LENGTH = 2 * 1024 * 1024;
    public static final int DEFAULT_SEGMENTS_PER_LOG_TERM = 4;
    /** Brokers, plus admin tools: well above Aeron's default of 10 sessions. */
    public static final int DEFAULT_MAX_SESSIONS = 256;
    /** A snapshot per this many commands bounds the log that a restart replays. */
    public static final int DEFAULT_SNAPSHOT_EVERY_COMMANDS = 10_000;
    /** And a snapshot at least this often when commands arrived (heartbeats alone are few). */
    public static final long DEFAULT_SNAPSHOT_INTERVAL_NS = TimeUnit.HOURS.toNanos(1);
    /**
     * The log is kept from the second newest snapshot on (and purged below it): a member that was
     * away for one snapshot can still catch up from the log. 0 keeps the whole log.
     */
    public static final int DEFAULT_RETAINED_SNAPSHOTS = 2;
    /**
     * Offers to a back-pressured client session before it is closed, each after one idle of the
     * service's idle strategy (a park of at most {@link #DEFAULT_MAX_PARK_NS}): about half a second.
     */
    public static final int DEFAULT_EGRESS_RETRIES = 500;
    /** Idle threads park up to 1 ms: no spinning, and a metadata round trip stays in milliseconds. */
    public static final long DEFAULT_MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The first park after the spins: 100 us, where Agrona's default is 1 us and ours was 10 us. At
     * 10 MB/s on three replicating brokers, work reached a media driver about every millisecond, and
     * a backoff starting at 10 us took seven parks (each followed by a duty cycle of recvfrom calls)
     * to cover the gap; from 100 us it takes four (results/2026-12-07-aeron-idle).
     */
    public static final long DEFAULT_MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private static final String SHM = "/dev/shm";
    private static final int MIN_TERM_LENGTH = 64 * 1024;
    private static final int MAX_TERM_LENGTH = 1024 * 1024 * 1024;

    private QuorumMembers members;
    private File baseDir;
    private File archiveDir;
    private File clusterDir;
    private String aeronDirectoryName;
    private long electionTimeoutNs = ConsensusModule.Configuration.ELECTION_TIMEOUT_DEFAULT_NS;
    private long leaderHeartbeatTimeoutNs = ConsensusModule.Configuration.LEADER_HEARTBEAT_TIMEOUT_DEFAULT_NS;
    private long leaderHeartbeatIntervalNs = ConsensusModule.Configuration.LEADER_HEARTBEAT_INTERVAL_DEFAULT_NS;
    private long startupCanvassTimeoutNs = ConsensusModule.Configuration.STARTUP_CANVASS_TIMEOUT_DEFAULT_NS;
    private long sessionTimeoutNs = ConsensusModule.Configuration.SESSION_TIMEOUT_DEFAULT_NS;
    private int maxSessions = DEFAULT_MAX_SESSIONS;
    private int ingressTermLength = DEFAULT_INGRESS_TERM_LENGTH;
    private int logTermLength = DEFAULT_LOG_TERM_LENGTH;
    private int archiveSegmentLength;
    private int snapshotEveryCommands = DEFAULT_SNAPSHOT_EVERY_COMMANDS;
    private long snapshotIntervalNs = DEFAULT_SNAPSHOT_INTERVAL_NS;
    private int retainedSnapshots = DEFAULT_RETAINED_SNAPSHOTS;
    private int egressRetries = DEFAULT_EGRESS_RETRIES;
    private Supplier<IdleStrategy> idleStrategySupplier = QuorumNodeConfig::defaultIdleStrategy;
    private boolean concluded;

    /**
     * The backoff every quorum thread uses unless told otherwise (media driver, archive, consensus
     * module, service container, the broker's quorum member): up to 10 spins and 5 yields, shortened
     * while they find nothing, then parks from {@link #DEFAULT_MIN_PARK_NS} doubling to
     * {@link #DEFAULT_MAX_PARK_NS}.
     */
    public static IdleStrategy defaultIdleStrategy()
    {
        return new AdaptiveBackoffIdleStrategy(10, 5, DEFAULT_MIN_PARK_NS, DEFAULT_MAX_PARK_NS);
    }

    /**
     * The default media driver folder for something stored under {@code baseDir}: a folder in
     * {@code /dev/shm} named after {@code baseDir}'s path (so a restart reuses, and cleans, the
     * same one), else {@code baseDir/driver}.
     */
    public static String defaultAeronDirectoryName(final File baseDir, final String name)
    {
        final File shm = new File(SHM);
        if (shm.isDirectory() && shm.canWrite())
        {
            final String path = canonical(baseDir).getPath();
            return new File(shm, "runnel-" + name + "-" + Integer.toHexString(path.hashCode())).getPath();
        }
        return new File(baseDir, "driver").getPath();
    }

    /**
     * Checks the settings and fills in the derived defaults; called once by {@link ControllerNode}.
     *
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    public QuorumNodeConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(null != members && null != members.self(), "members: the voters and this node's id are required");
        require(null != baseDir, "baseDir is required (the node's <log dir>/__quorum)");
        checkTermLength("ingressTermLength", ingressTermLength);
        checkTermLength("logTermLength", logTermLength);
        require(logTermLength > ingressTermLength,
            "logTermLength " + logTermLength + " must exceed ingressTermLength " + ingressTermLength +
            ": the log adds a session header to each command");
        if (0 == archiveSegmentLength)
        {
            archiveSegmentLength = DEFAULT_SEGMENTS_PER_LOG_TERM * logTermLength;
        }
        require(archiveSegmentLength >= logTermLength && archiveSegmentLength % logTermLength == 0 &&
            BitUtil.isPowerOfTwo(archiveSegmentLength),
            "archiveSegmentLength " + archiveSegmentLength + " must be a power-of-two multiple of logTermLength");
        require(electionTimeoutNs > 0 && leaderHeartbeatIntervalNs > 0 &&
            leaderHeartbeatTimeoutNs > leaderHeartbeatIntervalNs,
            "timeouts: the leader heartbeat timeout must exceed its interval, and all be positive");
        require(maxSessions > 0, "maxSessions must be positive");
        require(snapshotEveryCommands > 0, "snapshotEveryCommands must be positive");
        require(retainedSnapshots >= 0, "retainedSnapshots must not be negative (0 keeps the whole log)");
        require(egressRetries > 0, "egressRetries must be positive");
        if (null == archiveDir)
        {
            archiveDir = new File(baseDir, "archive");
        }
        if (null == clusterDir)
        {
            clusterDir = new File(baseDir, "cluster");
        }
        if (null == aeronDirectoryName)
        {
            aeronDirectoryName = defaultAeronDirectoryName(baseDir, "quorum-" + members.memberId());
        }
        concluded = true;
        return this;
    }

    /** The largest command a client may send: see {@link #maxCommandLength(int)}. */
    public int maxCommandLength()
    {
        return maxCommandLength(ingressTermLength);
    }

    /**
     * The largest command on an ingress term of {@code ingressTermLength}: Aeron takes messages of
     * up to an eighth of a term, and the client puts a session header before each command.
     */
    public static int maxCommandLength(final int ingressTermLength)
    {
        return ingressTermLength / 8 - AeronCluster.SESSION_HEADER_LENGTH;
    }

    public QuorumMembers members()
    {
        return members;
    }

    public QuorumNodeConfig members(final QuorumMembers members)
    {
        this.members = members;
        return this;
    }

    public int memberId()
    {
        return members.memberId();
    }

    public File baseDir()
    {
        return baseDir;
    }

    public QuorumNodeConfig baseDir(final File baseDir)
    {
        this.baseDir = baseDir;
        return this;
    }

    public File archiveDir()
    {
        return archiveDir;
    }

    public QuorumNodeConfig archiveDir(final File archiveDir)
    {
        this.archiveDir = archiveDir;
        return this;
    }

    public File clusterDir()
    {
        return clusterDir;
    }

    public QuorumNodeConfig clusterDir(final File clusterDir)
    {
        this.clusterDir = clusterDir;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    public QuorumNodeConfig aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public long electionTimeoutNs()
    {
        return electionTimeoutNs;
    }

    public QuorumNodeConfig electionTimeoutNs(final long electionTimeoutNs)
    {
        this.electionTimeoutNs = electionTimeoutNs;
        return this;
    }

    /** How long followers wait without a heartbeat before they elect a new leader. */
    public long leaderHeartbeatTimeoutNs()
    {
        return leaderHeartbeatTimeoutNs;
    }

    public QuorumNodeConfig leaderHeartbeatTimeoutNs(final long leaderHeartbeatTimeoutNs)
    {
        this.leaderHeartbeatTimeoutNs = leaderHeartbeatTimeoutNs;
        return this;
    }

    public long leaderHeartbeatIntervalNs()
    {
        return leaderHeartbeatIntervalNs;
    }

    public QuorumNodeConfig leaderHeartbeatIntervalNs(final long leaderHeartbeatIntervalNs)
    {
        this.leaderHeartbeatIntervalNs = leaderHeartbeatIntervalNs;
        return this;
    }

    /** How long a starting member waits for the others before it elects with a bare majority. */
    public long startupCanvassTimeoutNs()
    {
        return startupCanvassTimeoutNs;
    }

    public QuorumNodeConfig startupCanvassTimeoutNs(final long startupCanvassTimeoutNs)
    {
        this.startupCanvassTimeoutNs = startupCanvassTimeoutNs;
        return this;
    }

    /** A client session with no keep-alive for this long is closed. */
    public long sessionTimeoutNs()
    {
        return sessionTimeoutNs;
    }

    public QuorumNodeConfig sessionTimeoutNs(final long sessionTimeoutNs)
    {
        this.sessionTimeoutNs = sessionTimeoutNs;
        return this;
    }

    public int maxSessions()
    {
        return maxSessions;
    }

    public QuorumNodeConfig maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    public int ingressTermLength()
    {
        return ingressTermLength;
    }

    public QuorumNodeConfig ingressTermLength(final int ingressTermLength)
    {
        this.ingressTermLength = ingressTermLength;
        return this;
    }

    public int logTermLength()
    {
        return logTermLength;
    }

    public QuorumNodeConfig logTermLength(final int logTermLength)
    {
        this.logTermLength = logTermLength;
        return this;
    }

    public int archiveSegmentLength()
    {
        return archiveSegmentLength;
    }

    /** 0 (the default) means {@link #DEFAULT_SEGMENTS_PER_LOG_TERM} log terms. */
    public QuorumNodeConfig archiveSegmentLength(final int archiveSegmentLength)
    {
        this.archiveSegmentLength = archiveSegmentLength;
        return this;
    }

    public int snapshotEveryCommands()
    {
        return snapshotEveryCommands;
    }

    public QuorumNodeConfig snapshotEveryCommands(final int snapshotEveryCommands)
    {
        this.snapshotEveryCommands = snapshotEveryCommands;
        return this;
    }

    public long snapshotIntervalNs()
    {
        return snapshotIntervalNs;
    }

    /** 0 disables the timed snapshot; the count of commands still triggers one. */
    public QuorumNodeConfig snapshotIntervalNs(final long snapshotIntervalNs)
    {
        this.snapshotIntervalNs = snapshotIntervalNs;
        return this;
    }

    public int retainedSnapshots()
    {
        return retainedSnapshots;
    }

    public QuorumNodeConfig retainedSnapshots(final int retainedSnapshots)
    {
        this.retainedSnapshots = retainedSnapshots;
        return this;
    }

    public int egressRetries()
    {
        return egressRetries;
    }

    public QuorumNodeConfig egressRetries(final int egressRetries)
    {
        this.egressRetries = egressRetries;
        return this;
    }

    public Supplier<IdleStrategy> idleStrategySupplier()
    {
        return idleStrategySupplier;
    }

    /** One idle strategy per thread (driver, archive, consensus module, service). */
    public QuorumNodeConfig idleStrategySupplier(final Supplier<IdleStrategy> idleStrategySupplier)
    {
        this.idleStrategySupplier = idleStrategySupplier;
        return this;
    }

    private static void checkTermLength(final String name, final int length)
    {
        require(BitUtil.isPowerOfTwo(length) && length >= MIN_TERM_LENGTH && length <= MAX_TERM_LENGTH,
            name + " " + length + " must be a power of two from 64 KiB to 1 GiB");
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException("quorum node config: " + message);
        }
    }

    private static File canonical(final File file)
    {
        try
        {
            return file.getCanonicalFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot resolve " + file, ex);
        }
    }
}
