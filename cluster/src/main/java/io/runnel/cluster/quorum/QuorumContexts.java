package io.runnel.cluster.quorum;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.NoOpLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Aeron contexts of one controller node, from its {@link QuorumNodeConfig}: a media driver, an
 * archive, a consensus module and a service container, all on one driver folder, talking to the
 * local archive over IPC and to the other members over the UDP endpoints {@link QuorumMembers}
 * derives. Every thread is in SHARED mode with the config's (non-spinning) idle strategy.
 */
final class QuorumContexts
{
    /** Control messages are small: 64 KiB terms (Aeron's samples use the same). */
    static final String LOCAL_CONTROL_CHANNEL = "aeron:ipc?term-length=64k";
    private static final String CONTROL_TERM_LENGTH = "64k";

    private static final Logger LOG = LoggerFactory.getLogger(QuorumContexts.class);

    private QuorumContexts()
    {
    }

    static MediaDriver.Context mediaDriver(final QuorumNodeConfig config)
    {
        TransportPolling.beforeDriverLaunch();
        return PauseTolerance.apply(new MediaDriver.Context())
            .aeronDirectoryName(config.aeronDirectoryName())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(config.idleStrategySupplier().get())
            // The folder holds only buffers: a crashed node's stale one is simply replaced.
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(true)
            // No thread for name resolution: voters are few, resolved once, and mostly IP literals.
            .asyncExecutorEnabled(false)
            // Channels without a term-length (consensus, catch-up, replay, snapshots) get the log's.
            .publicationTermBufferLength(config.logTermLength())
            .ipcTermBufferLength(config.logTermLength())
            .errorHandler(errorHandler("media driver", config));
    }

    static Archive.Context archive(final QuorumNodeConfig config)
    {
        final QuorumMembers.Voter self = config.members().self();
        return new Archive.Context()
            .aeronDirectoryName(config.aeronDirectoryName())
            .archiveDir(config.archiveDir())
            .archiveId(config.memberId())
            .controlChannel("aeron:udp?endpoint=" + self.archiveControlEndpoint() + "|term-length=" + CONTROL_TERM_LENGTH)
            .localControlChannel(LOCAL_CONTROL_CHANNEL)
            .replicationChannel("aeron:udp?endpoint=" + self.ephemeralEndpoint())
            .archiveClientContext(new AeronArchive.Context()
                .controlResponseChannel("aeron:udp?endpoint=" + self.ephemeralEndpoint()))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(config.idleStrategySupplier())
            .segmentFileLength(config.archiveSegmentLength())
            .deleteArchiveOnStart(false)
            .errorHandler(errorHandler("archive", config));
    }

    /** How the consensus module and the service reach the local archive: over IPC. */
    static AeronArchive.Context localArchiveClient(final QuorumNodeConfig config)
    {
        return new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .aeronDirectoryName(config.aeronDirectoryName())
            .controlRequestChannel(LOCAL_CONTROL_CHANNEL)
            .controlResponseChannel(LOCAL_CONTROL_CHANNEL);
    }

    static ConsensusModule.Context consensusModule(final QuorumNodeConfig config)
    {
        final QuorumMembers.Voter self = config.members().self();
        return new ConsensusModule.Context()
            .aeronDirectoryName(config.aeronDirectoryName())
            .clusterMemberId(config.memberId())
            .clusterMembers(config.members().clusterMembers())
            .clusterDir(config.clusterDir())
            .deleteDirOnStart(false)
            .serviceCount(1)
            .archiveContext(localArchiveClient(config))
            .ingressChannel("aeron:udp?term-length=" + config.ingressTermLength())
            .logChannel("aeron:udp?term-length=" + config.logTermLength())
            .replicationChannel("aeron:udp?endpoint=" + self.ephemeralEndpoint())
            .electionTimeoutNs(config.electionTimeoutNs())
            .leaderHeartbeatTimeoutNs(config.leaderHeartbeatTimeoutNs())
            .leaderHeartbeatIntervalNs(config.leaderHeartbeatIntervalNs())
            .startupCanvassTimeoutNs(config.startupCanvassTimeoutNs())
            .sessionTimeoutNs(config.sessionTimeoutNs())
            .maxConcurrentSessions(config.maxSessions())
            .idleStrategySupplier(config.idleStrategySupplier())
            .errorHandler(errorHandler("consensus module", config))
            .terminationHook(() -> LOG.info("quorum member {}: consensus module terminated", config.memberId()));
    }

    static ClusteredServiceContainer.Context serviceContainer(final QuorumNodeConfig config, final ClusteredService service)
    {
        return new ClusteredServiceContainer.Context()
            .aeronDirectoryName(config.aeronDirectoryName())
            .clusterDir(config.clusterDir())
            .serviceId(0)
            .clusteredService(service)
            .archiveContext(localArchiveClient(config))
            .idleStrategySupplier(config.idleStrategySupplier())
            .errorHandler(errorHandler("clustered service", config))
            .terminationHook(() -> LOG.info("quorum member {}: service container terminated", config.memberId()));
    }

    private static ErrorHandler errorHandler(final String component, final QuorumNodeConfig config)
    {
        final int memberId = config.memberId();
        return (throwable) -> LOG.warn("quorum member {} {}: {}", memberId, component, throwable.toString(), throwable);
    }
}
