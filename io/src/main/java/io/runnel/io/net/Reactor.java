package io.runnel.io.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.shard.ShardDuty;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network half of a shard's duty cycle: a selector over the shard's connections. Reads
 * requests while the shard is not back-pressured (its commands for other shards fit their
 * inboxes), writes responses always. Runs only on its shard's thread; knows frames and
 * connections, not APIs.
 */
public final class Reactor implements ShardDuty
{
    /** Builds the frame handler of each new connection (the API router, behind any per-connection stage). */
    @FunctionalInterface
    public interface ConnectionSetup
    {
        FrameHandler frameHandlerFor(Connection connection);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Reactor.class);

    private final Shard shard;
    private final Selector selector;
    private final FramePool framePool = new FramePool();
    private final ResponseSendPool responseSends = new ResponseSendPool();
    private final int maxRequestBytes;
    private final List<Connection> connections = new ArrayList<>();
    private final List<Connection> readable = new ArrayList<>();
    private ConnectionSetup setup;

    public Reactor(final Shard shard, final int maxRequestBytes)
    {
        this.shard = shard;
        this.maxRequestBytes = maxRequestBytes;
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open selector", ex);
        }
    }

    /** Sets how new connections are set up; call before the shard starts. */
    public void connectionSetup(final ConnectionSetup setup)
    {
        this.setup = setup;
    }

    public Selector selector()
    {
        return selector;
    }

    public Shard shard()
    {
        return shard;
    }

    public ResponseSendPool responseSends()
    {
        return responseSends;
    }

    public FramePool framePool()
    {
        return framePool;
    }

    public int maxRequestBytes()
    {
        return maxRequestBytes;
    }

    /**
     * Hands a freshly accepted socket to this reactor (any thread); it is set up as {@link #connectionSetup} says.
     *
     * @return false if the shard's inbox is full: the caller closes the socket.
     */
    public boolean adopt(final SocketChannel socket)
    {
        return adopt(socket, null);
    }

    /**
     * Hands a freshly accepted socket to this reactor (any thread), set up by {@code listenerSetup}: the
     * setup of the listener that accepted it, or null for this reactor's default.
     *
     * @return false if the shard's inbox is full: the caller closes the socket.
     */
    public boolean adopt(final SocketChannel socket, final ConnectionSetup listenerSetup)
    {
        return shard.offer(new RegisterConnection(socket, listenerSetup));
    }

    private void register(final SocketChannel socket, final ConnectionSetup listenerSetup) throws IOException
    {
        final String remote = String.valueOf(socket.getRemoteAddress());
        final Connection connection = new Connection(new PlaintextTransport(socket), this, remote);
        connection.frameHandler((listenerSetup != null ? listenerSetup : setup).frameHandlerFor(connection));
        final SelectionKey key = socket.register(selector, SelectionKey.OP_READ, connection);
        connection.attach(key);
        connections.add(connection);
    }

    void markReadable(final Connection connection)
    {
        readable.add(connection);
    }

    void onClosed(final Connection connection)
    {
        connections.remove(connection);
    }

    @Override
    public int doWork(final long nowMs)
    {
        return pollSockets(!shard.isBackPressured());
    }

    private int pollSockets(final boolean takeRequests)
    {
        int work = 0;
        try
        {
            selector.selectNow();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final Set<SelectionKey> keys = selector.selectedKeys();
        if (!keys.isEmpty())
        {
            for (final Iterator<SelectionKey> it = keys.iterator(); it.hasNext(); )
            {
                final SelectionKey key = it.next();
                it.remove();
                final Connection connection = (Connection)key.attachment();
                if (!key.isValid())
                {
                    continue;
                }
                if (key.isWritable())
                {
                    work += connection.onWritable();
                }
                if (key.isValid() && key.isReadable())
                {
                    // Under back-pressure the bytes wait in the kernel's socket buffer, TCP pushes back on the
                    // client, and the selector reports the key again once requests are taken.
                    if (takeRequests)
                    {
                        work += connection.onReadable() + 1;
                    }
                }
            }
        }
        if (!takeRequests)
        {
            shard.counters().onReadsDeferred();
            return work;
        }
        // Connections whose reading resumed after back-pressure may hold unread bytes in the kernel buffer.
        if (!readable.isEmpty())
        {
            for (int i = 0; i < readable.size(); i++)
            {
                final Connection connection = readable.get(i);
                if (!connection.isClosed())
                {
                    work += connection.onReadable();
                }
            }
            readable.clear();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (final Connection connection : new ArrayList<>(connections))
        {
            connection.close(null);
        }
        CloseHelper.quietClose(selector);
    }

    /** A socket from the acceptor, registered on this shard's thread. */
    private final class RegisterConnection implements ShardCommand
    {
        private final SocketChannel socket;
        private final ConnectionSetup listenerSetup;

        RegisterConnection(final SocketChannel socket, final ConnectionSetup listenerSetup)
        {
            this.socket = socket;
            this.listenerSetup = listenerSetup;
        }

        @Override
        public void execute(final Shard shard)
        {
            try
            {
                register(socket, listenerSetup);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            LOG.warn("cannot register a connection on shard {}: {}", shard.id(), cause.toString());
            CloseHelper.quietClose(socket);
        }
    }
}
