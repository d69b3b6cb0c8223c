package io.runnel.broker.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * What a test needs from a running broker, whichever way it runs ({@link TestBroker} in this JVM,
 * {@link ChildBroker} in a child JVM that can be killed): where it listens, where its data lives,
 * and stock kafka-clients pointed at it. Both start from the same {@link #settings}.
 */
public interface BrokerUnderTest extends AutoCloseable
{
    /** Tests listen on loopback only. */
    String HOST = "127.0.0.1";

    /**
     * The settings every test broker starts with: a loopback listener on an ephemeral port (the
     * broker reports the port it bound) and {@code dataDir} as its only log directory, then the
     * test's {@code overrides}, which win.
     */
    static Map<String, String> settings(final Path dataDir, final Map<String, String> overrides)
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listeners", "PLAINTEXT://" + HOST + ":0");
        settings.put("log.dirs", dataDir.toAbsolutePath().toString());
        settings.putAll(overrides);
        return settings;
    }

    /** The port the broker bound. */
    int port();

    Path dataDir();

    default String bootstrapServers()
    {
        return HOST + ":" + port();
    }

    default KafkaProducer<byte[], byte[]> producer(final Map<String, Object> extra)
    {
        return TestClients.producer(bootstrapServers(), extra);
    }

    default KafkaConsumer<byte[], byte[]> consumer(final Map<String, Object> extra)
    {
        return TestClients.consumer(bootstrapServers(), extra);
    }

    default Admin admin()
    {
        return TestClients.admin(bootstrapServers());
    }

    /** Stops the broker if it still runs; never throws a checked exception. */
    @Override
    void close();
}
