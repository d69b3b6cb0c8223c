package io.runnel.broker.it.protocol;

import java.io.EOFException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The version-sweep conformance test: for every (API, version) that ApiVersions advertises, real
 * requests with data at that version (a topic with records, a group walked through join, sync,
 * heartbeat, commit and leave, admin changes seen in Metadata), every response parsed by
 * kafka-clients' generated message class at that version and its content checked. An advertised
 * API without a case in {@link ApiCases} fails, naming it.
 *
 * <p>{@code -Dsweep.allVersions=true} sweeps kafka-clients' whole version range of every covered
 * API instead, whatever the broker advertises. One broker serves the class; every case uses its
 * own topics and groups.
 */
class VersionSweepTest
{
    /** Generous for a few loopback round trips; only a hang comes near it. */
    private static final Duration CASE_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    private static SweepFixture fixture;
    private static ApiCases cases;

    @BeforeAll
    static void startBroker() throws Exception
    {
        fixture = SweepFixture.start(dataDir);
        cases = new ApiCases(fixture);
    }

    @AfterAll
    static void stopBroker()
    {
        if (fixture != null)
        {
            fixture.close();
        }
    }

    @Test
    void everyAdvertisedApiHasASweepCase()
    {
        final List<String> uncovered = new ArrayList<>();
        for (final ApiVersionsResponseData.ApiVersion range : fixture.advertised().apiKeys())
        {
            if (!ApiKeys.hasId(range.apiKey()) || !cases.covered().contains(ApiKeys.forId(range.apiKey())))
            {
                uncovered.add(new SweepFixture.SweptApi(range.apiKey(), range.minVersion(), range.maxVersion()).name());
            }
        }
        assertTrue(uncovered.isEmpty(), "advertised without a sweep case: " + uncovered);
    }

    @TestFactory
    Stream<DynamicContainer> everyAdvertisedVersionAnswersRealRequests()
    {
        return fixture.sweptApis(cases.covered()).stream().map(api -> DynamicContainer.dynamicContainer(api.name(),
            IntStream.rangeClosed(api.minVersion(), api.maxVersion()).mapToObj(v -> versionCase(api, (short)v))));
    }

    private static DynamicTest versionCase(final SweepFixture.SweptApi api, final short version)
    {
        return DynamicTest.dynamicTest(api.name() + " v" + version, () ->
        {
            if (!ApiKeys.hasId(api.apiKey()))
            {
                throw new AssertionError(api.name() + " is advertised but kafka-clients cannot even name it");
            }
            final ApiCases.ApiCase apiCase = cases.caseFor(ApiKeys.forId(api.apiKey()));
            try
            {
                assertTimeoutPreemptively(CASE_TIMEOUT, () -> apiCase.exercise().run(version), "hung");
            }
            catch (final Exception | AssertionError ex)
            {
                // Surefire's report names dynamic tests by index: say which case failed.
                final String what = ex instanceof EOFException ? "the broker closed the connection" : ex.toString();
                throw new AssertionError(api.name() + " v" + version + ": " + what, ex);
            }
        });
    }
}
