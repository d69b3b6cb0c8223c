package io.runnel.bench.omb;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * An OpenMessaging Benchmark workload file, with OMB's field names and meanings.
 *
 * @param producerRate messages per second over all producers; 0 means as fast as possible
 */
public record Workload(
    String name,
    int topics,
    int partitionsPerTopic,
    String keyDistributor,
    int messageSize,
    String payloadFile,
    int subscriptionsPerTopic,
    int consumerPerSubscription,
    int producersPerTopic,
    double producerRate,
    double consumerBacklogSizeGB,
    double testDurationMinutes,
    double warmupDurationMinutes)
{
    private static final Set<String> FIELDS = Set.of("name", "topics", "partitionsPerTopic", "keyDistributor", "messageSize",
        "payloadFile", "subscriptionsPerTopic", "consumerPerSubscription", "producersPerTopic", "producerRate",
        "consumerBacklogSizeGB", "testDurationMinutes", "warmupDurationMinutes", "useRandomizedPayloads",
        "randomBytesRatio", "randomizedPayloadPoolSize");
    private static final Set<String> KEY_DISTRIBUTORS = Set.of("NO_KEY", "KEY_ROUND_ROBIN", "RANDOM_NANO");

    public static Workload read(final Path file)
    {
        final Map<String, Object> f = YamlFile.read(file, FIELDS);
        final Workload workload = new Workload(
            YamlFile.string(f, "name", file.getFileName().toString()),
            YamlFile.integer(f, "topics", 1, file),
            YamlFile.integer(f, "partitionsPerTopic", 1, file),
            YamlFile.string(f, "keyDistributor", "NO_KEY"),
            YamlFile.integer(f, "messageSize", 1024, file),
            YamlFile.string(f, "payloadFile", null),
            YamlFile.integer(f, "subscriptionsPerTopic", 1, file),
            YamlFile.integer(f, "consumerPerSubscription", 1, file),
            YamlFile.integer(f, "producersPerTopic", 1, file),
            YamlFile.number(f, "producerRate", 0, file),
            YamlFile.number(f, "consumerBacklogSizeGB", 0, file),
            YamlFile.number(f, "testDurationMinutes", 15, file),
            YamlFile.number(f, "warmupDurationMinutes", 1, file));
        if (!KEY_DISTRIBUTORS.contains(workload.keyDistributor()))
        {
            throw new BenchConfigException(file + ": keyDistributor must be one of " + KEY_DISTRIBUTORS);
        }
        if (workload.topics() < 1 || workload.partitionsPerTopic() < 1 || workload.producersPerTopic() < 0 ||
            workload.subscriptionsPerTopic() < 0 || workload.consumerPerSubscription() < 1 || workload.messageSize() < 1)
        {
            throw new BenchConfigException(file + ": topics, partitionsPerTopic, consumerPerSubscription and messageSize must be at least 1");
        }
        return workload;
    }
}
