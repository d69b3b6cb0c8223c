package io.runnel.broker.it.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GroupSmokeTest
{
    @TempDir
    Path dataDir;

    @Test
    void subscribedConsumerReadsEverythingAndCommitsSurviveRestart() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2")))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("g", 3, (short)1))).all().get();
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                for (int i = 0; i < 300; i++)
                {
                    producer.send(new ProducerRecord<>("g", i % 3, null, new byte[] {(byte)i}));
                }
                producer.flush();
            }
            final Set<Long> seen = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("group.id", "smoke")))
            {
                consumer.subscribe(List.of("g"));
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.size() < 300 && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                    {
                        seen.add(record.partition() * 1000L + record.offset());
                    }
                }
                consumer.commitSync();
            }
            assertEquals(300, seen.size());
            broker.restart();
            try (Admin admin = broker.admin())
            {
                final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("smoke")
                    .partitionsToOffsetAndMetadata().get();
                assertEquals(3, committed.size());
                committed.values().forEach(o -> assertEquals(100, o.offset()));
            }
        }
    }
}
