package io.runnel.cluster.quorum;

import java.io.File;
import java.util.function.Supplier;

import io.aeron.Counter;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.cluster.ConsensusModule;
import io.aeron.exceptions.AeronException;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the metadata quorum: its own media driver, archive, consensus module and a
 * service container running {@link QuorumHost} over a {@link ReplicatedStateMachine}.
 *
 * <p>Restart: {@link #close()} stops everything and leaves the archive and cluster folders as they
 * are; launching again on the same folders rejoins the quorum, loads the newest snapshot and
 * replays the log after it (and catches up from the leader). After a crash (kill -9) the same
 * holds: the driver folder is rebuilt, and since this node holds the folder's lock, the mark files
 * the dead process left behind are marked terminated instead of waiting out Aeron's 10 s liveness
 * check.
 */
public final class ControllerNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControllerNode.class);
    /** The janitor looks for a changed recording log (a new snapshot) this often. */
    private static final long JANITOR_SLEEP_MS = 500;
    /** A mark file that exists was written completely, or never will be: don't wait for it. */
    private static final long MARK_FILE_OPEN_TIMEOUT_MS = 100;

    private final QuorumNodeConfig config;
    private final QuorumHost host;
    private final DirectoryLock lock;
    private MediaDriver driver;
    private Archive archive;
    private ConsensusModule consensusModule;
    private ClusteredServiceContainer container;
    private AgentRunner janitor;
    private boolean closed;

    private ControllerNode(final QuorumNodeConfig config, final QuorumHost host, final DirectoryLock lock)
    {
        this.config = config;
        this.host = host;
        this.lock = lock;
    }

    /**
     * Starts a member on {@code config}'s folders, hosting machines from {@code machines} (one per
     * start of the service).
     *
     * @throws IllegalStateException another node runs on these folders
     */
    public static ControllerNode launch(final QuorumNodeConfig config, final Supplier<? extends ReplicatedStateMachine> machines)
    {
        config.conclude();
        final DirectoryLock lock = DirectoryLock.acquire(config.baseDir());
        final ControllerNode node = new ControllerNode(config, new QuorumHost(machines, config), lock);
        try
        {
            node.start();
        }
        catch (final RuntimeException ex)
        {
            node.close();
            throw ex;
        }
        return node;
    }

    private void start()
    {
        releaseStaleMarkFiles();
        driver = MediaDriver.launch(QuorumContexts.mediaDriver(config));
        archive = launchArchive();
        consensusModule = ConsensusModule.launch(QuorumContexts.consensusModule(config));
        container = ClusteredServiceContainer.launch(QuorumContexts.serviceContainer(config, host));
        if (config.retainedSnapshots() > 0)
        {
            janitor = new AgentRunner(new SleepingMillisIdleStrategy(JANITOR_SLEEP_MS),
                (throwable) -> LOG.warn("quorum member {}: log janitor: {}", config.memberId(), throwable.toString()),
                null, new LogJanitor(config));
            AgentRunner.startOnThread(janitor);
        }
        LOG.info("quorum member {} started: members {}, folders {} and {}, driver {}", config.memberId(),
            config.members().clusterMembers(), config.archiveDir(), config.clusterDir(), config.aeronDirectoryName());
    }

    public int memberId()
    {
        return config.memberId();
    }

    public QuorumNodeConfig config()
    {
        return config;
    }

    /** The media driver folder: a broker in the same process connects its {@link QuorumClient} here. */
    public String aeronDirectoryName()
    {
        return config.aeronDirectoryName();
    }

    /** LEADER, FOLLOWER or CANDIDATE, as the consensus module has it now. */
    public Cluster.Role role()
    {
        final Counter counter = null == consensusModule ? null : consensusModule.context().clusterNodeRoleCounter();
        if (closed || null == counter || counter.isClosed())
        {
            return Cluster.Role.FOLLOWER;
        }
        return Cluster.Role.get(counter);
    }

    /** The leader of the newest leadership term this member applied, or {@link QuorumHost#NO_LEADER}. */
    public int leaderMemberId()
    {
        return host.leaderMemberId();
    }

    /** The newest leadership term this member applied (DescribeQuorum's leader epoch). */
    public long leadershipTermId()
    {
        return host.leadershipTermId();
    }

    /** The position up to which the log is committed (DescribeQuorum's high watermark); -1 when closed. */
    public long commitPosition()
    {
        final Counter counter = null == consensusModule ? null : consensusModule.context().commitPositionCounter();
        return closed || null == counter || counter.isClosed() ? -1 : counter.get();
    }

    /** Snapshots this member took since it started. */
    public long snapshotCount()
    {
        final Counter counter = null == consensusModule ? null : consensusModule.context().snapshotCounter();
        return closed || null == counter || counter.isClosed() ? 0 : counter.get();
    }

    /** The clustered service, for what it observed (snapshot loaded, role). */
    public QuorumHost host()
    {
        return host;
    }

    /**
     * Stops the member: the others notice its log and consensus streams end and elect without it.
     * Its folders stay for a restart.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.closeAll(janitor, consensusModule, container, archive, driver, lock);
        LOG.info("quorum member {} stopped", config.memberId());
    }

    /**
     * The nearest an in-process test gets to kill -9: the service goes (a dead process's service
     * says nothing either), then the media driver, so the other members hear nothing more from this
     * one and must time its heartbeats out; the rest is stopped only to free its threads. (The
     * service container goes first because, with its driver gone, closing it waits out a 15 s latch.)
     */
    void closeAbruptly()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietCloseAll(container, driver, janitor, consensusModule, archive, lock);
        LOG.info("quorum member {} stopped abruptly", config.memberId());
    }

    /** The archive, once its recordings are verified if a kill -9 left the last fragment straddling a page. */
    private Archive launchArchive()
    {
        try
        {
            return Archive.launch(QuorumContexts.archive(config));
        }
        catch (final RuntimeException ex)
        {
            if (!StraddlingFragmentRepair.isStraddlingFragment(ex))
            {
                throw ex;
            }
            // The failed launch leaves its registrations with the driver ("found existing archive"): start afresh.
            CloseHelper.close(driver);
            StraddlingFragmentRepair.repair(config.memberId(), config.archiveDir());
            releaseStaleMarkFiles();
            driver = MediaDriver.launch(QuorumContexts.mediaDriver(config));
            return Archive.launch(QuorumContexts.archive(config));
        }
    }

    private void releaseStaleMarkFiles()
    {
        final File clusterDir = config.clusterDir();
        releaseClusterMarkFile(clusterDir, ClusterMarkFile.FILENAME);
        releaseClusterMarkFile(clusterDir, ClusterMarkFile.markFilenameForService(0));
        final File archiveMarkFile = new File(config.archiveDir(), ArchiveMarkFile.FILENAME);
        if (archiveMarkFile.exists())
        {
            try (ArchiveMarkFile markFile = new ArchiveMarkFile(config.archiveDir(), ArchiveMarkFile.FILENAME,
                SystemEpochClock.INSTANCE, MARK_FILE_OPEN_TIMEOUT_MS, null))
            {
                markFile.signalTerminated();
            }
            catch (final IllegalStateException | AeronException ex)
            {
                LOG.debug("quorum member {}: archive mark file left as is: {}", config.memberId(), ex.getMessage());
            }
        }
    }

    private void releaseClusterMarkFile(final File dir, final String fileName)
    {
        if (new File(dir, fileName).exists())
        {
            try (ClusterMarkFile markFile = new ClusterMarkFile(dir, fileName, SystemEpochClock.INSTANCE,
                MARK_FILE_OPEN_TIMEOUT_MS, null))
            {
                markFile.signalTerminated();
            }
            catch (final IllegalStateException | AeronException ex)
            {
                LOG.debug("quorum member {}: mark file {} left as is: {}", config.memberId(), fileName, ex.getMessage());
            }
        }
    }
}
