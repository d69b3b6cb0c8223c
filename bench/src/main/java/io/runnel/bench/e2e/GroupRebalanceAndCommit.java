package io.runnel.bench.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumer-group figures against any Kafka-API broker, with stock kafka-clients consumers:
 * how long it takes for N consumers that subscribe together to own every partition exactly once,
 * each with an even share
 * (classic protocol, and KIP-848 with {@code --protocol consumer}), and how many synchronous
 * offset commits per second one member gets. Bounded in count and time; prints JSON.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.runnel.bench.e2e.GroupRebalanceAndCommit \
 *   --bootstrap 127.0.0.1:9092 --consumers 10 --partitions 30 --commits 20000 --out groups.json
 * </pre>
 */
public final class GroupRebalanceAndCommit
{
    private GroupRebalanceAndCommit()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        final String bootstrap = options.getOrDefault("bootstrap", "127.0.0.1:9092");
        final int consumers = Integer.parseInt(options.getOrDefault("consumers", "10"));
        final int partitions = Integer.parseInt(options.getOrDefault("partitions", "30"));
        final int commits = Integer.parseInt(options.getOrDefault("commits", "20000"));
        final String protocol = options.getOrDefault("protocol", "classic");
        final String topic = "groups-bench-" + System.currentTimeMillis();

        final Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps))
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(30, TimeUnit.SECONDS);
        }

        final List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
        final long joinStart = System.nanoTime();
        for (int i = 0; i < consumers; i++)
        {
            final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap, topic + "-group", protocol));
            consumer.subscribe(List.of(topic));
            members.add(consumer);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean balanced = false;
        while (!balanced && System.nanoTime() < deadline)
        {
            final Set<TopicPartition> owned = new HashSet<>();
            int total = 0;
            boolean even = true;
            for (final KafkaConsumer<byte[], byte[]> consumer : members)
            {
                consumer.poll(Duration.ofMillis(10));
                owned.addAll(consumer.assignment());
                total += consumer.assignment().size();
                final int size = consumer.assignment().size();
                even &= size >= partitions / consumers && size <= (partitions + consumers - 1) / consumers;
            }
            // Done when every partition has exactly one owner and every member has its even share.
            balanced = owned.size() == partitions && total == partitions && even;
        }
        final double rebalanceSeconds = (System.nanoTime() - joinStart) / 1e9;

        final KafkaConsumer<byte[], byte[]> committer = members.get(0);
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final TopicPartition partition : committer.assignment())
        {
            offsets.put(partition, new OffsetAndMetadata(0));
        }
        final long commitStart = System.nanoTime();
        final long commitDeadline = commitStart + TimeUnit.SECONDS.toNanos(120);
        int done = 0;
        for (; done < commits && System.nanoTime() < commitDeadline; done++)
        {
            final long offset = done;
            offsets.replaceAll((partition, old) -> new OffsetAndMetadata(offset));
            committer.commitSync(offsets);
        }
        final double commitSeconds = (System.nanoTime() - commitStart) / 1e9;
        members.forEach(KafkaConsumer::close);

        final String json = String.format("{\"bootstrap\": \"%s\", \"protocol\": \"%s\", \"consumers\": %d, \"partitions\": %d, " +
            "\"balanced\": %b, \"rebalanceSeconds\": %.3f, \"commits\": %d, \"partitionsPerCommit\": %d, \"commitsPerSecond\": %.1f}%n",
            bootstrap, protocol, consumers, partitions, balanced, rebalanceSeconds, done, offsets.size(), done / commitSeconds);
        System.out.print(json);
        if (options.containsKey("out"))
        {
            Files.writeString(Path.of(options.get("out")), json, StandardCharsets.UTF_8);
        }
    }

    private static Properties consumerProps(final String bootstrap, final String group, final String protocol)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }
}
