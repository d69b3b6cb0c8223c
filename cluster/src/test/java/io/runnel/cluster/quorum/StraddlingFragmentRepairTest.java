package io.runnel.cluster.quorum;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archive a controller left when a metadata bench killed it (kill -9): its quorum log's last
 * fragment (102 bytes at 188320) crosses the page boundary at 188416, so the archive refused to
 * start and the node could not rejoin. Repaired, the archive starts and keeps the fragment.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StraddlingFragmentRepairTest
{
    private static final long END_OF_STRADDLING_FRAGMENT = 188_448;

    @TempDir
    Path dir;

    @Test
    void theArchiveRefusesTheKilledNodesRecordingUntilRepairedThenKeepsItsLastFragment() throws IOException
    {
        final File archiveDir = copyFixture(dir.resolve("archive"));
        try (MediaDriver driver = launchDriver())
        {
            final RuntimeException refused = assertThrows(RuntimeException.class, () -> launch(driver, archiveDir).close());
            assertTrue(StraddlingFragmentRepair.isStraddlingFragment(refused), refused.toString());
        }

        assertTrue(StraddlingFragmentRepair.repair(3, archiveDir));

        try (MediaDriver driver = launchDriver())
        {
            try (Archive archive = launch(driver, archiveDir);
                AeronArchive client = AeronArchive.connect(new AeronArchive.Context()
                    .aeronDirectoryName(driver.aeronDirectoryName())
                    .controlRequestChannel("aeron:ipc")
                    .controlResponseChannel("aeron:ipc")))
            {
                assertEquals(0, client.getStartPosition(0));
                assertEquals(END_OF_STRADDLING_FRAGMENT, client.getStopPosition(0));
            }
        }
    }

    @Test
    void otherFailuresAreNotTakenForAStraddlingFragment()
    {
        assertTrue(StraddlingFragmentRepair.isStraddlingFragment(new IllegalStateException("launch failed",
            new RuntimeException("ERROR - Found potentially incomplete last fragment straddling page boundary in file: /x/0-0.rec"))));
        assertEquals(false, StraddlingFragmentRepair.isStraddlingFragment(new IllegalStateException("active Mark file detected")));
        assertEquals(false, StraddlingFragmentRepair.isStraddlingFragment(new RuntimeException((String)null)));
    }

    private MediaDriver launchDriver()
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.resolve("aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }

    private static Archive launch(final MediaDriver driver, final File archiveDir)
    {
        return Archive.launch(new Archive.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .archiveDir(archiveDir)
            .archiveId(3)
            .controlChannel("aeron:udp?endpoint=127.0.0.1:0")
            .localControlChannel("aeron:ipc")
            .replicationChannel("aeron:udp?endpoint=127.0.0.1:0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .segmentFileLength(8 * 1024 * 1024)
            .deleteArchiveOnStart(false));
    }

    private static File copyFixture(final Path target) throws IOException
    {
        Files.createDirectories(target);
        for (final String name : new String[] {"0-0.rec", "archive.catalog"})
        {
            try (InputStream in = StraddlingFragmentRepairTest.class.getResourceAsStream("/torn-archive/" + name))
            {
                Files.copy(in, target.resolve(name));
            }
        }
        return target.toFile();
    }
}
