package io.runnel.archfixture.kernel;

import java.nio.channels.SocketChannel;

import io.runnel.archfixture.io.net.FixtureReactor;

/** Violates layering (kernel uses io) and "no socket code in the kernel" (a SocketChannel field). */
public final class FixtureShard
{
    private final FixtureReactor reactor = new FixtureReactor();
    private SocketChannel channel;

    public boolean connected()
    {
        return channel != null && reactor.isOpen();
    }
}
