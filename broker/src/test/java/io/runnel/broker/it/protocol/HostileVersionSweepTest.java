package io.runnel.broker.it.protocol;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.runnel.broker.testing.RawKafkaClient;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile side of the version sweep: for every swept (API, version), the sweep's valid
 * request ({@link ApiCases}) broken in fixed, seeded ways ({@link RequestMutations}) and each sent
 * on a fresh connection; plus, per API, request versions just above and below the advertised
 * range. A broken request must get an error response that parses at its version, or a closed
 * connection; never silence, and never a dead shard: after each API's mutations the broker is
 * proven alive on a new connection (Metadata, then a produce read back by fetch).
 *
 * <p>Sweeps what ApiVersions advertises, or with {@code -Dsweep.allVersions=true} kafka-clients'
 * whole ranges. One broker (two shards) for the class.
 */
class HostileVersionSweepTest
{
    private static final long SEED = 0x5EED_0009L;
    /** How long a broken request may go unanswered before it counts as silence; loopback answers in milliseconds. */
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(2);

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

    @TestFactory
    Stream<DynamicContainer> brokenRequestsAreRefusedAtEveryVersion()
    {
        final Random random = new Random(SEED);
        return fixture.sweptApis(cases.covered()).stream()
            .filter(api -> ApiKeys.hasId(api.apiKey()) && cases.covered().contains(ApiKeys.forId(api.apiKey())))
            .map(api -> DynamicContainer.dynamicContainer(api.name(), apiNodes(api, new Random(random.nextLong()))));
    }

    private static Stream<DynamicNode> apiNodes(final SweepFixture.SweptApi swept, final Random random)
    {
        final ApiKeys api = ApiKeys.forId(swept.apiKey());
        final Stream<DynamicNode> versions = IntStream.rangeClosed(swept.minVersion(), swept.maxVersion())
            .mapToObj(v -> versionNode(api, (short)v, random));
        final DynamicTest outOfRange = DynamicTest.dynamicTest(api + " versions outside " + swept.minVersion() + "-" + swept.maxVersion(),
            () -> assertVersionsOutsideRangeRefused(api, swept));
        final DynamicTest alive = DynamicTest.dynamicTest(api + " leaves the broker alive", () -> fixture.assertAlive(api.name()));
        return Stream.concat(versions, Stream.of(outOfRange, alive));
    }

    /** The mutations are drawn here, in sweep order, so that the seed alone fixes every one of them. */
    private static DynamicNode versionNode(final ApiKeys api, final short version, final Random random)
    {
        final List<RequestMutations.Mutation> mutations;
        try
        {
            mutations = RequestMutations.of(api, version, cases.caseFor(api).sample().body(version), random);
        }
        catch (final Exception ex)
        {
            return DynamicTest.dynamicTest(api + " v" + version + " sample", () ->
            {
                throw new AssertionError("cannot build a valid " + api + " v" + version + " request", ex);
            });
        }
        return DynamicTest.dynamicTest(api + " v" + version + ": " + mutations.size() + " broken bodies",
            () -> assertAllRefused(api, version, mutations));
    }

    /** Runs every mutation, then fails once, listing every one the broker got wrong. */
    private static void assertAllRefused(final ApiKeys api, final short version, final List<RequestMutations.Mutation> mutations)
        throws IOException
    {
        final List<String> wrong = new ArrayList<>();
        for (final RequestMutations.Mutation mutation : mutations)
        {
            final String outcome = send(api, version, ApiCases.headerVersion(api, version), mutation.body(), mutation.mustFail());
            if (outcome != null)
            {
                wrong.add(mutation.name() + ": " + outcome);
            }
        }
        if (!wrong.isEmpty())
        {
            throw new AssertionError(api + " v" + version + ", " + wrong.size() + " of " + mutations.size() + " mutations: "
                + String.join("; ", wrong));
        }
    }

    /**
     * A request version one above the advertised maximum, and one below the minimum, with a body
     * valid at the nearest advertised version: a closed connection, or for ApiVersions the
     * KIP-511 answer (UNSUPPORTED_VERSION at v0).
     */
    private static void assertVersionsOutsideRangeRefused(final ApiKeys api, final SweepFixture.SweptApi swept) throws Exception
    {
        final List<String> wrong = new ArrayList<>();
        for (final short[] pair : new short[][] {{(short)(swept.maxVersion() + 1), swept.maxVersion()},
            {(short)(swept.minVersion() - 1), swept.minVersion()}})
        {
            final short outside = pair[0];
            final byte[] body = cases.caseFor(api).sample().body(pair[1]);
            final String outcome = sendOutsideRange(api, outside, ApiCases.headerVersion(api, pair[1]), body);
            if (outcome != null)
            {
                wrong.add("v" + outside + ": " + outcome);
            }
        }
        if (!wrong.isEmpty())
        {
            throw new AssertionError(api + " outside " + swept.minVersion() + "-" + swept.maxVersion() + ": " + String.join("; ", wrong));
        }
    }

    /** Null when the broker did right by the broken request; otherwise what it did. */
    private static String send(final ApiKeys api, final short version, final short headerVersion, final byte[] body,
        final boolean mustFail) throws IOException
    {
        try (RawKafkaClient raw = RawKafkaClient.connect(fixture.port()))
        {
            final int correlationId = raw.nextCorrelationId();
            raw.sendFrame(RawKafkaClient.rawBodyPayload(api.id, version, correlationId, body, headerVersion));
            final ByteBuffer frame = answer(raw);
            if (frame == null)
            {
                return null;
            }
            if (frame.remaining() == 0)
            {
                return "an empty response frame";
            }
            if (api == ApiKeys.PRODUCE && version < ApiCases.FIRST_REAL_PRODUCE_VERSION)
            {
                // kafka-clients cannot parse a v0-2 response, and the version refuses every request anyway.
                return frame.getInt() == correlationId ? null : "a response to another request";
            }
            final AbstractResponse response;
            try
            {
                response = parse(api, version, correlationId, frame);
            }
            catch (final RuntimeException ex)
            {
                return "a response that does not parse at v" + version + " (" + ex + ")";
            }
            final Map<Errors, Integer> errors = response.errorCounts();
            if (mustFail && errors.keySet().stream().allMatch(e -> e == Errors.NONE))
            {
                return "answered without an error " + errors;
            }
            return null;
        }
        catch (final SocketTimeoutException ex)
        {
            return "neither answered nor closed within " + ANSWER_WAIT.toMillis() + " ms";
        }
    }

    private static String sendOutsideRange(final ApiKeys api, final short outside, final short headerVersion, final byte[] body)
        throws IOException
    {
        try (RawKafkaClient raw = RawKafkaClient.connect(fixture.port()))
        {
            final int correlationId = raw.nextCorrelationId();
            raw.sendFrame(RawKafkaClient.rawBodyPayload(api.id, outside, correlationId, body, headerVersion));
            final ByteBuffer frame = answer(raw);
            if (frame == null)
            {
                return null;
            }
            if (api != ApiKeys.API_VERSIONS)
            {
                return "answered (" + frame.remaining() + " bytes) instead of closing";
            }
            final AbstractResponse response = parse(api, (short)0, correlationId, frame);
            return response.errorCounts().containsKey(Errors.UNSUPPORTED_VERSION) ? null : "ApiVersions answered " + response.errorCounts();
        }
        catch (final SocketTimeoutException ex)
        {
            return "neither answered nor closed within " + ANSWER_WAIT.toMillis() + " ms";
        }
    }

    /** The response frame, or null when the broker closed the connection. */
    private static ByteBuffer answer(final RawKafkaClient raw) throws IOException
    {
        try
        {
            return raw.receiveFrameWithin(ANSWER_WAIT);
        }
        catch (final SocketTimeoutException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            // Reset mid-frame: closed.
            return null;
        }
    }

    /**
     * The response at {@code version}; an ApiVersions error may come at v0 (KIP-511), so that
     * is tried when the requested version does not parse.
     */
    private static AbstractResponse parse(final ApiKeys api, final short version, final int correlationId, final ByteBuffer frame)
    {
        final ByteBuffer copy = frame.duplicate();
        try
        {
            return parseAt(api, version, correlationId, frame);
        }
        catch (final RuntimeException ex)
        {
            if (api == ApiKeys.API_VERSIONS && version != 0)
            {
                return parseAt(api, (short)0, correlationId, copy);
            }
            throw ex;
        }
    }

    private static AbstractResponse parseAt(final ApiKeys api, final short version, final int correlationId, final ByteBuffer frame)
    {
        final ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        final ResponseHeaderData header = new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        if (header.correlationId() != correlationId)
        {
            throw new IllegalStateException("correlation id " + header.correlationId() + ", expected " + correlationId);
        }
        final AbstractResponse response = AbstractResponse.parseResponse(api, accessor, version);
        if (frame.hasRemaining())
        {
            throw new IllegalStateException(frame.remaining() + " bytes after the response");
        }
        return response;
    }
}
