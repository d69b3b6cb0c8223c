package io.runnel.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.runnel.broker.BrokerConfig;
import io.runnel.broker.RunnelBroker;

/**
 * A real Runnel broker in this JVM for integration tests: {@link BrokerUnderTest#settings} (loopback,
 * an ephemeral port, its own data directory) plus the test's overrides.
 */
public final class TestBroker implements BrokerUnderTest
{
    private final Path dataDir;
    private final Map<String, String> overrides;
    private RunnelBroker broker;

    public TestBroker(final Path dataDir, final Map<String, String> overrides)
    {
        this.dataDir = dataDir;
        this.overrides = new HashMap<>(overrides);
    }

    public static TestBroker start(final Path dataDir, final Map<String, String> overrides)
    {
        final TestBroker broker = new TestBroker(dataDir, overrides);
        broker.start();
        return broker;
    }

    public static TestBroker start(final Path dataDir)
    {
        return start(dataDir, Map.of());
    }

    public void start()
    {
        try
        {
            broker = new RunnelBroker(BrokerConfig.of(BrokerUnderTest.settings(dataDir, overrides))).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Restarts on the same data directory (and a new ephemeral port). */
    public void restart()
    {
        stop();
        start();
    }

    public void stop()
    {
        if (broker != null)
        {
            broker.close();
            broker = null;
        }
    }

    public RunnelBroker broker()
    {
        return broker;
    }

    @Override
    public Path dataDir()
    {
        return dataDir;
    }

    @Override
    public int port()
    {
        return broker.boundAddress().getPort();
    }

    @Override
    public void close()
    {
        stop();
    }
}
