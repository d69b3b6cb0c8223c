package io.runnel.io.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

import org.agrona.CloseHelper;

/** The PLAINTEXT listener's transport: the socket itself, with file regions sent page cache → socket by {@code transferTo}. */
public final class PlaintextTransport implements Transport
{
    private final SocketChannel socket;

    public PlaintextTransport(final SocketChannel socket)
    {
        this.socket = socket;
    }

    @Override
    public int read(final ByteBuffer target) throws IOException
    {
        return socket.read(target);
    }

    @Override
    public int write(final ByteBuffer source) throws IOException
    {
        return socket.write(source);
    }

    @Override
    public long transferFrom(final FileChannel file, final long position, final long count) throws IOException
    {
        return file.transferTo(position, count, socket);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(socket);
    }
}
