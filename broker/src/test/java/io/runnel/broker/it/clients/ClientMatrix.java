package io.runnel.broker.it.clients;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The round trip every client of the matrix goes through against a real broker, and its checks:
 * produce {@link #PER_LEVEL} keyed records per codec and per acks level, consume part of them with
 * a group and commit, then a second process with the same group consumes the rest. Every record
 * comes back exactly once, at consecutive offsets from 0 in each partition, each key in the order
 * it was produced; the second run starts exactly at the offsets the first committed, which the Java
 * AdminClient reads back too.
 */
final class ClientMatrix
{
    static final List<String> ALL_CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    static final List<String> ACKS = List.of("0", "1", "all");
    static final int PARTITIONS = 3;
    /** Records per (codec, acks level): enough for several batches per partition, cheap in CI. */
    static final int PER_LEVEL = 100;
    /** The drivers' key space: key {@code k(i % KEYS)} for the i-th record of a level. */
    private static final int KEYS = 7;
    private static final int ADMIN_RECORDS = 12;
    private static final Duration JAVA_POLL = Duration.ofMillis(500);
    private static final int JAVA_MAX_POLLS = 120;

    private ClientMatrix()
    {
    }

    /** The repository root: the first folder up from the working directory (broker/ under Maven) holding clients/. */
    static Path repositoryRoot()
    {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            if (Files.isDirectory(dir.resolve("clients")) && Files.isRegularFile(dir.resolve("bin/install-client-matrix")))
            {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (clients/, bin/install-client-matrix) above " + Path.of("").toAbsolutePath());
    }

    /** A consumed record as the drivers print it: {@code [partition, offset, key, value]}. */
    record Consumed(int partition, long offset, String key, String value)
    {
        static Consumed of(final JsonNode node)
        {
            return new Consumed(node.get(0).asInt(), node.get(1).asLong(), node.get(2).asText(), node.get(3).asText());
        }
    }

    /** What the drivers produce, in order: for each codec, for each acks level, values codec-acks-i under key k(i % KEYS). */
    static List<String[]> expected(final List<String> codecs)
    {
        final List<String[]> records = new ArrayList<>();
        for (final String codec : codecs)
        {
            for (final String acks : ACKS)
            {
                IntStream.range(0, PER_LEVEL).forEach(i -> records.add(new String[] {"k" + (i % KEYS), codec + "-" + acks + "-" + i}));
            }
        }
        return records;
    }

    /** Creates {@code topic}, has the driver produce into it and asserts every level reported every record delivered. */
    static void produce(final TestBroker broker, final Admin admin, final ClientDriver driver, final String topic,
        final List<String> codecs) throws ExecutionException, InterruptedException
    {
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short)1))).all().get();
        final ClientDriver.Run run = driver.run(broker.bootstrapServers(), topic, "-", "produce",
            String.valueOf(PER_LEVEL), String.join(",", codecs), String.join(",", ACKS));
        run.assertSucceeded(driver.name() + " produce");
        final JsonNode levels = run.result().get("produced");
        assertEquals(codecs.size() * ACKS.size(), levels.size(), "levels reported" + run.transcript());
        for (final JsonNode level : levels)
        {
            assertEquals(PER_LEVEL, level.get("delivered").asInt(),
                driver.name() + " delivered, " + level.get("codec").asText() + " acks=" + level.get("acks").asText() + run.transcript());
        }
    }

    /**
     * The whole round trip on a fresh topic: produce, consume {@code first} records and commit, then
     * resume in a new process and consume the rest. Returns the group's committed offsets after the first run.
     */
    static Map<Integer, Long> roundTrip(final TestBroker broker, final Admin admin, final ClientDriver driver, final String topic,
        final String group, final List<String> codecs) throws ExecutionException, InterruptedException
    {
        driver.assertInstalled();
        produce(broker, admin, driver, topic, codecs);
        final List<String[]> expected = expected(codecs);
        final int first = expected.size() / 2 + 1;

        final List<Consumed> firstRun = consume(broker, driver, topic, group, first);
        final Map<Integer, Long> committed = committedOffsets(admin, group, topic);
        assertEquals(nextOffsets(firstRun), committed,
            driver.name() + ": the offsets committed after the first run are those after the last record it consumed");

        final List<Consumed> secondRun = consume(broker, driver, topic, group, expected.size() - first);
        final Map<Integer, Long> resumedAt = new TreeMap<>();
        secondRun.forEach(r -> resumedAt.putIfAbsent(r.partition(), r.offset()));
        resumedAt.forEach((partition, offset) -> assertEquals(committed.getOrDefault(partition, 0L), offset,
            driver.name() + ": the second run resumes partition " + partition + " at the committed offset"));

        final List<Consumed> all = new ArrayList<>(firstRun);
        all.addAll(secondRun);
        assertConsecutivePerPartition(admin, driver, topic, all);
        assertEveryRecordOnceInKeyOrder(driver, expected, all);
        return committed;
    }

    /** For a codec a client produces but cannot fetch: the records it wrote, read back by the Java consumer. */
    static void assertJavaConsumerReads(final TestBroker broker, final String topic, final List<String> codecs)
    {
        final List<Consumed> read = new ArrayList<>();
        final int wanted = expected(codecs).size();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            consumer.assign(IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList());
            for (int poll = 0; poll < JAVA_MAX_POLLS && read.size() < wanted; poll++)
            {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(JAVA_POLL))
                {
                    read.add(new Consumed(r.partition(), r.offset(), new String(r.key(), StandardCharsets.UTF_8),
                        new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        assertEveryRecordOnceInKeyOrder(null, expected(codecs), read);
    }

    /**
     * A group for the admin calls to find: the Java producer writes a few records, the driver
     * consumes them with {@code group} and commits. Returns the committed offsets.
     */
    static Map<Integer, Long> groupWithCommittedOffsets(final TestBroker broker, final Admin admin, final ClientDriver driver,
        final String topic, final String group) throws ExecutionException, InterruptedException
    {
        driver.assertInstalled();
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short)1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            for (int i = 0; i < ADMIN_RECORDS; i++)
            {
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        consume(broker, driver, topic, group, ADMIN_RECORDS);
        return committedOffsets(admin, group, topic);
    }

    /**
     * The driver's admin phase created {@code topic} with {@link #PARTITIONS} partitions and deleted it
     * again, and its answers hold exactly {@code fields}, each as the broker has it: the topic's
     * cleanup.policy, {@code group} listed, described as an Empty consumer group, its committed offsets.
     */
    static void assertAdminResult(final Admin admin, final ClientDriver driver, final ClientDriver.Run run, final String topic,
        final String group, final String groupTopic, final Map<Integer, Long> committed, final List<String> fields)
        throws ExecutionException, InterruptedException
    {
        run.assertSucceeded(driver.name() + " admin");
        final JsonNode result = run.result();
        final List<String> reported = new ArrayList<>();
        result.fieldNames().forEachRemaining(reported::add);
        assertEquals(fields.stream().sorted().toList(), reported.stream().sorted().toList(), "fields reported" + run.transcript());
        final String context = run.transcript();
        assertEquals(topic, result.get("created").asText(), context);
        if (result.has("partitions"))
        {
            assertEquals(PARTITIONS, result.get("partitions").asInt(), "partitions described" + context);
        }
        if (result.has("cleanup.policy"))
        {
            assertEquals("delete", result.get("cleanup.policy").asText(), "cleanup.policy described" + context);
        }
        if (result.has("listed_groups"))
        {
            final List<String> listed = new ArrayList<>();
            result.get("listed_groups").forEach(g -> listed.add(g.asText()));
            assertTrue(listed.contains(group), group + " listed" + context);
        }
        if (result.has("groups"))
        {
            final JsonNode described = result.get("groups").get(group);
            assertTrue(described != null, group + " described" + context);
            assertEquals("Empty", described.get("state").asText(), "group state" + context);
            assertEquals("consumer", described.get("protocol_type").asText(), "group protocol type" + context);
        }
        if (result.has("offsets"))
        {
            final Map<String, Long> expected = new TreeMap<>();
            committed.forEach((p, o) -> expected.put(groupTopic + "-" + p, o));
            final Map<String, Long> offsets = new TreeMap<>();
            result.get("offsets").fields().forEachRemaining(e -> offsets.put(e.getKey(), e.getValue().asLong()));
            assertEquals(expected, offsets, "committed offsets fetched" + context);
        }
        assertTrue(!admin.listTopics().names().get().contains(topic), topic + " deleted" + context);
    }

    static List<Consumed> consume(final TestBroker broker, final ClientDriver driver, final String topic, final String group,
        final int count)
    {
        final ClientDriver.Run run = driver.run(broker.bootstrapServers(), topic, group, "consume", String.valueOf(count));
        run.assertSucceeded(driver.name() + " consume " + count);
        final List<Consumed> records = new ArrayList<>();
        run.result().get("records").forEach(node -> records.add(Consumed.of(node)));
        assertEquals(count, records.size(), driver.name() + " records consumed" + run.transcript());
        return records;
    }

    static Map<Integer, Long> committedOffsets(final Admin admin, final String group, final String topic)
        throws ExecutionException, InterruptedException
    {
        final Map<Integer, Long> offsets = new TreeMap<>();
        final Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        committed.forEach((tp, om) ->
        {
            if (tp.topic().equals(topic) && om != null)
            {
                offsets.put(tp.partition(), om.offset());
            }
        });
        return offsets;
    }

    private static Map<Integer, Long> nextOffsets(final List<Consumed> records)
    {
        final Map<Integer, Long> next = new TreeMap<>();
        records.forEach(r -> next.merge(r.partition(), r.offset() + 1, Math::max));
        return next;
    }

    /** Each partition was read from offset 0 to its end offset, each offset once, in order: nothing skipped, nothing twice. */
    private static void assertConsecutivePerPartition(final Admin admin, final ClientDriver driver, final String topic,
        final List<Consumed> records) throws ExecutionException, InterruptedException
    {
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        IntStream.range(0, PARTITIONS).forEach(p -> latest.put(new TopicPartition(topic, p), OffsetSpec.latest()));
        final var ends = admin.listOffsets(latest).all().get();
        for (int partition = 0; partition < PARTITIONS; partition++)
        {
            final int p = partition;
            final List<Long> offsets = records.stream().filter(r -> r.partition() == p).map(Consumed::offset).toList();
            final long end = ends.get(new TopicPartition(topic, p)).offset();
            assertEquals(LongStream.range(0, end).boxed().toList(), offsets, driver.name() + ": offsets read from partition " + p + " (end offset " + end + ")");
        }
    }

    /**
     * The records read are exactly those produced, each once; the records of one key all sit in one
     * partition, each producer's (one per codec and acks level) in the order it sent them. Across
     * producers there is no order to expect: an acks=0 producer may exit while its last request is still
     * on its way, and the next producer's connection can overtake it. On a mismatch the message names,
     * per codec and acks level, how many records are missing or extra.
     */
    private static void assertEveryRecordOnceInKeyOrder(final ClientDriver driver, final List<String[]> expected,
        final List<Consumed> records)
    {
        final String who = driver == null ? "Java consumer" : driver.name();
        final Map<String, List<String>> expectedByKey = new TreeMap<>();
        expected.forEach(r -> expectedByKey.computeIfAbsent(r[0] + " " + level(r[1]), k -> new ArrayList<>()).add(r[1]));
        final List<Consumed> inLogOrder = new ArrayList<>(records);
        inLogOrder.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
        final Map<String, List<String>> readByKey = new TreeMap<>();
        final Map<String, Integer> partitionOfKey = new HashMap<>();
        for (final Consumed r : inLogOrder)
        {
            readByKey.computeIfAbsent(r.key() + " " + level(r.value()), k -> new ArrayList<>()).add(r.value());
            final Integer previous = partitionOfKey.putIfAbsent(r.key(), r.partition());
            assertTrue(previous == null || previous == r.partition(), who + ": key " + r.key() + " is in partitions " + previous + " and " + r.partition());
        }
        if (!expectedByKey.equals(readByKey))
        {
            fail(who + ": records read differ from those produced: " + differencesPerLevel(expected, records)
                + firstOrderDifference(expectedByKey, readByKey, inLogOrder));
        }
    }

    private static String differencesPerLevel(final List<String[]> expected, final List<Consumed> records)
    {
        final Map<String, Integer> balance = new LinkedHashMap<>();
        expected.forEach(r -> balance.merge(level(r[1]), 1, Integer::sum));
        records.forEach(r -> balance.merge(level(r.value()), -1, Integer::sum));
        final StringBuilder message = new StringBuilder();
        balance.forEach((level, missing) -> message.append(level).append(missing == 0 ? ": all read once" : missing > 0
            ? ": " + missing + " missing" : ": " + -missing + " extra").append("; "));
        return message + "(duplicates or order within a key also count)";
    }

    /** Where the first (key, level) whose records differ departs from production order, with the offsets around it. */
    private static String firstOrderDifference(final Map<String, List<String>> expectedByKey, final Map<String, List<String>> readByKey,
        final List<Consumed> inLogOrder)
    {
        for (final Map.Entry<String, List<String>> key : expectedByKey.entrySet())
        {
            final List<String> wanted = key.getValue();
            final List<String> read = readByKey.getOrDefault(key.getKey(), List.of());
            int at = 0;
            while (at < Math.min(wanted.size(), read.size()) && wanted.get(at).equals(read.get(at)))
            {
                at++;
            }
            if (at < Math.max(wanted.size(), read.size()))
            {
                final int from = Math.max(0, at - 2);
                final String atValue = at < read.size() ? read.get(at) : null;
                final List<Consumed> around = inLogOrder.stream().filter(r -> (r.key() + " " + level(r.value())).equals(key.getKey()))
                    .skip(from).limit(5).toList();
                return "\nkey " + key.getKey() + ", record " + at + ": produced " + wanted.subList(from, Math.min(wanted.size(), at + 3))
                    + ", read " + around + (atValue == null ? " (read ends there)" : "");
            }
        }
        return "";
    }

    /** "gzip-all-17" → "gzip acks=all". */
    private static String level(final String value)
    {
        final String[] parts = value.split("-");
        return parts.length < 3 ? value : parts[0] + " acks=" + parts[1];
    }
}
