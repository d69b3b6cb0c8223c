package io.runnel.broker.it.clients.legacy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A round trip through whichever kafka-clients is on the class path. {@link LegacyJavaClientsTest} runs it in
 * a child JVM whose class path is an old client's jars plus this class alone, so the old client is the one on
 * the wire. It is compiled against 4.x but calls only API that 2.8 already has (the exceptions go
 * through {@link #topicDescriptions} and {@link #alterConfigs}), and it references no other Runnel class.
 *
 * <p>Commands, each printing one line per fact as {@code <kind> key=value ...} on stdout (no value holds a space),
 * and {@code version client=<x>} first, so the test can tell which client answered:
 * <ul>
 * <li>{@code produce <bootstrap> <first> <count> <create>}: with {@code create=true}, creates one topic per codec
 * through AdminClient; then, for every codec and acks 0, 1 and all (idempotent), one producer sends keyed records
 * {@code first..first+count-1}, one {@code sent} line per record in send order;</li>
 * <li>{@code consume <bootstrap> <group> <expected>}: a classic-protocol group member subscribed to every codec
 * topic reads until {@code expected} records (one {@code record} line each), commits, prints its
 * {@code position}s and leaves;</li>
 * <li>{@code admin <bootstrap> <group>}: creates, describes and deletes topics, describes the cluster and a
 * topic's configs, replaces them (AlterConfigs), lists and describes groups, lists the group's offsets and the codec topics' offsets.</li>
 * </ul>
 * Any failure prints {@code error ...}, its stack trace on stderr, and exits 1.
 */
public final class LegacyJavaClientDriver
{
    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    static final List<String> ACKS = List.of("0", "1", "all");
    static final int PARTITIONS = 3;
    /** Fewer keys than records, so every key lands several times and must keep its partition. */
    static final int KEYS = 7;
    static final String TOPIC_PREFIX = "legacy-";
    static final String ADMIN_TOPIC = "legacy-admin";
    static final String DOOMED_TOPIC = "legacy-doomed";
    static final String ADMIN_TOPIC_RETENTION_MS = "3600000";
    static final int ADMIN_TOPIC_PARTITIONS = 2;
    /** What AlterConfigs sets as the admin topic's only override (replacing its retention.ms). */
    static final String ALTERED_MAX_MESSAGE_BYTES = "4096";
    private static final long TIMEOUT_SECONDS = 60;
    /** Bounds a producer's close, which otherwise waits for an I/O thread that may have died. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** A last poll after the expected count, so a duplicate delivered right behind it is seen too. */
    private static final Duration TRAILING_POLL = Duration.ofMillis(500);

    private LegacyJavaClientDriver()
    {
    }

    static String topic(final String codec)
    {
        return TOPIC_PREFIX + codec;
    }

    static String key(final int seq)
    {
        return "key-" + seq % KEYS;
    }

    static String value(final String acks, final int seq)
    {
        return acks + "-" + seq;
    }

    public static void main(final String[] args)
    {
        int status = 0;
        try
        {
            System.out.println("version client=" + clientVersion());
            switch (args[0])
            {
                case "produce" -> produce(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Boolean.parseBoolean(args[4]));
                case "consume" -> consume(args[1], args[2], Integer.parseInt(args[3]));
                case "admin" -> admin(args[1], args[2]);
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        }
        catch (final Throwable ex)
        {
            System.out.println("error class=" + ex.getClass().getName() + " message=" + String.valueOf(ex.getMessage()).replace(' ', '_'));
            ex.printStackTrace();
            status = 1;
        }
        System.out.flush();
        // Client threads must not keep the JVM up after a failure.
        System.exit(status);
    }

    private static void produce(final String bootstrap, final int first, final int count, final boolean create) throws Exception
    {
        if (create)
        {
            try (AdminClient admin = admin(bootstrap))
            {
                final List<NewTopic> topics = new ArrayList<>();
                CODECS.forEach(codec -> topics.add(new NewTopic(topic(codec), PARTITIONS, (short)1)));
                admin.createTopics(topics).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        for (final String codec : CODECS)
        {
            for (final String acks : ACKS)
            {
                final Properties props = new Properties();
                props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                props.put(ProducerConfig.ACKS_CONFIG, acks);
                props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
                // Explicit both ways: 2.x defaults to not idempotent, 3.x to idempotent; idempotence needs acks=all.
                props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, String.valueOf("all".equals(acks)));
                // Batches of several records, so the codecs compress more than one record at a time.
                props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
                props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                final KafkaProducer<String, String> producer = new KafkaProducer<>(props);
                try
                {
                    final List<Future<RecordMetadata>> sends = new ArrayList<>();
                    for (int seq = first; seq < first + count; seq++)
                    {
                        sends.add(producer.send(new ProducerRecord<>(topic(codec), key(seq), value(acks, seq))));
                    }
                    // No flush(): it has no bound either (a producer whose I/O thread died on an unsupported version hangs there).
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
                    for (int i = 0; i < sends.size(); i++)
                    {
                        final RecordMetadata metadata = sends.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        final int seq = first + i;
                        System.out.println("sent topic=" + metadata.topic() + " partition=" + metadata.partition() +
                            " offset=" + metadata.offset() + " key=" + key(seq) + " value=" + value(acks, seq));
                    }
                }
                finally
                {
                    producer.close(CLOSE_TIMEOUT);
                }
            }
        }
    }

    private static void consume(final String bootstrap, final String group, final int expected)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // The classic group protocol (JoinGroup/SyncGroup): the only one before 3.7, the default up to 3.9.
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props))
        {
            final List<String> topics = new ArrayList<>();
            CODECS.forEach(codec -> topics.add(topic(codec)));
            consumer.subscribe(topics);
            int received = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (received < expected && System.nanoTime() < deadline)
            {
                received += print(consumer.poll(Duration.ofMillis(200)));
            }
            received += print(consumer.poll(TRAILING_POLL));
            consumer.commitSync(Duration.ofSeconds(TIMEOUT_SECONDS));
            final List<TopicPartition> assigned = new ArrayList<>(consumer.assignment());
            assigned.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            for (final TopicPartition partition : assigned)
            {
                System.out.println("position topic=" + partition.topic() + " partition=" + partition.partition() +
                    " offset=" + consumer.position(partition));
            }
            System.out.println("consumed count=" + received);
        }
    }

    private static int print(final Iterable<ConsumerRecord<String, String>> records)
    {
        int count = 0;
        for (final ConsumerRecord<String, String> record : records)
        {
            System.out.println("record topic=" + record.topic() + " partition=" + record.partition() + " offset=" +
                record.offset() + " key=" + record.key() + " value=" + record.value());
            count++;
        }
        return count;
    }

    @SuppressWarnings("deprecation") // ConsumerGroupDescription.state(): 4.x's groupState() does not exist in 2.8
    private static void admin(final String bootstrap, final String group) throws Exception
    {
        try (AdminClient admin = admin(bootstrap))
        {
            final NewTopic adminTopic = new NewTopic(ADMIN_TOPIC, ADMIN_TOPIC_PARTITIONS, (short)1)
                .configs(Map.of("retention.ms", ADMIN_TOPIC_RETENTION_MS));
            admin.createTopics(List.of(adminTopic, new NewTopic(DOOMED_TOPIC, 1, (short)1))).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            System.out.println("topics names=" + sorted(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)));

            for (final TopicDescription description : topicDescriptions(admin.describeTopics(List.of(ADMIN_TOPIC, DOOMED_TOPIC))))
            {
                System.out.println("topic name=" + description.name() + " partitions=" + description.partitions().size() +
                    " leader=" + description.partitions().get(0).leader().id() + " internal=" + description.isInternal());
            }

            final DescribeClusterResult cluster = admin.describeCluster();
            System.out.println("cluster id=" + cluster.clusterId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS) +
                " nodes=" + cluster.nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).size() +
                " controller=" + cluster.controller().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).id());

            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, ADMIN_TOPIC);
            final Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(resource);
            System.out.println("config topic=" + ADMIN_TOPIC + " retention.ms=" + config.get("retention.ms").value() +
                " cleanup.policy=" + config.get("cleanup.policy").value());

            alterConfigs(admin, resource, new Config(List.of(new ConfigEntry("max.message.bytes", ALTERED_MAX_MESSAGE_BYTES))));
            final Config altered = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(resource);
            System.out.println("altered topic=" + ADMIN_TOPIC + " max.message.bytes=" + altered.get("max.message.bytes").value() +
                " retention.ms=" + altered.get("retention.ms").value());

            final Set<String> groups = new HashSet<>();
            for (final ConsumerGroupListing listing : admin.listConsumerGroups().all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                groups.add(listing.groupId());
            }
            System.out.println("groups ids=" + sorted(groups));

            final ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(group);
            System.out.println("group id=" + described.groupId() + " state=" + described.state() +
                " members=" + described.members().size() + " coordinator=" + described.coordinator().id());

            final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            committed.forEach((partition, offset) -> System.out.println("committed topic=" + partition.topic() +
                " partition=" + partition.partition() + " offset=" + offset.offset()));

            if (hasListOffsets())
            {
                listOffsets(admin);
            }
            else
            {
                System.out.println("skipped step=listOffsets");
            }

            admin.deleteTopics(List.of(DOOMED_TOPIC)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            System.out.println("deleted topic=" + DOOMED_TOPIC +
                " remaining=" + sorted(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)));
        }
    }

    private static void listOffsets(final AdminClient admin) throws Exception
    {
        final Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (final String codec : CODECS)
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                earliest.put(new TopicPartition(topic(codec), p), OffsetSpec.earliest());
                latest.put(new TopicPartition(topic(codec), p), OffsetSpec.latest());
            }
        }
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        for (final TopicPartition partition : latest.keySet())
        {
            System.out.println("offsets topic=" + partition.topic() + " partition=" + partition.partition() +
                " earliest=" + starts.get(partition).offset() + " latest=" + ends.get(partition).offset());
        }
    }

    /** Admin.listOffsets arrived in 2.5 (KIP-396): an older client skips that step and says so. */
    /** Admin.alterConfigs, which every old client has and kafka-clients 4 removed: called by name, since this compiles against 4.x. */
    private static void alterConfigs(final AdminClient admin, final ConfigResource resource, final Config config) throws Exception
    {
        final Object result = AdminClient.class.getMethod("alterConfigs", Map.class).invoke(admin, Map.of(resource, config));
        final KafkaFuture<?> all = (KafkaFuture<?>)result.getClass().getMethod("all").invoke(result);
        all.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static boolean hasListOffsets()
    {
        try
        {
            AdminClient.class.getMethod("listOffsets", Map.class);
            return true;
        }
        catch (final NoSuchMethodException ex)
        {
            return false;
        }
    }

    private static AdminClient admin(final String bootstrap)
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return AdminClient.create(props);
    }

    /**
     * DescribeTopicsResult has no accessor common to 2.8 and 4.x: 2.8 has {@code all()}, 3.1 added
     * {@code allTopicNames()}, 4.0 removed {@code all()}. So the name is looked up at run time.
     */
    @SuppressWarnings("unchecked")
    private static Collection<TopicDescription> topicDescriptions(final DescribeTopicsResult result) throws Exception
    {
        KafkaFuture<Map<String, TopicDescription>> all;
        try
        {
            all = (KafkaFuture<Map<String, TopicDescription>>)DescribeTopicsResult.class.getMethod("allTopicNames").invoke(result);
        }
        catch (final NoSuchMethodException ex)
        {
            all = (KafkaFuture<Map<String, TopicDescription>>)DescribeTopicsResult.class.getMethod("all").invoke(result);
        }
        catch (final InvocationTargetException ex)
        {
            throw (Exception)ex.getCause();
        }
        return new TreeMap<>(all.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).values();
    }

    /** From the properties file every kafka-clients jar carries (AppInfoParser changed package in 4.0). */
    private static String clientVersion() throws IOException
    {
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties"))
        {
            final Properties props = new Properties();
            props.load(in);
            return props.getProperty("version");
        }
    }

    private static String sorted(final Collection<String> names)
    {
        return String.join(",", new TreeSet<>(names));
    }
}
