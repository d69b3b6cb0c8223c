package io.runnel.broker.it.group;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * A blocking one-request-at-a-time Kafka client over a plain socket, for sending group
 * requests the Java consumer would never send (stale generations, strangers' member ids,
 * bad group ids). Requests and responses are kafka-clients' generated message classes.
 */
final class RawGroupClient implements AutoCloseable
{
    private static final int TIMEOUT_MS = 10_000;
    private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId;

    private RawGroupClient(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawGroupClient connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            return new RawGroupClient(socket);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /** Sends {@code request} as {@code api} v{@code version} and returns the parsed response. */
    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T request(final ApiKeys api, final short version, final ApiMessage request) throws IOException
    {
        final int id = ++correlationId;
        final short headerVersion = api.requestHeaderVersion(version);
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
            .setCorrelationId(id).setClientId("raw-group-client");
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int size = header.size(cache, headerVersion) + request.size(cache, version);
        final ByteBuffer frame = ByteBuffer.allocate(4 + size).putInt(size);
        final ByteBufferAccessor writer = new ByteBufferAccessor(frame);
        header.write(writer, cache, headerVersion);
        request.write(writer, cache, version);
        out.write(frame.array());
        out.flush();

        final int length = in.readInt();
        if (length <= 0 || length > MAX_RESPONSE_BYTES)
        {
            throw new IOException("implausible response size " + length);
        }
        final byte[] payload = new byte[length];
        in.readFully(payload);
        final ByteBufferAccessor reader = new ByteBufferAccessor(ByteBuffer.wrap(payload));
        final ResponseHeaderData responseHeader = new ResponseHeaderData(reader, api.responseHeaderVersion(version));
        if (responseHeader.correlationId() != id)
        {
            throw new IOException("correlation id " + responseHeader.correlationId() + ", expected " + id);
        }
        final ApiMessage response = api.messageType.newResponse();
        response.read(reader, version);
        return (T)response;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
