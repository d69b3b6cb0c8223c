package io.runnel.io.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on the listener's own thread and deals them round-robin to the shards'
 * reactors; it never touches a connection after the hand-over. A node binds one acceptor per
 * listener; each connection is set up as its listener says (the broker listener's router, or a
 * controller listener's).
 */
public final class Acceptor implements Runnable, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);

    private final ServerSocketChannel server;
    private final List<Reactor> reactors;
    /** Per reactor, how this listener's connections are set up; null: each reactor's default. */
    private final List<Reactor.ConnectionSetup> setups;
    private final Thread thread;
    private volatile boolean running = true;
    private int next;

    /** The broker listener: connections get each reactor's default setup. */
    public Acceptor(final InetSocketAddress bindAddress, final List<Reactor> reactors) throws IOException
    {
        this("runnel-acceptor", bindAddress, reactors, null);
    }

    /**
     * @param threadName names the accepting thread (after its listener)
     * @param reactors   the shards' reactors; may be filled after construction, before {@link #start()}
     * @param setups     per reactor (same index), how this listener's connections are set up; null: the reactors' defaults
     */
    public Acceptor(final String threadName, final InetSocketAddress bindAddress, final List<Reactor> reactors,
        final List<Reactor.ConnectionSetup> setups) throws IOException
    {
        this.reactors = reactors;
        this.setups = setups;
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(bindAddress, 1024);
        server.configureBlocking(true);
        this.thread = new Thread(this, threadName);
        thread.setDaemon(true);
    }

    public InetSocketAddress localAddress() throws IOException
    {
        return (InetSocketAddress)server.getLocalAddress();
    }

    public void start()
    {
        thread.start();
    }

    @Override
    public void run()
    {
        while (running)
        {
            try
            {
                final SocketChannel socket = server.accept();
                socket.configureBlocking(false);
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final Reactor reactor = reactors.get(next);
                final Reactor.ConnectionSetup setup = setups == null ? null : setups.get(next);
                next = (next + 1) % reactors.size();
                if (!reactor.adopt(socket, setup))
                {
                    LOG.warn("shard {} inbox is full; refusing connection from {}", reactor.shard().id(), socket.getRemoteAddress());
                    CloseHelper.quietClose(socket);
                }
            }
            catch (final IOException ex)
            {
                if (running)
                {
                    LOG.warn("accept failed", ex);
                }
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        CloseHelper.quietClose(server);
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
