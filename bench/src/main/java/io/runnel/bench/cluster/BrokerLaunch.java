package io.runnel.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.runnel.bench.omb.BenchConfigException;

/**
 * What every broker process the benches start shares, one node or a cluster's: the JVM options each
 * system gets, the java executable, where Apache Kafka's jars are and how its storage is formatted.
 */
public final class BrokerLaunch
{
    /** kafka-run-class.sh's defaults for the broker (KAFKA_HEAP_OPTS and KAFKA_JVM_PERFORMANCE_OPTS). */
    public static final List<String> KAFKA_JVM_OPTIONS = List.of("-Xmx1g", "-Xms1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");
    /** Kafka's heap, so that neither system has more memory to work with. */
    public static final List<String> RUNNEL_JVM_OPTIONS = List.of("-Xmx1g", "-Xms1g");
    /**
     * Set for every {@code bin/runnel broker} a bench starts: it runs the broker jar there is, not one rebuilt because a
     * source was saved since (by anyone, in that checkout) — which would change the code between runs, and set a
     * cluster's nodes building the same tree at once (seen: three concurrent builds broke each other's classes).
     */
    public static final String NO_REBUILD = "RUNNEL_NO_REBUILD";

    private BrokerLaunch()
    {
    }

    /** The java of the JVM running the bench: brokers run on the same JDK as the load. */
    public static String java()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Apache Kafka's broker and runtime jars in a checkout, as bin/runnel bench fetches them; refused when they are not there. */
    public static Path kafkaLib(final Path home)
    {
        return requireKafkaLib(home.resolve("bench/target/apache-kafka/lib"));
    }

    public static Path requireKafkaLib(final Path kafkaLib)
    {
        if (!Files.isDirectory(kafkaLib))
        {
            throw new BenchConfigException("Apache Kafka is not in " + kafkaLib + "; bin/runnel bench fetches it from Maven Central");
        }
        return kafkaLib;
    }

    /**
     * kafka-storage.sh format of the log folders {@code config} names, with {@code clusterId}; its output goes to
     * {@code log}. A folder already formatted is left as it is, so a node restarted on its data keeps its cluster id.
     */
    public static void formatKafkaStorage(final Path kafkaLib, final String clusterId, final Path config, final Path log) throws IOException
    {
        final Process format = new ProcessBuilder(java(), "-cp", kafkaLib + "/*", "kafka.tools.StorageTool", "format", "-t", clusterId,
            "-c", config.toString(), "--ignore-formatted")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try
        {
            if (format.waitFor() != 0)
            {
                throw new BenchConfigException("formatting Apache Kafka's storage failed; see " + log);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting Kafka storage", ex);
        }
    }
}
