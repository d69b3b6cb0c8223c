package io.runnel.broker.it.crash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import io.runnel.broker.testing.ChildBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crash consistency of a single node, with the broker in a child JVM killed by SIGKILL: every
 * acknowledged record survives (acks=all on the page-cache policy means "in the OS page cache",
 * which a process crash does not lose), recovery cuts a torn or corrupt tail back to the last
 * intact batch, and a clean SIGTERM shutdown leaves the marker that lets the next start skip
 * recovery.
 */
class KillNineRecoveryTest
{
    private static final String CLEAN_SHUTDOWN_MARKER = ".runnel-clean-shutdown";
    private static final String RECOVERY_WARNING = "no clean-shutdown marker";
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_RECORDS_PER_ROUND = 200_000;
    private static final Duration MAX_SEND_TIME_PER_ROUND = Duration.ofSeconds(20);
    private static final Duration KILL_AFTER = Duration.ofSeconds(4);
    private static final String PADDING = "x".repeat(80);

    @TempDir
    Path root;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything()
    {
        Collections.reverse(resources);
        for (final AutoCloseable resource : resources)
        {
            try
            {
                resource.close();
            }
            catch (final Exception ex)
            {
                System.err.println("clean-up: " + ex);
            }
        }
        resources.clear();
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    private ChildBroker startChild(final Path dataDir, final Map<String, String> overrides) throws IOException
    {
        return track(ChildBroker.start(dataDir, overrides));
    }

    // ---------------------------------------------------------------------------------------------
    // a. kill -9 while a producer is sending
    // ---------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordSurvivesKillNine() throws Exception
    {
        final String topic = "crash";
        final int partitions = 3;
        final Path dataDir = root.resolve("data");
        // Small segments so that rolls (and producer-state snapshots) happen under load and the
        // recovered active segment is not the only one.
        final Map<String, String> overrides = Map.of("runnel.shards", "2", "log.segment.bytes", "1048576");
        ChildBroker broker = startChild(dataDir, overrides);
        createTopic(broker, topic, partitions);

        final Acks acked = new Acks();
        final long[] killAfterAcks = {50_000, 120_000, 80_000};
        final long budgetEnd = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int round = 0;
        while (round < 2 || (round < killAfterAcks.length && System.nanoTime() < budgetEnd - Duration.ofSeconds(20).toNanos()))
        {
            final long ackedBefore = acked.count();
            final RoundStats stats = produceAndKill(broker, topic, round, killAfterAcks[round], acked);
            System.out.printf("round %d: sent %d, acked %d, failed %d, sender still sending at kill: %b, killed after %d ms%n",
                round, stats.sent, stats.acked, stats.failed, stats.senderAliveAtKill, stats.killAfterMs);
            assertTrue(stats.acked > 0, "round " + round + ": nothing was acknowledged before the kill");
            assertTrue(stats.sent > stats.acked, "round " + round + ": every send was acknowledged, the kill came too late");
            assertEquals(ackedBefore + stats.acked, acked.count());
            assertTrue(acked.conflicts().isEmpty(), "two records acknowledged at the same offset: " + acked.conflicts());
            assertFalse(Files.exists(dataDir.resolve(CLEAN_SHUTDOWN_MARKER)), "a SIGKILLed broker left a clean-shutdown marker");

            broker = startChild(dataDir, overrides);
            assertTrue(broker.output().contains(RECOVERY_WARNING),
                "restart after kill -9 did not log the recovery warning; output:\n" + broker.outputTail(40));
            final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> log = consumeAll(broker, topic, partitions);
            verifyAcknowledgedRecordsPresent(log, acked, partitions);
            round++;
        }
        assertTrue(round >= 2, "fewer than two kill rounds ran");

        // The recovered broker accepts and serves new writes at the next offsets.
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> before = consumeAll(broker, topic, partitions);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            for (int p = 0; p < partitions; p++)
            {
                final long next = before.get(p).size();
                for (int i = 0; i < 10; i++)
                {
                    final String value = "after-" + p + "-" + i;
                    final RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, p, bytes("k" + i), bytes(value)))
                        .get(30, TimeUnit.SECONDS);
                    assertEquals(next + i, metadata.offset(), "partition " + p + ": new write after recovery");
                    acked.record(p, metadata.offset(), value);
                }
            }
        }
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> after = consumeAll(broker, topic, partitions);
        verifyAcknowledgedRecordsPresent(after, acked, partitions);
        for (int p = 0; p < partitions; p++)
        {
            assertEquals(before.get(p).size() + 10, after.get(p).size(), "partition " + p + " size after new writes");
        }
    }

    private record RoundStats(long sent, long acked, long failed, boolean senderAliveAtKill, long killAfterMs)
    {
    }

    /**
     * Sends keyed records from a background thread (bounded in count and time), kills the broker
     * with SIGKILL once {@code killAfterAcks} sends were acknowledged (or after {@link #KILL_AFTER}),
     * then closes the producer with a short timeout so that unacknowledged sends fail.
     */
    private RoundStats produceAndKill(final ChildBroker broker, final String topic, final int round, final long killAfterAcks,
        final Acks acked) throws Exception
    {
        final KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000));
        final AtomicLong roundAcks = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> senderError = new AtomicReference<>();
        final Thread sender = new Thread(() ->
        {
            final long end = System.nanoTime() + MAX_SEND_TIME_PER_ROUND.toNanos();
            try
            {
                for (int i = 0; i < MAX_RECORDS_PER_ROUND && !stop.get() && System.nanoTime() < end; i++)
                {
                    final String value = "r" + round + "-" + i + "-" + PADDING;
                    producer.send(new ProducerRecord<>(topic, bytes("key-" + (i % 1000)), bytes(value)), (metadata, ex) ->
                    {
                        if (ex == null)
                        {
                            acked.record(metadata.partition(), metadata.offset(), value);
                            roundAcks.incrementAndGet();
                        }
                        else
                        {
                            failures.incrementAndGet();
                        }
                    });
                    sent.incrementAndGet();
                }
            }
            catch (final RuntimeException ex)
            {
                // Expected once the broker is gone: send() times out on metadata/buffer or the producer is closed.
                if (!stop.get())
                {
                    senderError.set(ex);
                }
            }
        }, "crash-sender-" + round);
        sender.setDaemon(true);
        final long start = System.nanoTime();
        sender.start();
        final long killAt = start + KILL_AFTER.toNanos();
        while (roundAcks.get() < killAfterAcks && System.nanoTime() < killAt)
        {
            Thread.sleep(2);
        }
        // The sender may have queued its whole bounded run already (it fits in buffer.memory); what
        // matters is that produce requests are still outstanding, asserted by the caller.
        final boolean senderAlive = sender.isAlive();
        final long killAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        broker.kill9();
        stop.set(true);
        producer.close(Duration.ofSeconds(2));
        sender.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(sender.isAlive(), "sender thread did not stop");
        assertEquals(null, senderError.get(), "sender failed before the kill");
        return new RoundStats(sent.get(), roundAcks.get(), failures.get(), senderAlive, killAfterMs);
    }

    /** Acknowledged (partition, offset) → value, filled from producer callbacks. */
    private static final class Acks
    {
        private final Map<Integer, TreeMap<Long, String>> byPartition = new HashMap<>();
        private final List<String> conflicts = new ArrayList<>();
        private long count;

        synchronized void record(final int partition, final long offset, final String value)
        {
            final String previous = byPartition.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, value);
            if (previous != null && conflicts.size() < 20)
            {
                conflicts.add(partition + "@" + offset + ": " + shorten(previous) + " and " + shorten(value));
            }
            count++;
        }

        synchronized long count()
        {
            return count;
        }

        synchronized List<String> conflicts()
        {
            return new ArrayList<>(conflicts);
        }

        synchronized TreeMap<Long, String> of(final int partition)
        {
            return new TreeMap<>(byPartition.getOrDefault(partition, new TreeMap<>()));
        }
    }

    private static void verifyAcknowledgedRecordsPresent(final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> log, final Acks acked,
        final int partitions)
    {
        final Set<String> seen = new HashSet<>();
        final List<String> problems = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            final List<ConsumerRecord<byte[], byte[]>> records = log.get(p);
            final Map<Long, String> byOffset = new HashMap<>();
            for (int i = 0; i < records.size(); i++)
            {
                final ConsumerRecord<byte[], byte[]> record = records.get(i);
                if (record.offset() != i && problems.size() < 20)
                {
                    problems.add("partition " + p + ": record #" + i + " has offset " + record.offset() + " (offsets not contiguous from 0)");
                }
                final String value = string(record.value());
                byOffset.put(record.offset(), value);
                if (!seen.add(value) && problems.size() < 20)
                {
                    problems.add("partition " + p + "@" + record.offset() + ": value " + shorten(value) + " appears twice");
                }
            }
            final TreeMap<Long, String> expected = acked.of(p);
            long missing = 0;
            for (final Map.Entry<Long, String> entry : expected.entrySet())
            {
                final String actual = byOffset.get(entry.getKey());
                if (!entry.getValue().equals(actual))
                {
                    missing++;
                    if (problems.size() < 20)
                    {
                        problems.add("partition " + p + "@" + entry.getKey() + ": acknowledged " + shorten(entry.getValue()) +
                            " but read " + (actual == null ? "nothing" : shorten(actual)) + " (log has " + records.size() + " records)");
                    }
                }
            }
            if (missing > 0)
            {
                problems.add("partition " + p + ": " + missing + " of " + expected.size() + " acknowledged records lost or changed");
            }
        }
        if (!problems.isEmpty())
        {
            fail(String.join("\n", problems));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // b. a corrupt tail is cut back to the last intact batch
    // ---------------------------------------------------------------------------------------------

    private enum Damage
    {
        /** Random bytes after the last batch. */
        APPEND_GARBAGE,
        /** The last batch cut in half (a torn write). */
        TRUNCATE_LAST_BATCH_IN_HALF,
        /** One byte of the last batch's records flipped (CRC mismatch). */
        FLIP_BYTE_IN_LAST_BATCH,
        /** One byte of a batch in the middle flipped: everything from that batch on goes. */
        FLIP_BYTE_IN_MIDDLE_BATCH,
        /** A second copy of the last batch: intact CRC, but its base offset is not the next offset. */
        APPEND_COPY_OF_LAST_BATCH,
        /** Zero bytes after the last batch (a pre-allocated or partially flushed tail). */
        APPEND_ZEROS
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void corruptTailIsTruncatedAtLastValidBatchOnStartup() throws Exception
    {
        corruptTailScenario(true);
    }

    /**
     * The same damage after a clean SIGTERM stop whose marker is then deleted: here the indexes
     * were trimmed and a producer-state snapshot sits at the old log end offset, beyond the end
     * that recovery arrives at.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void corruptTailIsTruncatedAfterCleanStopWithMarkerDeleted() throws Exception
    {
        corruptTailScenario(false);
    }

    private void corruptTailScenario(final boolean killNine) throws Exception
    {
        final String topic = "torn";
        final Damage[] damages = Damage.values();
        final int partitions = damages.length;
        final int batchesPerPartition = 50;
        final Path dataDir = root.resolve("data");
        final Map<String, String> overrides = Map.of("runnel.shards", "2");
        ChildBroker broker = startChild(dataDir, overrides);
        createTopic(broker, topic, partitions);

        // 50 flushed batches per partition, 1-3 records each; values remembered by acknowledged offset.
        final Map<Integer, TreeMap<Long, String>> acked = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 1_000)))
        {
            for (int b = 0; b < batchesPerPartition; b++)
            {
                final List<Future<RecordMetadata>> futures = new ArrayList<>();
                final List<String> values = new ArrayList<>();
                for (int p = 0; p < partitions; p++)
                {
                    for (int r = 0; r <= b % 3; r++)
                    {
                        final String value = "p" + p + "-b" + b + "-r" + r;
                        values.add(value);
                        futures.add(producer.send(new ProducerRecord<>(topic, p, bytes("k" + r), bytes(value))));
                    }
                }
                producer.flush();
                for (int i = 0; i < futures.size(); i++)
                {
                    final RecordMetadata metadata = futures.get(i).get(30, TimeUnit.SECONDS);
                    acked.computeIfAbsent(metadata.partition(), p -> new TreeMap<>()).put(metadata.offset(), values.get(i));
                }
            }
        }
        if (killNine)
        {
            broker.kill9();
        }
        else
        {
            broker.stop();
            assertTrue(Files.exists(dataDir.resolve(CLEAN_SHUTDOWN_MARKER)), "no marker after SIGTERM");
            Files.delete(dataDir.resolve(CLEAN_SHUTDOWN_MARKER));
        }

        final Map<Integer, Long> expectedEnd = new HashMap<>();
        final Map<Integer, Long> expectedTruncatedBytes = new HashMap<>();
        for (int p = 0; p < partitions; p++)
        {
            final Path segment = activeSegment(dataDir.resolve(topic + "-" + p));
            final List<Batch> batches = readBatches(segment);
            final long recordsOnDisk = batches.isEmpty() ? 0 : batches.get(batches.size() - 1).nextOffset() - batches.get(0).baseOffset;
            assertEquals(acked.get(p).size(), recordsOnDisk, "partition " + p + ": records in " + segment + " before damage");
            assertTrue(batches.size() >= 10, "partition " + p + ": only " + batches.size() + " batches on disk");
            final long intactEnd = damage(damages[p], segment, batches);
            final long intactBytes = batches.stream().filter(batch -> batch.nextOffset() <= intactEnd).mapToLong(batch -> batch.size).sum();
            expectedEnd.put(p, intactEnd);
            expectedTruncatedBytes.put(p, Files.size(segment) - intactBytes);
        }

        broker = startChild(dataDir, overrides);
        final String output = broker.output();
        assertTrue(output.contains(RECOVERY_WARNING), "no recovery warning; output:\n" + broker.outputTail(40));

        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> log = consumeAll(broker, topic, partitions);
        for (int p = 0; p < partitions; p++)
        {
            final long end = expectedEnd.get(p);
            final List<ConsumerRecord<byte[], byte[]>> records = log.get(p);
            assertEquals(end, records.size(), damages[p] + ": records after recovery (log end offset)");
            final TreeMap<Long, String> intact = new TreeMap<>(acked.get(p).headMap(end));
            final TreeMap<Long, String> read = new TreeMap<>();
            records.forEach(record -> read.put(record.offset(), string(record.value())));
            assertEquals(intact, read, damages[p] + ": records read back must be exactly the intact ones");
        }

        // New writes continue at the next offset, and are readable.
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            for (int p = 0; p < partitions; p++)
            {
                final RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, p, bytes("k"), bytes("new-" + p)))
                    .get(30, TimeUnit.SECONDS);
                assertEquals((long)expectedEnd.get(p), metadata.offset(), damages[p] + ": offset of the first write after recovery");
            }
        }
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> after = consumeAll(broker, topic, partitions);
        for (int p = 0; p < partitions; p++)
        {
            final List<ConsumerRecord<byte[], byte[]>> records = after.get(p);
            assertEquals(expectedEnd.get(p) + 1, records.size(), damages[p] + ": records after the new write");
            final ConsumerRecord<byte[], byte[]> last = records.get(records.size() - 1);
            assertEquals((long)expectedEnd.get(p), last.offset());
            assertEquals("new-" + p, string(last.value()));
        }

        // Checked last, so that the data checks above report first: every truncation is logged.
        final List<String> missingWarnings = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            final String warning = topic + "-" + p + ": recovery truncated " + expectedTruncatedBytes.get(p) + " bytes";
            if (!output.contains(warning))
            {
                missingWarnings.add(damages[p] + ": no WARN containing '" + warning + "'");
            }
        }
        assertTrue(missingWarnings.isEmpty(), "recovery truncated the damaged tails (data checks passed) but did not say so:\n" +
            String.join("\n", missingWarnings) + "\nbroker output:\n" + output);
    }

    /** Damages the segment; @return the log end offset recovery must arrive at. */
    private static long damage(final Damage damage, final Path segment, final List<Batch> batches) throws IOException
    {
        final Batch last = batches.get(batches.size() - 1);
        final Batch middle = batches.get(batches.size() / 2);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            switch (damage)
            {
                case APPEND_GARBAGE ->
                {
                    final byte[] garbage = new byte[777];
                    new Random(42).nextBytes(garbage);
                    writeFully(channel, ByteBuffer.wrap(garbage), channel.size());
                    return last.nextOffset();
                }
                case TRUNCATE_LAST_BATCH_IN_HALF ->
                {
                    channel.truncate(last.position + last.size / 2);
                    return last.baseOffset;
                }
                case FLIP_BYTE_IN_LAST_BATCH ->
                {
                    flipByte(channel, last.position + last.size - 1);
                    return last.baseOffset;
                }
                case FLIP_BYTE_IN_MIDDLE_BATCH ->
                {
                    flipByte(channel, middle.position + middle.size - 2);
                    return middle.baseOffset;
                }
                case APPEND_COPY_OF_LAST_BATCH ->
                {
                    final ByteBuffer copy = ByteBuffer.allocate(last.size);
                    readFully(channel, copy, last.position);
                    writeFully(channel, copy.flip(), channel.size());
                    return last.nextOffset();
                }
                case APPEND_ZEROS ->
                {
                    writeFully(channel, ByteBuffer.allocate(4096), channel.size());
                    return last.nextOffset();
                }
                default -> throw new AssertionError(damage);
            }
        }
    }

    private static void flipByte(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer one = ByteBuffer.allocate(1);
        readFully(channel, one, position);
        one.put(0, (byte)(one.get(0) ^ 0x5A));
        one.rewind();
        writeFully(channel, one, position);
    }

    /** One RecordBatch v2 as found in a segment file. */
    private record Batch(long position, int size, long baseOffset, int lastOffsetDelta)
    {
        long nextOffset()
        {
            return baseOffset + lastOffsetDelta + 1;
        }
    }

    /** Walks a segment file independently of the broker's code, checking magic, CRC32C and contiguous offsets. */
    private static List<Batch> readBatches(final Path segment) throws IOException
    {
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(segment));
        final List<Batch> batches = new ArrayList<>();
        int position = 0;
        long next = -1;
        while (position < file.limit())
        {
            assertTrue(position + 61 <= file.limit(), segment + ": partial header at " + position);
            final long baseOffset = file.getLong(position);
            final int size = file.getInt(position + 8) + 12;
            assertEquals(2, file.get(position + 16), segment + ": magic at " + position);
            assertTrue(size >= 61 && position + size <= file.limit(), segment + ": batch size " + size + " at " + position);
            final int crc = file.getInt(position + 17);
            final CRC32C crc32c = new CRC32C();
            crc32c.update(file.slice(position + 21, size - 21));
            assertEquals(crc, (int)crc32c.getValue(), segment + ": CRC of the batch at " + position);
            if (next >= 0)
            {
                assertEquals(next, baseOffset, segment + ": offsets not contiguous at " + position);
            }
            final Batch batch = new Batch(position, size, baseOffset, file.getInt(position + 23));
            batches.add(batch);
            next = batch.nextOffset();
            position += size;
        }
        return batches;
    }

    private static Path activeSegment(final Path partitionDir) throws IOException
    {
        try (var files = Files.list(partitionDir))
        {
            return files.filter(file -> file.getFileName().toString().endsWith(".log")).max(Path::compareTo)
                .orElseThrow(() -> new AssertionError("no segment in " + partitionDir));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // c. SIGTERM: clean shutdown, marker, no recovery
    // ---------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void cleanShutdownSkipsRecoveryAndKeepsEverything() throws Exception
    {
        final String topic = "clean";
        final int partitions = 3;
        final Path dataDir = root.resolve("data");
        final Map<String, String> overrides = Map.of("runnel.shards", "2", "log.segment.bytes", "65536");
        ChildBroker broker = startChild(dataDir, overrides);
        createTopic(broker, topic, partitions);
        assertFalse(Files.exists(dataDir.resolve(CLEAN_SHUTDOWN_MARKER)), "marker present while the broker runs");

        final Acks acked = new Acks();
        sendAndAwait(broker, topic, "before-", 3_000, acked);

        final int exit = broker.stop();
        assertFalse(broker.isAlive());
        assertNotEquals(137, exit, "SIGTERM should not end like a SIGKILL");
        assertTrue(Files.exists(dataDir.resolve(CLEAN_SHUTDOWN_MARKER)),
            "no clean-shutdown marker after SIGTERM (exit " + exit + "); output:\n" + broker.outputTail(40));

        broker = startChild(dataDir, overrides);
        final String output = broker.output();
        assertFalse(output.contains(RECOVERY_WARNING), "recovery ran after a clean shutdown; output:\n" + broker.outputTail(40));
        assertFalse(output.contains("recovery truncated"), "recovery truncated after a clean shutdown; output:\n" + broker.outputTail(40));
        assertFalse(Files.exists(dataDir.resolve(CLEAN_SHUTDOWN_MARKER)), "marker still present once the broker runs again");

        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> log = consumeAll(broker, topic, partitions);
        verifyAcknowledgedRecordsPresent(log, acked, partitions);
        long total = 0;
        for (int p = 0; p < partitions; p++)
        {
            assertEquals(acked.of(p).size(), log.get(p).size(), "partition " + p + ": records after a clean restart");
            total += log.get(p).size();
        }
        assertEquals(3_000, total);

        // Writes continue at the next offsets; a second clean stop leaves the marker again.
        final Map<Integer, Long> ends = new HashMap<>();
        for (int p = 0; p < partitions; p++)
        {
            ends.put(p, (long)log.get(p).size());
        }
        final Acks more = new Acks();
        sendAndAwait(broker, topic, "after-", 300, more);
        for (int p = 0; p < partitions; p++)
        {
            final int partition = p;
            final TreeMap<Long, String> written = more.of(p);
            if (!written.isEmpty())
            {
                assertEquals(ends.get(p), written.firstKey(), "partition " + p + ": first offset written after the restart");
            }
            written.forEach((offset, value) -> acked.record(partition, offset, value));
        }
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> after = consumeAll(broker, topic, partitions);
        verifyAcknowledgedRecordsPresent(after, acked, partitions);
        assertEquals(3_300, after.values().stream().mapToInt(List::size).sum());
        broker.stop();
        assertTrue(Files.exists(dataDir.resolve(CLEAN_SHUTDOWN_MARKER)), "no marker after the second SIGTERM");
    }

    private static void sendAndAwait(final ChildBroker broker, final String topic, final String prefix, final int count, final Acks acked)
        throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            final List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                futures.add(producer.send(new ProducerRecord<>(topic, bytes("key-" + (i % 97)), bytes(prefix + i))));
            }
            producer.flush();
            for (int i = 0; i < count; i++)
            {
                final RecordMetadata metadata = futures.get(i).get(30, TimeUnit.SECONDS);
                acked.record(metadata.partition(), metadata.offset(), prefix + i);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------------

    private static void createTopic(final ChildBroker broker, final String topic, final int partitions) throws Exception
    {
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads every partition from the beginning to its end offset (as the broker reports it now). */
    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> consumeAll(final ChildBroker broker, final String topic,
        final int partitions)
    {
        final List<TopicPartition> tps = new ArrayList<>();
        final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();
        for (int p = 0; p < partitions; p++)
        {
            tps.add(new TopicPartition(topic, p));
            records.put(p, new ArrayList<>());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000)))
        {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            final Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
            final long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (!caughtUp(consumer, tps, ends))
            {
                if (System.nanoTime() > deadline)
                {
                    final Map<Integer, Integer> counts = new TreeMap<>();
                    records.forEach((p, list) -> counts.put(p, list.size()));
                    fail("could not read " + topic + " up to its end offsets " + ends + " within " + CONSUME_TIMEOUT + "; read " + counts);
                }
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition())))
                    {
                        records.get(record.partition()).add(record);
                    }
                }
            }
        }
        return records;
    }

    private static boolean caughtUp(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> tps,
        final Map<TopicPartition, Long> ends)
    {
        for (final TopicPartition tp : tps)
        {
            if (consumer.position(tp, Duration.ofSeconds(10)) < ends.get(tp))
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(final String value)
    {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(final byte[] value)
    {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static String shorten(final String value)
    {
        return value.length() > 24 ? value.substring(0, 24) + "…" : value;
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer bytes, final long position) throws IOException
    {
        long at = position;
        while (bytes.hasRemaining())
        {
            at += channel.write(bytes, at);
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer bytes, final long position) throws IOException
    {
        long at = position;
        while (bytes.hasRemaining())
        {
            final int read = channel.read(bytes, at);
            if (read < 0)
            {
                throw new IOException("end of file at " + at);
            }
            at += read;
        }
    }
}
