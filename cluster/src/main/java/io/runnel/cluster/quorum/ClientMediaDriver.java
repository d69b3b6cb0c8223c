package io.runnel.cluster.quorum;

import java.io.File;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media driver of a broker that is not a voter: its {@link QuorumClient} needs one, and a
 * combined broker and controller uses its {@link ControllerNode}'s instead. One thread (SHARED),
 * parked when idle; sparse term buffers, since a quorum client sends and receives little.
 */
public final class ClientMediaDriver
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientMediaDriver.class);

    private ClientMediaDriver()
    {
    }

    /** Launches an embedded driver on the default folder for {@code baseDir} (see {@link QuorumNodeConfig#defaultAeronDirectoryName}). */
    public static MediaDriver launch(final File baseDir)
    {
        return launch(QuorumNodeConfig.defaultAeronDirectoryName(baseDir, "broker"));
    }

    /** Launches an embedded driver on {@code aeronDirectoryName}, replacing whatever a dead driver left there. */
    public static MediaDriver launch(final String aeronDirectoryName)
    {
        TransportPolling.beforeDriverLaunch();
        return MediaDriver.launch(PauseTolerance.apply(new MediaDriver.Context())
            .aeronDirectoryName(aeronDirectoryName)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(QuorumNodeConfig.defaultIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(true)
            // No thread for name resolution: voters are few, resolved once, and mostly IP literals.
            .asyncExecutorEnabled(false)
            .publicationTermBufferLength(QuorumNodeConfig.DEFAULT_INGRESS_TERM_LENGTH)
            .ipcTermBufferLength(QuorumNodeConfig.DEFAULT_INGRESS_TERM_LENGTH)
            .errorHandler((throwable) -> LOG.warn("quorum client media driver: {}", throwable.toString(), throwable)));
    }
}
