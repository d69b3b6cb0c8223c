package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.runnel.bench.cluster.BrokerLaunch;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka as a single combined broker+controller in KRaft mode, from the jars Maven resolved
 * into {@code bench/target/apache-kafka/lib}: the storage is formatted with a fresh cluster id, then
 * {@code kafka.Kafka} runs with the JVM options kafka-server-start.sh would give it.
 */
final class ApacheKafkaProcess extends BrokerProcess
{
    /** kafka-run-class.sh's defaults for the broker (KAFKA_HEAP_OPTS and KAFKA_JVM_PERFORMANCE_OPTS), as a cluster's nodes get them. */
    static final List<String> DEFAULT_JVM_OPTIONS = BrokerLaunch.KAFKA_JVM_OPTIONS;

    private final Path home;
    private final Path kafkaLib;
    private final Map<String, String> overrides;
    private final List<String> jvmOptions;

    ApacheKafkaProcess(final Path home, final Path kafkaLib, final Path dataDir, final int port, final Path logFile,
        final Map<String, String> overrides, final List<String> jvmOptions)
    {
        super(dataDir, port, logFile);
        this.home = home;
        this.kafkaLib = kafkaLib;
        this.overrides = overrides;
        this.jvmOptions = jvmOptions;
    }

    @Override
    String name()
    {
        return "Apache Kafka";
    }

    @Override
    protected ProcessBuilder command() throws IOException
    {
        BrokerLaunch.requireKafkaLib(kafkaLib);
        final Path config = dataDir.resolve("server.properties");
        final StringBuilder properties = new StringBuilder(Files.readString(home.resolve("bench/apache-kafka/server.properties")));
        properties.append("\nlog.dirs=").append(dataDir.resolve("log"))
            .append("\nlisteners=PLAINTEXT://127.0.0.1:").append(port).append(",CONTROLLER://127.0.0.1:").append(port + 1)
            .append("\nadvertised.listeners=PLAINTEXT://127.0.0.1:").append(port)
            .append("\ncontroller.quorum.voters=1@127.0.0.1:").append(port + 1).append('\n');
        overrides.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Files.writeString(config, properties);
        // A broker restarted on its data folder (CleanerLatency's fallback) keeps its cluster id.
        BrokerLaunch.formatKafkaStorage(kafkaLib, Uuid.randomUuid().toString(), config, logFile);

        final List<String> command = new ArrayList<>(List.of(BrokerLaunch.java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", kafkaLib + "/*", "kafka.Kafka", config.toString()));
        return new ProcessBuilder(command);
    }
}
