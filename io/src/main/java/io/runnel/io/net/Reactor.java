package io.runnel.io.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import io.runnel.io.api.ApiRouter;
import io.runnel.io.api.ParkedOperation;
import io.runnel.kernel.LogManager;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.shard.ShardDuty;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network half of a shard's duty cycle: a selector over the shard's connections, the
 * long-poll fetches parked on this shard, and commands for other shards that did not fit in
 * their inboxes yet. Runs only on its shard's thread.
 */
public final class Reactor implements ShardDuty
{
    private static final Logger LOG = LoggerFactory.getLogger(Reactor.class);

    private final Shard shard;
    private final LogManager logManager;
    private final Selector selector;
    private final FramePool framePool = new FramePool();
    private final ResponseSendPool responseSends = new ResponseSendPool();
    private final ApiRouter router;
    private final int maxRequestBytes;
    private final List<Connection> connections = new ArrayList<>();
    private final List<Connection> readable = new ArrayList<>();
    private final List<ParkedOperation> parked = new ArrayList<>();
    private final ArrayDeque<ShardCommand>[] backlog;

    @SuppressWarnings("unchecked")
    public Reactor(final Shard shard, final LogManager logManager, final ApiRouter.Factory routerFactory, final int maxRequestBytes)
    {
        this.shard = shard;
        this.logManager = logManager;
        this.maxRequestBytes = maxRequestBytes;
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open selector", ex);
        }
        this.router = routerFactory.create(this);
        this.backlog = new ArrayDeque[logManager.shardCount()];
        for (int i = 0; i < backlog.length; i++)
        {
            backlog[i] = new ArrayDeque<>();
        }
    }

    public Selector selector()
    {
        return selector;
    }

    public Shard shard()
    {
        return shard;
    }

    public LogManager logManager()
    {
        return logManager;
    }

    public ResponseSendPool responseSends()
    {
        return responseSends;
    }

    public FramePool framePool()
    {
        return framePool;
    }

    public ApiRouter router()
    {
        return router;
    }

    public int maxRequestBytes()
    {
        return maxRequestBytes;
    }

    /** Hands a freshly accepted socket to this reactor (any thread). */
    public boolean adopt(final SocketChannel socket)
    {
        return shard.offer(s -> register(socket));
    }

    private void register(final SocketChannel socket)
    {
        String remote = "unknown";
        try
        {
            remote = String.valueOf(socket.getRemoteAddress());
            final Connection connection = new Connection(socket, this, remote);
            final SelectionKey key = socket.register(selector, SelectionKey.OP_READ, connection);
            connection.attach(key);
            connections.add(connection);
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot register connection from {}", remote, ex);
            CloseHelper.quietClose(socket);
        }
    }

    /** Runs {@code command} on the shard that owns a partition: here at once, elsewhere via its inbox. */
    public void runOn(final int shardId, final ShardCommand command)
    {
        if (shardId == shard.id())
        {
            command.execute(shard);
        }
        else if (!backlog[shardId].isEmpty() || !logManager.shard(shardId).offer(command))
        {
            backlog[shardId].add(command);
        }
    }

    /** Sends a result back to the shard a request came from (which may be this one), without allocating. */
    public void reply(final Reactor origin, final ShardCommand completion)
    {
        if (origin == this)
        {
            completion.execute(shard);
        }
        else
        {
            runOn(origin.shard.id(), completion);
        }
    }

    /** Sends a result back to the shard a request came from (which may be this one). */
    public void reply(final Reactor origin, final Runnable completion)
    {
        if (origin == this)
        {
            completion.run();
        }
        else
        {
            runOn(origin.shard.id(), s -> completion.run());
        }
    }

    public void park(final ParkedOperation operation)
    {
        parked.add(operation);
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
        int work = pollSockets();
        work += retryBacklog();
        work += checkParked(nowMs);
        return work;
    }

    private int pollSockets()
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
                    work += connection.onReadable() + 1;
                }
            }
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

    private int retryBacklog()
    {
        int work = 0;
        for (int i = 0; i < backlog.length; i++)
        {
            final ArrayDeque<ShardCommand> queue = backlog[i];
            ShardCommand command;
            while ((command = queue.peek()) != null && logManager.shard(i).offer(command))
            {
                queue.poll();
                work++;
            }
        }
        return work;
    }

    private int checkParked(final long nowMs)
    {
        if (parked.isEmpty())
        {
            return 0;
        }
        int work = 0;
        for (int i = parked.size() - 1; i >= 0; i--)
        {
            final ParkedOperation operation = parked.get(i);
            if (operation.isReady(nowMs))
            {
                final int last = parked.size() - 1;
                parked.set(i, parked.get(last));
                parked.remove(last);
                operation.resume(nowMs);
                work++;
            }
        }
        return work;
    }

    /** True while something here must be re-checked without an event to wake us: parked fetches, or commands waiting for a full inbox. */
    public boolean needsPolling()
    {
        if (!parked.isEmpty())
        {
            return true;
        }
        for (final ArrayDeque<ShardCommand> queue : backlog)
        {
            if (!queue.isEmpty())
            {
                return true;
            }
        }
        return false;
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
}
