package io.runnel.cluster.member;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MemberSettingsTest
{
    @Test
    void aeronElectionTimeoutIsAFifthOfKraftsAndNeverBelowTheFloor()
    {
        assertEquals(200, withElectionTimeout(1_000).aeronElectionTimeoutMs());
        assertEquals(MemberSettings.MIN_AERON_ELECTION_TIMEOUT_MS, withElectionTimeout(100).aeronElectionTimeoutMs());
        assertEquals(MemberSettings.MIN_AERON_ELECTION_TIMEOUT_MS, withElectionTimeout(1).aeronElectionTimeoutMs());
    }

    private static MemberSettings withElectionTimeout(final long electionTimeoutMs)
    {
        return new MemberSettings(1, null, true, "1@127.0.0.1:9093", 1_000, Path.of("quorum"), "aeron", "PLAINTEXT", "127.0.0.1",
            2_000, 9_000, electionTimeoutMs, 2_000, 10_000, 30_000, io.runnel.cluster.metadata.LeaderBalance.DISABLED, false);
    }
}
