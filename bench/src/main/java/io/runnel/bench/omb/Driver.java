package io.runnel.bench.omb;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** An OMB Kafka-driver file: client configs as properties text, and topic settings. */
public record Driver(String name, int replicationFactor, Properties topicConfig, Properties commonConfig,
    Properties producerConfig, Properties consumerConfig)
{
    private static final Set<String> FIELDS = Set.of("name", "driverClass", "replicationFactor", "reset", "topicConfig",
        "commonConfig", "producerConfig", "consumerConfig");

    public static Driver read(final Path file)
    {
        final Map<String, Object> f = YamlFile.read(file, FIELDS);
        return new Driver(
            YamlFile.string(f, "name", "Kafka"),
            YamlFile.integer(f, "replicationFactor", 1, file),
            properties(f, "topicConfig", file),
            properties(f, "commonConfig", file),
            properties(f, "producerConfig", file),
            properties(f, "consumerConfig", file));
    }

    /** Overrides the bootstrap servers (the harness starts each broker on its own port). */
    public Driver withBootstrap(final String bootstrap)
    {
        final Properties common = new Properties();
        common.putAll(commonConfig);
        common.setProperty("bootstrap.servers", bootstrap);
        return new Driver(name, replicationFactor, topicConfig, common, producerConfig, consumerConfig);
    }

    private static Properties properties(final Map<String, Object> fields, final String key, final Path file)
    {
        final Properties properties = new Properties();
        final Object value = fields.get(key);
        if (value != null)
        {
            try
            {
                properties.load(new StringReader(value.toString()));
            }
            catch (final IOException ex)
            {
                throw new BenchConfigException(file + ": " + key + " is not in properties format");
            }
        }
        return properties;
    }
}
