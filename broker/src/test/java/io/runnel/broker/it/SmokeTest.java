package io.runnel.broker.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest
{
    @TempDir
    Path dataDir;

    @Test
    void producedRecordsAreConsumedBack() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("runnel.shards", "2")))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("smoke", 2, (short)1))).all().get();
                assertEquals(Set.of("smoke"), admin.listTopics().names().get());
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < 100; i++)
                {
                    final RecordMetadata metadata = producer.send(new ProducerRecord<>("smoke", i % 2, null,
                        ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
                    assertEquals(i / 2, metadata.offset());
                }
            }
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
            {
                consumer.assign(List.of(new TopicPartition("smoke", 0), new TopicPartition("smoke", 1)));
                final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (records.size() < 100 && System.nanoTime() < deadline)
                {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
                assertEquals(100, records.size());
            }
        }
    }
}
