package io.runnel.broker.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.tools.DumpLogSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * log.preallocate=true under the fsync policy: the active segment runs ahead of its data on disk,
 * yet after a clean shutdown Kafka's own kafka-dump-log reads every segment to its last byte, and
 * a restart serves every record.
 */
class PreallocatedSegmentsTest
{
    private static final int RECORDS = 3000;
    private static final int SEGMENT_BYTES = 256 * 1024;
    private static final Pattern BATCH_LINE = Pattern.compile("baseOffset: (\\d+) lastOffset: (\\d+) count: (\\d+)");

    @TempDir
    Path dataDir;

    private static List<Path> segmentFiles(final Path partitionDir) throws Exception
    {
        try (Stream<Path> files = Files.list(partitionDir))
        {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
    }

    /** kafka-dump-log --files FILE, in this JVM, its standard output captured. */
    private static String dumpLog(final Path file) throws Exception
    {
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        Exit.setExitProcedure((status, message) ->
        {
            throw new AssertionError("kafka-dump-log exited with " + status + ": " + message + "\n" + captured);
        });
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8))
        {
            System.setOut(capture);
            DumpLogSegments.main(new String[] {"--files", file.toString()});
        }
        finally
        {
            System.setOut(stdout);
            Exit.resetExitProcedure();
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void preallocatedSegmentsAreReadByKafkaDumpLogAfterACleanShutdownAndServedAfterARestart() throws Exception
    {
        final Map<String, String> settings = Map.of("runnel.flush.policy", "fsync", "log.preallocate", "true",
            "log.segment.bytes", String.valueOf(SEGMENT_BYTES));
        final Path partitionDir = dataDir.resolve("prealloc-0");
        try (TestBroker broker = TestBroker.start(dataDir, settings))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("prealloc", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("acks", "all", "linger.ms", "1")))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>("prealloc", 0, null, new byte[256]));
                }
                producer.flush();
            }
            final List<Path> live = segmentFiles(partitionDir);
            assertTrue(live.size() > 2, "segments: " + live);
            assertEquals(SEGMENT_BYTES, Files.size(live.get(live.size() - 1)), "the active segment is allocated ahead of its data");
        }

        long records = 0;
        for (final Path segment : segmentFiles(partitionDir))
        {
            final String output = dumpLog(segment);
            assertFalse(output.contains("invalid bytes") || output.contains("Exception"), segment + ":\n" + output);
            final Matcher batches = BATCH_LINE.matcher(output);
            while (batches.find())
            {
                records += Long.parseLong(batches.group(3));
            }
        }
        assertEquals(RECORDS, records, "kafka-dump-log counts every record in the trimmed segments");

        try (TestBroker restarted = TestBroker.start(dataDir, settings);
            KafkaConsumer<byte[], byte[]> consumer = restarted.consumer(Map.of()))
        {
            final TopicPartition partition = new TopicPartition("prealloc", 0);
            consumer.assign(List.of(partition));
            int read = 0;
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read < RECORDS && System.nanoTime() < deadline)
            {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertEquals(RECORDS, read);
        }
    }
}
