package io.runnel.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.runnel.broker.BrokerConfig;
import io.runnel.broker.RunnelBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * A real Runnel broker in this JVM for integration tests: 127.0.0.1, an ephemeral port and its
 * own data directory, plus factories for stock kafka-clients pointed at it.
 */
public final class TestBroker implements AutoCloseable
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
        final Map<String, String> settings = new HashMap<>();
        settings.put("listeners", "PLAINTEXT://127.0.0.1:0");
        settings.put("log.dirs", dataDir.toString());
        settings.putAll(overrides);
        try
        {
            broker = new RunnelBroker(BrokerConfig.of(settings)).start();
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

    public Path dataDir()
    {
        return dataDir;
    }

    public String bootstrapServers()
    {
        return broker.bootstrapServers();
    }

    public int port()
    {
        return broker.boundAddress().getPort();
    }

    public KafkaProducer<byte[], byte[]> producer(final Map<String, Object> extra)
    {
        return TestClients.producer(bootstrapServers(), extra);
    }

    public KafkaConsumer<byte[], byte[]> consumer(final Map<String, Object> extra)
    {
        return TestClients.consumer(bootstrapServers(), extra);
    }

    public Admin admin()
    {
        return TestClients.admin(bootstrapServers());
    }

    @Override
    public void close()
    {
        stop();
    }

    /** Deletes a directory tree (test clean-up for directories not under @TempDir). */
    public static void deleteRecursively(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var paths = Files.walk(dir))
        {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
