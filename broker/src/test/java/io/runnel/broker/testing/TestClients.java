package io.runnel.broker.testing;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Stock kafka-clients for tests, byte-array serialised: consumers start at the earliest offset
 * and commit only when told to. {@code extra} settings override the defaults.
 */
public final class TestClients
{
    private TestClients()
    {
    }

    public static KafkaProducer<byte[], byte[]> producer(final String bootstrap, final Map<String, Object> extra)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putAll(extra);
        return new KafkaProducer<>(props);
    }

    public static KafkaConsumer<byte[], byte[]> consumer(final String bootstrap, final Map<String, Object> extra)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(extra);
        return new KafkaConsumer<>(props);
    }

    public static Admin admin(final String bootstrap)
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(props);
    }

    /**
     * The topic as the AdminClient describes it once every partition has a leader. In a cluster
     * CreateTopics answers when the quorum has committed the topic, and the node the AdminClient
     * then asks (its least loaded one) may not have applied it yet: for a moment it does not know
     * the topic, as with Apache Kafka, so describing right after creating waits for that here.
     */
    public static TopicDescription describeOnceLed(final Admin admin, final String topic) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                final TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                if (described.partitions().stream().allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty()) ||
                    System.nanoTime() > deadline)
                {
                    return described;
                }
            }
            catch (final ExecutionException ex)
            {
                if (!(ex.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline)
                {
                    throw ex;
                }
            }
            Thread.sleep(100);
        }
    }
}
