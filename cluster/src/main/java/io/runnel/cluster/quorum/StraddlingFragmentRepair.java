package io.runnel.cluster.quorum;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

import io.aeron.archive.ArchiveTool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller killed (kill -9) while its archive wrote the quorum's log can leave the recording's
 * last fragment across a page boundary. The archive cannot tell such a fragment from a torn one,
 * so it refuses to start ("Found potentially incomplete last fragment straddling page boundary …
 * Run `ArchiveTool verify`"), and the node could never rejoin. This runs Aeron's own corrective
 * action, {@code ArchiveTool verify}, which checks every recording's frames and closes the open
 * one at its last whole fragment.
 *
 * <p>Asked whether to truncate the straddling fragment, it answers no. After kill -9 the page
 * cache still holds everything the archive wrote, so the fragment is whole; it may already count
 * towards a commit, and dropping it could lose a committed entry if the leader failed next. A
 * power loss may tear it, but without fsync (the quorum's file sync level is 0) Aeron Cluster
 * promises nothing across a power loss anyway.
 */
final class StraddlingFragmentRepair
{
    private static final Logger LOG = LoggerFactory.getLogger(StraddlingFragmentRepair.class);
    private static final String SYMPTOM = "incomplete last fragment straddling page boundary";

    private StraddlingFragmentRepair()
    {
    }

    /** True if {@code failure}, or a cause of it, is the archive's refusal to start on a straddling last fragment. */
    static boolean isStraddlingFragment(final Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause())
        {
            if (cause.getMessage() != null && cause.getMessage().contains(SYMPTOM))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Verifies the archive in {@code archiveDir} (which no archive may have open), keeping a
     * straddling last fragment.
     *
     * @return true if every recording verified
     */
    static boolean repair(final int memberId, final File archiveDir)
    {
        final ByteArrayOutputStream report = new ByteArrayOutputStream();
        final boolean verified;
        try (PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8))
        {
            verified = ArchiveTool.verify(out, archiveDir, EnumSet.noneOf(ArchiveTool.VerifyOption.class), null, segmentFile ->
            {
                LOG.warn("quorum member {}: the last fragment of {} straddles a page boundary (a kill -9 while it was written); "
                    + "its frame checks out, so it is kept", memberId, segmentFile);
                return false;
            });
        }
        LOG.warn("quorum member {}: archive verified after an unclean stop ({}): {}", memberId, verified ? "every recording valid"
            : "a recording was marked invalid", report.toString(StandardCharsets.UTF_8).strip().replace('\n', ';'));
        return verified;
    }
}
