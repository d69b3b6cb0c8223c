package io.runnel.broker.it.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.runnel.broker.testing.TestBroker;
import io.runnel.broker.tools.DumpLogCommand;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.tools.DumpLogSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own kafka-dump-log (DumpLogSegments from kafka-tools, run in this JVM) reads the segment
 * files of a Runnel broker: every {@code .log} to the same batches as {@code bin/runnel dump-log}
 * (offsets, counts, positions, sizes, codecs, producer ids and sequences, valid CRCs), every
 * {@code .index} and {@code .timeindex} to the same entries, every record (deep iteration) to the same
 * offsets, keys and values, with no mismatch under
 * {@code --verify-index-only} and a pass under {@code --index-sanity-check}; the active segment's
 * preallocated indexes verify too while the broker runs.
 */
class KafkaDumpLogReadsRunnelSegmentsTest
{
    private static final String TOPIC = "dumped";
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    private static final int RECORDS_PER_PRODUCER = 120;
    /** Send this many records, then flush: several batches per producer, whatever the timing. */
    private static final int RECORDS_PER_FLUSH = 10;
    /** What Kafka's tool prints on stderr when an index or a log does not hold up. */
    private static final List<String> KAFKA_COMPLAINTS = List.of("Mismatches in", "mismatch", "out of order",
        "indexed offsets are not found", "Non-consecutive", "invalid bytes", "Exception");

    @TempDir
    Path dir;

    /** Standard output and error of one in-process run of a tool. */
    private record Output(String out, String err)
    {
        /** Lines of each file's section ("Dumping FILE" starts one), keyed by file name. */
        Map<String, List<String>> byFile()
        {
            final Map<String, List<String>> sections = new LinkedHashMap<>();
            List<String> current = null;
            for (final String line : out.split("\n"))
            {
                if (line.startsWith("Dumping "))
                {
                    current = new ArrayList<>();
                    sections.put(Path.of(line.substring("Dumping ".length()).trim()).getFileName().toString(), current);
                }
                else if (current != null)
                {
                    current.add(line);
                }
            }
            return sections;
        }
    }

    @Test
    @Timeout(180)
    void kafkasDumpLogReadsEverySegmentAndIndexOfRunnelAsRunnelsToolDoes() throws Exception
    {
        final Path data = dir.resolve("data");
        final Path partition = data.resolve(TOPIC + "-0");
        int produced = 0;
        try (TestBroker broker = TestBroker.start(data, Map.of("log.segment.bytes", "16384", "log.index.interval.bytes", "1024")))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1))).all().get();
            }
            for (final String codec : CODECS)
            {
                // Kafka 4 producers are idempotent by default: each codec's batches carry their own producer id.
                produced += produce(broker, codec, Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec));
            }
            produced += produce(broker, "plain", Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false", ProducerConfig.ACKS_CONFIG, "1"));

            // The active segment's indexes are preallocated while the broker runs; Kafka's check stops at their zeros.
            final List<Path> logs = files(partition, ".log");
            final String active = logs.get(logs.size() - 1).getFileName().toString().replace(".log", "");
            final Output whileRunning = kafkaDumpLog("--verify-index-only", "--files",
                partition.resolve(active + ".index") + "," + partition.resolve(active + ".timeindex"));
            assertNoComplaint(whileRunning);
            broker.stop();
        }

        final List<Path> logs = files(partition, ".log");
        final List<Path> indexes = new ArrayList<>(files(partition, ".index"));
        indexes.addAll(files(partition, ".timeindex"));
        assertTrue(logs.size() >= 3, "several segments at segment.bytes=16384: " + logs);

        final Output runnel = runnelDumpLog("--verify-index", partition);
        final Map<String, List<String>> runnelFiles = runnel.byFile();

        // .log: the same batches, field for field.
        final Output kafkaLogs = kafkaDumpLog("--files", join(logs));
        assertNoComplaint(kafkaLogs);
        final Map<String, List<String>> kafkaFiles = kafkaLogs.byFile();
        final Set<String> codecsSeen = new TreeSet<>();
        long records = 0;
        for (final Path log : logs)
        {
            final String name = log.getFileName().toString();
            final List<Map<String, String>> kafkaBatches = batches(kafkaFiles.get(name));
            final List<Map<String, String>> runnelBatches = batches(runnelFiles.get(name));
            assertTrue(!kafkaBatches.isEmpty(), "Kafka's tool found no batch in " + name + ":\n" + kafkaLogs.out());
            assertEquals(comparable(kafkaBatches), comparable(runnelBatches), "batches of " + name);
            for (final Map<String, String> batch : kafkaBatches)
            {
                assertEquals("true", batch.get("isvalid"), "Kafka checks the CRC of " + batch + " in " + name);
                codecsSeen.add(batch.get("compresscodec"));
                records += Long.parseLong(batch.get("count"));
            }
        }
        assertEquals(produced, records, "every record produced, in one batch or another");
        assertEquals(new TreeSet<>(CODECS), codecsSeen, "every codec");

        // Records: Kafka's deep iteration decompresses every batch to the offsets, keys and values Runnel's --print-data shows.
        final Output kafkaRecords = kafkaDumpLog("--deep-iteration", "--print-data-log", "--files", join(logs));
        assertNoComplaint(withoutSegmentStartGaps(kafkaRecords));
        final List<String> kafkaKeysAndValues = keysAndValues(kafkaRecords.out(), " payload: ", null);
        assertEquals(produced, kafkaKeysAndValues.size(), "records Kafka's tool printed");
        assertEquals(kafkaKeysAndValues, keysAndValues(runnelDumpLog("--print-data", partition).out(), " value: ", " headers: ["));

        // .index and .timeindex: the same entries, no mismatch, sane.
        final Output kafkaIndexes = kafkaDumpLog("--files", join(indexes));
        assertNoComplaint(kafkaIndexes);
        final Map<String, List<String>> kafkaIndexFiles = kafkaIndexes.byFile();
        for (final Path index : indexes)
        {
            final String name = index.getFileName().toString();
            final List<String> kafkaEntries = entries(kafkaIndexFiles.get(name));
            assertTrue(!kafkaEntries.isEmpty(), "entries in " + name + ":\n" + kafkaIndexes.out());
            assertEquals(kafkaEntries, entries(runnelFiles.get(name)), "entries of " + name);
        }
        assertNoComplaint(kafkaDumpLog("--verify-index-only", "--files", join(indexes)));
        final Output sanity = kafkaDumpLog("--index-sanity-check", "--files", join(indexes));
        assertNoComplaint(sanity);
        assertEquals(indexes.size(), sanity.out().lines().filter(line -> line.endsWith("passed sanity check.")).count(), sanity.out());
    }

    private static int produce(final TestBroker broker, final String tag, final Map<String, Object> settings) throws Exception
    {
        final Map<String, Object> config = new LinkedHashMap<>(settings);
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, "4096");
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(config))
        {
            for (int i = 0; i < RECORDS_PER_PRODUCER; i++)
            {
                final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TOPIC, 0, bytes(tag + "-key-" + i),
                    bytes(tag + "-value-" + i + "-" + "payload ".repeat(1 + i % 20)));
                record.headers().add(new RecordHeader("producer", bytes(tag)));
                producer.send(record);
                if ((i + 1) % RECORDS_PER_FLUSH == 0)
                {
                    producer.flush();
                }
            }
            producer.flush();
        }
        return RECORDS_PER_PRODUCER;
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The batch lines of one file's section, as field maps ("name: value" pairs; no value holds a space). */
    private static List<Map<String, String>> batches(final List<String> lines)
    {
        final List<Map<String, String>> batches = new ArrayList<>();
        for (final String line : lines == null ? List.<String>of() : lines)
        {
            if (line.startsWith("baseOffset: "))
            {
                final Map<String, String> fields = new LinkedHashMap<>();
                final String[] tokens = line.trim().split(" ");
                for (int i = 0; i + 1 < tokens.length; i += 2)
                {
                    fields.put(tokens[i].substring(0, tokens[i].length() - 1), tokens[i + 1]);
                }
                batches.add(fields);
            }
        }
        return batches;
    }

    /** The fields both tools print, in one order. */
    private static List<String> comparable(final List<Map<String, String>> batches)
    {
        final List<String> keys = List.of("baseOffset", "lastOffset", "count", "position", "size", "magic", "crc", "isvalid",
            "compresscodec", "CreateTime", "producerId", "producerEpoch", "baseSequence", "lastSequence",
            "isTransactional", "isControl", "partitionLeaderEpoch");
        final List<String> result = new ArrayList<>();
        for (final Map<String, String> batch : batches)
        {
            final StringBuilder line = new StringBuilder();
            for (final String key : keys)
            {
                line.append(key).append(": ").append(batch.get(key)).append(' ');
            }
            result.add(line.toString().trim());
        }
        return result;
    }

    /** The entry lines of an index file's section. */
    private static List<String> entries(final List<String> lines)
    {
        return (lines == null ? List.<String>of() : lines).stream()
            .filter(line -> line.startsWith("offset: ") || line.startsWith("timestamp: ")).map(String::trim).toList();
    }

    /**
     * Kafka's deep iteration starts every file at offset -1, so it reports a segment whose first record
     * is its base offset as "-1 is followed by <base>" (it does for Kafka's own segments): drop exactly
     * those reports, keep any other gap.
     */
    private static Output withoutSegmentStartGaps(final Output output)
    {
        final StringBuilder err = new StringBuilder();
        final String[] lines = output.err().split("\n");
        for (int i = 0; i < lines.length; i++)
        {
            final String header = "Non-consecutive offsets in ";
            if (lines[i].startsWith(header) && i + 1 < lines.length &&
                (i + 2 >= lines.length || !lines[i + 2].startsWith("  ")))
            {
                final String file = Path.of(lines[i].substring(header.length()).trim()).getFileName().toString();
                final long base = Long.parseLong(file.substring(0, file.indexOf('.')));
                if (lines[i + 1].trim().equals("-1 is followed by " + base))
                {
                    i++;
                    continue;
                }
            }
            err.append(lines[i]).append('\n');
        }
        return new Output(output.out(), err.toString());
    }

    private static void assertNoComplaint(final Output output)
    {
        for (final String complaint : KAFKA_COMPLAINTS)
        {
            assertTrue(!output.err().contains(complaint) && !output.out().contains(complaint),
                "Kafka's tool says '" + complaint + "':\n" + output.err() + "\n" + output.out());
        }
    }

    private static List<Path> files(final Path partition, final String suffix) throws Exception
    {
        try (Stream<Path> files = Files.list(partition))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String join(final List<Path> files)
    {
        return String.join(",", files.stream().map(Path::toString).toList());
    }

    /** "offset key value" of every record line ("| offset: N ... key: K <valueLabel>V[<valueEnd>...]"). */
    private static List<String> keysAndValues(final String output, final String valueLabel, final String valueEnd)
    {
        final List<String> records = new ArrayList<>();
        for (final String line : output.split("\n"))
        {
            final int keyAt = line.indexOf(" key: ");
            if (!line.startsWith("| offset: ") || keyAt < 0)
            {
                continue;
            }
            final int valueAt = line.indexOf(valueLabel, keyAt);
            final int end = valueEnd == null ? line.length() : line.indexOf(valueEnd, valueAt);
            final String offset = line.substring("| offset: ".length(), line.indexOf(' ', "| offset: ".length()));
            records.add(offset + " " + line.substring(keyAt + " key: ".length(), valueAt) + " " +
                line.substring(valueAt + valueLabel.length(), end).trim());
        }
        return records;
    }

    /** bin/runnel dump-log OPTION DIR, in this JVM. */
    private static Output runnelDumpLog(final String option, final Path partition)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int status = DumpLogCommand.run(new String[] {option, partition.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, status, "Runnel's dump-log: " + err + "\n" + out);
        return new Output(out.toString(), err.toString());
    }

    /** kafka-dump-log ARGS..., in this JVM, standard output and error captured. */
    private static synchronized Output kafkaDumpLog(final String... args) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        final PrintStream stderr = System.err;
        Exit.setExitProcedure((status, message) ->
        {
            throw new AssertionError("kafka-dump-log exited with " + status + ": " + message + "\n" + err);
        });
        try (PrintStream captureOut = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream captureErr = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            System.setOut(captureOut);
            System.setErr(captureErr);
            DumpLogSegments.main(args);
        }
        finally
        {
            System.setOut(stdout);
            System.setErr(stderr);
            Exit.resetExitProcedure();
        }
        return new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
