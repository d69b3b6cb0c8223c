package io.runnel.cluster.quorum;

import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.RecordingLog;
import io.aeron.exceptions.AeronException;
import org.agrona.collections.MutableLong;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a member's log bounded: after each snapshot this member took, it purges the archive
 * segments of the log below the {@code retained}-th newest snapshot, and the recordings of the
 * snapshots older than that one.
 *
 * <p>Why not below the newest: Aeron Cluster (open source, 1.51) moves no snapshots between
 * members, so a member that was away while a snapshot was taken catches up from the leader's log
 * from where it stopped. Keeping the log back to an older snapshot lets a member that missed
 * {@code retained - 1} snapshots rejoin; one away for longer needs its folders seeded from a peer
 * (not automated). Each member purges its own archive; the consensus module's recording log is
 * only read.
 *
 * <p>It learns of new snapshots from the recording log file changing, not from the consensus
 * module's snapshot counter: that counter lives in the media driver's mapped counters file, and
 * reading it after the module closed its client (on shutdown, or after a driver timeout) is a
 * read of unmapped memory, which crashed the JVM.
 */
final class LogJanitor implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(LogJanitor.class);

    private final QuorumNodeConfig config;
    private final File recordingLogFile;
    private long lastModifiedSeen = -1;
    private long lengthSeen = -1;

    LogJanitor(final QuorumNodeConfig config)
    {
        this.config = config;
        this.recordingLogFile = new File(config.clusterDir(), RecordingLog.RECORDING_LOG_FILE_NAME);
    }

    @Override
    public int doWork()
    {
        final long lastModified = recordingLogFile.lastModified();
        final long length = recordingLogFile.length();
        if (lastModified == lastModifiedSeen && length == lengthSeen)
        {
            return 0;
        }
        lastModifiedSeen = lastModified;
        lengthSeen = length;
        try
        {
            purge();
        }
        catch (final AeronException ex)
        {
            LOG.warn("quorum member {}: log purge skipped: {}", config.memberId(), ex.toString());
        }
        return 1;
    }

    @Override
    public String roleName()
    {
        return "quorum-log-janitor-" + config.memberId();
    }

    private void purge()
    {
        final List<RecordingLog.Entry> snapshots = new ArrayList<>();
        final long logRecordingId;
        if (0 == config.retainedSnapshots() || !recordingLogFile.exists())
        {
            return;
        }
        try (RecordingLog recordingLog = new RecordingLog(config.clusterDir(), false))
        {
            for (final RecordingLog.Entry entry : recordingLog.entries())
            {
                if (entry.isValid && RecordingLog.ENTRY_TYPE_SNAPSHOT == entry.type)
                {
                    snapshots.add(entry);
                }
            }
            logRecordingId = recordingLog.findLastTermRecordingId();
        }
        final List<RecordingLog.Entry> moduleSnapshots = new ArrayList<>();
        for (final RecordingLog.Entry entry : snapshots)
        {
            if (ConsensusModule.Configuration.SERVICE_ID == entry.serviceId)
            {
                moduleSnapshots.add(entry);
            }
        }
        moduleSnapshots.sort(Comparator.comparingLong((RecordingLog.Entry entry) -> entry.logPosition));
        if (logRecordingId < 0 || moduleSnapshots.size() < config.retainedSnapshots())
        {
            return;
        }
        final long keepFrom = moduleSnapshots.get(moduleSnapshots.size() - config.retainedSnapshots()).logPosition;
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDirectoryName()).driverTimeoutMs(PauseTolerance.driverTimeoutMs()));
            AeronArchive archive = AeronArchive.connect(QuorumContexts.localArchiveClient(config).aeron(aeron)))
        {
            purgeLog(archive, logRecordingId, keepFrom);
            for (final RecordingLog.Entry snapshot : snapshots)
            {
                if (snapshot.logPosition < keepFrom)
                {
                    purgeSnapshot(archive, snapshot.recordingId);
                }
            }
        }
    }

    private void purgeLog(final AeronArchive archive, final long recordingId, final long keepFrom)
    {
        final MutableLong start = new MutableLong();
        final MutableLong termLength = new MutableLong();
        final MutableLong segmentLength = new MutableLong();
        final int found = archive.listRecording(recordingId,
            (controlSessionId, correlationId, id, startTimestamp, stopTimestamp, startPosition, stopPosition,
                initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId, strippedChannel,
                originalChannel, sourceIdentity) ->
            {
                start.set(startPosition);
                termLength.set(termBufferLength);
                segmentLength.set(segmentFileLength);
            });
        if (0 == found)
        {
            return;
        }
        final int term = (int)termLength.get();
        final int segment = (int)segmentLength.get();
        final long newStart = AeronArchive.segmentFileBasePosition(start.get(), keepFrom, term, segment);
        final long firstSegmentEnd = AeronArchive.segmentFileBasePosition(start.get(), start.get(), term, segment) + segment;
        if (newStart >= firstSegmentEnd)
        {
            final long purged = archive.purgeSegments(recordingId, newStart);
            LOG.info("quorum member {}: purged {} log segments below position {} (snapshot at {})",
                config.memberId(), purged, newStart, keepFrom);
        }
    }

    private void purgeSnapshot(final AeronArchive archive, final long recordingId)
    {
        try
        {
            archive.purgeRecording(recordingId);
        }
        catch (final AeronException ex)
        {
            // Purged on an earlier pass (the recording log still names it), or replaying right now.
            LOG.debug("quorum member {}: snapshot recording {} not purged: {}", config.memberId(), recordingId,
                ex.getMessage());
        }
    }
}
