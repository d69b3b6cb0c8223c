package io.runnel.broker.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A deliberately low-level Kafka client: a blocking socket to the broker that can write arbitrary
 * bytes, well-formed requests encoded with kafka-clients' generated message classes (optionally
 * with a lying header), read one response frame, and tell whether the broker closed the
 * connection. Hostile-input tests use it for what no client would send; group tests for requests
 * the Java consumer would never make (stale generations, strangers' member ids, bad group ids).
 */
public final class RawKafkaClient implements AutoCloseable
{
    public static final int SO_TIMEOUT_MS = 10_000;
    public static final String CLIENT_ID = "runnel-raw";
    /** No legitimate test response comes anywhere near this. */
    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
    private static final int CLOSE_POLL_MS = 100;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int readTimeoutMs;
    private int nextCorrelationId = 1;
    private boolean verifyEncoding;

    private RawKafkaClient(final Socket socket, final int readTimeoutMs) throws IOException
    {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.readTimeoutMs = readTimeoutMs;
    }

    public static RawKafkaClient connect(final int port) throws IOException
    {
        return connect(port, Duration.ofMillis(SO_TIMEOUT_MS));
    }

    /** @param readTimeout how long a read may wait before it fails with {@link SocketTimeoutException} */
    public static RawKafkaClient connect(final int port, final Duration readTimeout) throws IOException
    {
        return connect(BrokerUnderTest.HOST, port, readTimeout);
    }

    /** To a broker on another address than loopback (one in a network namespace of its own). */
    public static RawKafkaClient connect(final String host, final int port, final Duration readTimeout) throws IOException
    {
        final int readTimeoutMs = Math.toIntExact(readTimeout.toMillis());
        final Socket socket = new Socket();
        try
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(readTimeoutMs);
            socket.connect(new InetSocketAddress(host, port), SO_TIMEOUT_MS);
            return new RawKafkaClient(socket, readTimeoutMs);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /**
     * From now on every parsed response is also re-encoded by kafka-clients at its version and
     * must equal the bytes the broker sent: a hand-written encoder that disagrees with the
     * generated class fails the read with an {@link IOException} naming the first differing byte.
     */
    public RawKafkaClient verifyingEncoding()
    {
        verifyEncoding = true;
        return this;
    }

    public int nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    /** Writes bytes exactly as given: no size prefix is added. */
    public void sendRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** Writes bytes one at a time with a flush after each (a slow client, to exercise partial reads). */
    public void trickle(final byte[] bytes) throws IOException
    {
        for (final byte b : bytes)
        {
            out.write(b);
            out.flush();
        }
    }

    /** Writes a size-prefixed frame around {@code payload}. */
    public void sendFrame(final byte[] payload) throws IOException
    {
        sendRaw(frame(payload));
    }

    public static byte[] frame(final byte[] payload)
    {
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }

    /**
     * Request header plus body, without the size prefix. The header is v1 or v2 as Kafka defines it
     * for a known (api, version); for an unknown key or version it is v2, which is as good as any
     * since a broker must refuse those after reading the fixed prefix.
     */
    public static byte[] requestPayload(final short apiKey, final short apiVersion, final int correlationId,
        final ApiMessage body, final short bodyVersion)
    {
        final short headerVersion = headerVersion(apiKey, apiVersion);
        final RequestHeaderData header = new RequestHeaderData()
            .setRequestApiKey(apiKey)
            .setRequestApiVersion(apiVersion)
            .setCorrelationId(correlationId)
            .setClientId(CLIENT_ID);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int headerSize = header.size(cache, headerVersion);
        final int bodySize = body == null ? 0 : body.size(cache, bodyVersion);
        final ByteBuffer buffer = ByteBuffer.allocate(headerSize + bodySize);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        if (body != null)
        {
            body.write(accessor, cache, bodyVersion);
        }
        if (buffer.hasRemaining())
        {
            throw new IllegalStateException("encoded " + buffer.position() + " of " + buffer.capacity() + " bytes");
        }
        return buffer.array();
    }

    /**
     * Request header (at {@code headerVersion}) plus a body given as bytes, without the size
     * prefix: for bodies kafka-clients cannot write (Produce v0-2) or deliberately broken ones.
     */
    public static byte[] rawBodyPayload(final short apiKey, final short apiVersion, final int correlationId,
        final byte[] body, final short headerVersion)
    {
        final RequestHeaderData header = new RequestHeaderData()
            .setRequestApiKey(apiKey)
            .setRequestApiVersion(apiVersion)
            .setCorrelationId(correlationId)
            .setClientId(CLIENT_ID);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final ByteBuffer buffer = ByteBuffer.allocate(header.size(cache, headerVersion) + body.length);
        header.write(new ByteBufferAccessor(buffer), cache, headerVersion);
        buffer.put(body);
        return buffer.array();
    }

    /** A body's bytes at {@code version}, as kafka-clients writes them. */
    public static byte[] encode(final ApiMessage body, final short version)
    {
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final ByteBuffer buffer = ByteBuffer.allocate(body.size(cache, version));
        body.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.array();
    }

    public static short headerVersion(final short apiKey, final short apiVersion)
    {
        if (ApiKeys.hasId(apiKey))
        {
            final ApiKeys api = ApiKeys.forId(apiKey);
            if (api.isVersionSupported(apiVersion))
            {
                return api.requestHeaderVersion(apiVersion);
            }
        }
        return 2;
    }

    /** Sends a well-formed request; returns its correlation id. */
    public int send(final ApiKeys api, final short version, final ApiMessage body) throws IOException
    {
        final int correlationId = nextCorrelationId();
        sendFrame(requestPayload(api.id, version, correlationId, body, version));
        return correlationId;
    }

    /** One response frame: its bytes after the size prefix. */
    public ByteBuffer receiveFrame() throws IOException
    {
        final int size = in.readInt();
        if (size <= 0 || size > MAX_RESPONSE_BYTES)
        {
            throw new IOException("implausible response size " + size);
        }
        final byte[] payload = new byte[size];
        in.readFully(payload);
        return ByteBuffer.wrap(payload);
    }

    /**
     * One response frame if it starts arriving within {@code wait}; null when the broker closed
     * the connection; {@link SocketTimeoutException} when nothing came.
     */
    public ByteBuffer receiveFrameWithin(final Duration wait) throws IOException
    {
        final int size;
        try
        {
            socket.setSoTimeout((int)Math.max(1, wait.toMillis()));
            size = in.readInt();
            socket.setSoTimeout(readTimeoutMs);
        }
        catch (final SocketTimeoutException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            return null;
        }
        if (size <= 0 || size > MAX_RESPONSE_BYTES)
        {
            throw new IOException("implausible response size " + size);
        }
        final byte[] payload = new byte[size];
        in.readFully(payload);
        return ByteBuffer.wrap(payload);
    }

    /**
     * Reads one response, checks its correlation id and parses its body. The response header
     * version follows from (api, version); ApiVersions always answers with header v0.
     */
    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T receive(final ApiKeys api, final short version, final int expectedCorrelationId) throws IOException
    {
        final ByteBuffer frame = receiveFrame();
        final ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        final ResponseHeaderData header = new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        if (header.correlationId() != expectedCorrelationId)
        {
            throw new IOException("correlation id " + header.correlationId() + ", expected " + expectedCorrelationId);
        }
        final ApiMessage body = api.messageType.newResponse();
        final int bodyStart = frame.position();
        body.read(accessor, version);
        if (verifyEncoding)
        {
            assertSameEncoding(api, version, frame, bodyStart, body);
        }
        return (T)body;
    }

    private static void assertSameEncoding(final ApiKeys api, final short version, final ByteBuffer frame, final int bodyStart,
        final ApiMessage body) throws IOException
    {
        final byte[] expected = encode(body, version);
        final int sent = frame.limit() - bodyStart;
        for (int i = 0; i < Math.max(expected.length, sent); i++)
        {
            if (i >= expected.length || i >= sent || expected[i] != frame.get(bodyStart + i))
            {
                throw new IOException(api + " v" + version + " response differs from kafka-clients' encoding at body byte " + i
                    + " (" + sent + " bytes sent, " + expected.length + " expected)");
            }
        }
    }

    /** Sends a well-formed request and reads its response (one request in flight at a time). */
    public <T extends ApiMessage> T request(final ApiKeys api, final short version, final ApiMessage body) throws IOException
    {
        return receive(api, version, send(api, version, body));
    }

    public ApiVersionsResponseData apiVersions(final short version) throws IOException
    {
        return request(ApiKeys.API_VERSIONS, version, apiVersionsRequest());
    }

    public static ApiVersionsRequestData apiVersionsRequest()
    {
        return new ApiVersionsRequestData().setClientSoftwareName("runnel-hostile-test").setClientSoftwareVersion("1.0");
    }

    public static ProduceRequestData produceRequest(final short acks, final String topic, final int partition, final ByteBuffer records)
    {
        final ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
            .setName(topic)
            .setPartitionData(List.of(partitionData(partition, records))));
        return new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000).setTopicData(topics);
    }

    public static ProduceRequestData.PartitionProduceData partitionData(final int partition, final ByteBuffer records)
    {
        return new ProduceRequestData.PartitionProduceData()
            .setIndex(partition)
            .setRecords(MemoryRecords.readableRecords(records.duplicate()));
    }

    public ProduceResponseData produce(final short version, final ProduceRequestData request) throws IOException
    {
        return request(ApiKeys.PRODUCE, version, request);
    }

    /** Produce v11, acks=1, one partition; the partition's response. */
    public ProduceResponseData.PartitionProduceResponse produce(final String topic, final int partition, final ByteBuffer records)
        throws IOException
    {
        final ProduceResponseData response = produce((short)11, produceRequest((short)1, topic, partition, records));
        return onlyPartition(response);
    }

    public static ProduceResponseData.PartitionProduceResponse onlyPartition(final ProduceResponseData response)
    {
        if (response.responses().size() != 1 || response.responses().iterator().next().partitionResponses().size() != 1)
        {
            throw new IllegalStateException("expected one topic with one partition in " + response);
        }
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    /**
     * Waits up to {@code within} for the broker to close the connection, discarding anything it
     * sends meanwhile. A reset counts as closed; silence until the deadline does not.
     */
    public boolean isClosedByPeer(final Duration within)
    {
        final long deadline = System.nanoTime() + within.toNanos();
        final byte[] discard = new byte[4096];
        try
        {
            socket.setSoTimeout(CLOSE_POLL_MS);
            while (System.nanoTime() < deadline)
            {
                try
                {
                    if (in.read(discard) < 0)
                    {
                        return true;
                    }
                }
                catch (final SocketTimeoutException ex)
                {
                    // still open; poll again until the deadline
                }
            }
            socket.setSoTimeout(readTimeoutMs);
            return false;
        }
        catch (final IOException ex)
        {
            // EOF, reset or broken pipe: the broker is gone from this connection.
            return true;
        }
    }

    public boolean isClosedByPeer()
    {
        return isClosedByPeer(Duration.ofSeconds(5));
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
