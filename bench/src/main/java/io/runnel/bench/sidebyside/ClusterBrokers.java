package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import io.runnel.bench.cluster.LocalCluster;

/**
 * A system under test as a cluster of combined broker+controller nodes ({@code --brokers N}), started
 * by the same {@link LocalCluster} as {@code bin/runnel bench metadata}: Apache Kafka's nodes get the
 * single-node harness's {@code bench/apache-kafka/server.properties} (the cluster's KRaft keys replace its
 * own), Runnel's get {@code runnel.replication.enable=true} over config/server.properties, so that
 * topics can have more than one replica; the system's own {@code key=value} settings go on top of both.
 */
final class ClusterBrokers implements BrokersUnderTest
{
    private final SystemUnderTest system;
    private final Path home;
    private final int size;
    private final Path dataDir;
    private final IntFunction<Path> logOf;
    private LocalCluster cluster;

    /**
     * @param home    the checkout the system runs from
     * @param dataDir node i keeps its data in {@code dataDir/node-i}
     * @param logOf   where node i's output goes
     */
    ClusterBrokers(final SystemUnderTest system, final Path home, final int size, final Path dataDir, final IntFunction<Path> logOf)
    {
        this.system = system;
        this.home = home;
        this.size = size;
        this.dataDir = dataDir;
        this.logOf = logOf;
    }

    @Override
    public void start() throws IOException, InterruptedException
    {
        final LocalCluster.Kind kind = system.kind() == SystemUnderTest.Kind.KAFKA ? LocalCluster.Kind.KAFKA : LocalCluster.Kind.RUNNEL;
        cluster = LocalCluster.start(system.label(), kind, home, size, dataDir, settings(system, home), id -> Map.of(), logOf);
    }

    /**
     * The same for both systems: three copies of every byte at Kafka's flat-out rate filled this
     * machine's 78 GB disk within a 6-minute run, so each partition keeps about its newest 1 GiB
     * (segments of 256 MiB, retention checked every 10 s). Consumers read at the tail, so this
     * changes what is on disk, not what is measured.
     */
    static final Map<String, String> DISK_BOUND = Map.of(
        "log.retention.bytes", Long.toString(1L << 30),
        "log.segment.bytes", Integer.toString(256 << 20),
        "log.retention.check.interval.ms", "10000");

    /** Every node's settings, before the cluster's own KRaft keys (node id, voters, listeners), which win over them. */
    static Map<String, String> settings(final SystemUnderTest system, final Path home) throws IOException
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        if (system.kind() == SystemUnderTest.Kind.KAFKA)
        {
            final Properties shipped = new Properties();
            try (Reader reader = Files.newBufferedReader(home.resolve("bench/apache-kafka/server.properties")))
            {
                shipped.load(reader);
            }
            final Map<String, String> sorted = new TreeMap<>();
            shipped.stringPropertyNames().forEach(key -> sorted.put(key, shipped.getProperty(key)));
            settings.putAll(sorted);
        }
        else
        {
            settings.put("runnel.replication.enable", "true");
            // As Kafka's nodes here (bench/apache-kafka/server.properties): the load runner commits no offsets.
            settings.put("offsets.topic.replication.factor", "1");
        }
        settings.putAll(DISK_BOUND);
        settings.putAll(system.overrides());
        return settings;
    }

    @Override
    public String bootstrap()
    {
        return cluster.bootstrap();
    }

    @Override
    public List<Long> pids()
    {
        return cluster.pids();
    }

    @Override
    public Path dataDir()
    {
        return dataDir;
    }

    @Override
    public List<Path> logs()
    {
        return IntStream.rangeClosed(1, size).mapToObj(logOf).toList();
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        if (cluster != null)
        {
            cluster.close();
        }
        BrokerProcess.deleteRecursively(dataDir);
    }
}
