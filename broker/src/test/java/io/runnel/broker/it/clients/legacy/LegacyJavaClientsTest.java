package io.runnel.broker.it.clients.legacy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.ACKS;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.ADMIN_TOPIC;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.ADMIN_TOPIC_PARTITIONS;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.ADMIN_TOPIC_RETENTION_MS;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.ALTERED_MAX_MESSAGE_BYTES;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.CODECS;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.DOOMED_TOPIC;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.PARTITIONS;
import static io.runnel.broker.it.clients.legacy.LegacyJavaClientDriver.topic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kafka-clients 2.4, 2.8 and 3.9, which frameworks such as Spark and Flink still pin, against the real broker. The
 * old client runs in a child JVM ({@link LegacyClientProcess}) and prints what it saw; this JVM's
 * kafka-clients 4.x checks the broker's side (committed offsets, log ends, topics).
 */
class LegacyJavaClientsTest
{
    /** Records per (codec, acks) in the first round: 300 per codec, 1,500 in all. */
    private static final int FIRST_ROUND = 100;
    /** Records per (codec, acks) produced after the first commit, which the resumed member must read alone. */
    private static final int SECOND_ROUND = 10;
    private static final long TIMEOUT_SECONDS = 30;
    /** Admin.listOffsets arrived in 2.5 (KIP-396). */
    private static final Set<String> WITHOUT_ADMIN_LIST_OFFSETS = Set.of("2.4.1");

    @TempDir
    Path dataDir;

    @TempDir
    Path workDir;

    @ParameterizedTest(name = "kafka-clients {0}")
    @ValueSource(strings = {"2.4.1", "2.8.2", "3.9.2"})
    void oldClientRoundTripsEveryCodecAndAcksResumesFromItsCommitAndAdministers(final String version) throws Exception
    {
        final String group = "legacy-group-" + version;
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2"));
            Admin admin = broker.admin())
        {
            final LegacyClientProcess client = new LegacyClientProcess(version, workDir);
            final String bootstrap = broker.bootstrapServers();

            final DriverOutput firstSent = succeeded(client, "produce", bootstrap, "0", String.valueOf(FIRST_ROUND), "true");
            final DriverOutput firstRead = succeeded(client, "consume", bootstrap, group, String.valueOf(total(FIRST_ROUND)));
            final Map<TopicPartition, Long> firstEnds = readBackExactlyOnceInOrder(firstSent, firstRead, FIRST_ROUND, Map.of());
            assertEquals(firstEnds, positions(firstRead), "the member's positions after reading everything");
            assertEquals(firstEnds, committed(admin, group), "what the old member committed, read by kafka-clients 4.x");
            assertEquals(firstEnds, logEnds(admin), "the log ends, read by kafka-clients 4.x");

            final DriverOutput secondSent = succeeded(client, "produce", bootstrap, String.valueOf(FIRST_ROUND),
                String.valueOf(SECOND_ROUND), "false");
            final DriverOutput secondRead = succeeded(client, "consume", bootstrap, group, String.valueOf(total(SECOND_ROUND)));
            final Map<TopicPartition, Long> secondEnds = readBackExactlyOnceInOrder(secondSent, secondRead, SECOND_ROUND, firstEnds);
            assertEquals(secondEnds, committed(admin, group));
            assertEquals(secondEnds, logEnds(admin));

            administers(client.run("admin", bootstrap, group), client, admin, group, secondEnds);
        }
    }

    private static int total(final int perCodecAndAcks)
    {
        return CODECS.size() * ACKS.size() * perCodecAndAcks;
    }

    /**
     * Every sent record is read back exactly once and, per partition, in send order, at the offset the
     * producer was told (acks 1 and all), the offsets running on without a gap from {@code start} (the
     * committed offsets the member resumed from). Returns the offset after the last record, per partition.
     */
    private static Map<TopicPartition, Long> readBackExactlyOnceInOrder(final DriverOutput sent, final DriverOutput read,
        final int perCodecAndAcks, final Map<TopicPartition, Long> start)
    {
        final Map<TopicPartition, List<String>> sentByPartition = new LinkedHashMap<>();
        final Map<String, Long> acknowledgedOffsets = new HashMap<>();
        final Map<String, Integer> partitionOfKey = new HashMap<>();
        for (final DriverOutput.Line line : sent.all("sent"))
        {
            final TopicPartition partition = partition(line);
            final String record = line.get("key") + "/" + line.get("value");
            sentByPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(record);
            if (line.getLong("offset") >= 0)
            {
                acknowledgedOffsets.put(partition + "/" + record, line.getLong("offset"));
            }
            final Integer earlier = partitionOfKey.putIfAbsent(line.get("topic") + "/" + line.get("key"), partition.partition());
            assertTrue(earlier == null || earlier == partition.partition(), "a key keeps its partition: " + line);
        }
        assertEquals(total(perCodecAndAcks), sent.all("sent").size(), "records sent");
        // acks 1 and all: two thirds of the records carry the offset the broker acknowledged.
        assertEquals(total(perCodecAndAcks) * 2 / 3, acknowledgedOffsets.size(), "records acknowledged with an offset");

        final Map<TopicPartition, List<String>> readByPartition = new LinkedHashMap<>();
        final Map<TopicPartition, Long> ends = new HashMap<>();
        allPartitions().forEach(partition -> ends.put(partition, start.getOrDefault(partition, 0L)));
        for (final DriverOutput.Line line : read.all("record"))
        {
            final TopicPartition partition = partition(line);
            final String record = line.get("key") + "/" + line.get("value");
            final List<String> records = readByPartition.computeIfAbsent(partition, p -> new ArrayList<>());
            final long expectedOffset = start.getOrDefault(partition, 0L) + records.size();
            assertEquals(expectedOffset, line.getLong("offset"), "offsets run on from " + start.get(partition) + ": " + line);
            final Long acknowledged = acknowledgedOffsets.get(partition + "/" + record);
            assertTrue(acknowledged == null || acknowledged == expectedOffset, "read at its acknowledged offset: " + line);
            records.add(record);
            ends.put(partition, expectedOffset + 1);
        }
        for (final TopicPartition partition : sentByPartition.keySet())
        {
            // The client's stderr too: a consumer that cannot fetch at all (no common Fetch version) says nothing else.
            assertEquals(sentByPartition.get(partition), readByPartition.get(partition), () -> "records of " + partition +
                " read back exactly once, in send order (" + read.one("consumed").get("count") + " read in all); the client's stderr:\n" +
                read.stderr());
        }
        assertEquals(sentByPartition.keySet(), readByPartition.keySet(), "no partition read that was not written");
        return ends;
    }

    private static void administers(final DriverOutput out, final LegacyClientProcess client, final Admin admin,
        final String group, final Map<TopicPartition, Long> ends) throws Exception
    {
        assertSucceeded(out, client);
        final Set<String> created = Set.of(out.one("topics").get("names").split(","));
        assertTrue(created.containsAll(Set.of(ADMIN_TOPIC, DOOMED_TOPIC)), "listed after creation: " + created);
        CODECS.forEach(codec -> assertTrue(created.contains(topic(codec)), "listed: " + topic(codec)));

        final Node node = single(admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        final Map<String, Integer> partitionCounts = new HashMap<>();
        for (final DriverOutput.Line topic : out.all("topic"))
        {
            partitionCounts.put(topic.get("name"), topic.getInt("partitions"));
            assertEquals(node.id(), topic.getInt("leader"), "leader of " + topic.get("name"));
            assertEquals("false", topic.get("internal"));
        }
        assertEquals(Map.of(ADMIN_TOPIC, ADMIN_TOPIC_PARTITIONS, DOOMED_TOPIC, 1), partitionCounts);

        final DriverOutput.Line cluster = out.one("cluster");
        assertEquals(admin.describeCluster().clusterId().get(TIMEOUT_SECONDS, TimeUnit.SECONDS), cluster.get("id"));
        assertEquals(1, cluster.getInt("nodes"));
        assertEquals(node.id(), cluster.getInt("controller"));

        final DriverOutput.Line config = out.one("config");
        assertEquals(ADMIN_TOPIC_RETENTION_MS, config.get("retention.ms"), "the topic's own setting, as created");
        assertEquals("delete", config.get("cleanup.policy"), "the broker default");
        final DriverOutput.Line altered = out.one("altered");
        assertEquals(ALTERED_MAX_MESSAGE_BYTES, altered.get("max.message.bytes"), "set by the old client's Admin.alterConfigs");
        assertEquals("604800000", altered.get("retention.ms"), "AlterConfigs replaced every override: the broker default again");

        assertTrue(Set.of(out.one("groups").get("ids").split(",")).contains(group), "listed: " + group);
        final DriverOutput.Line described = out.one("group");
        assertEquals(group, described.get("id"));
        assertEquals("Empty", described.get("state"), "every member has left");
        assertEquals(0, described.getInt("members"));
        assertEquals(node.id(), described.getInt("coordinator"));

        final Map<TopicPartition, Long> committed = new HashMap<>();
        out.all("committed").forEach(line -> committed.put(partition(line), line.getLong("offset")));
        assertEquals(ends, committed, "the group's offsets, as the old AdminClient lists them");

        if (WITHOUT_ADMIN_LIST_OFFSETS.contains(client.version()))
        {
            assertEquals("listOffsets", out.one("skipped").get("step"));
        }
        else
        {
            final Map<TopicPartition, Long> latest = new HashMap<>();
            for (final DriverOutput.Line offsets : out.all("offsets"))
            {
                assertEquals(0, offsets.getLong("earliest"), "earliest of " + partition(offsets));
                latest.put(partition(offsets), offsets.getLong("latest"));
            }
            assertEquals(logEnds(admin), latest, "latest offsets, as the old AdminClient lists them");
        }

        final Set<String> remaining = Set.of(out.one("deleted").get("remaining").split(","));
        assertFalse(remaining.contains(DOOMED_TOPIC), "gone after deletion: " + remaining);
        assertTrue(remaining.contains(ADMIN_TOPIC));
        assertFalse(admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).contains(DOOMED_TOPIC),
            "gone for kafka-clients 4.x too");
    }

    private static DriverOutput succeeded(final LegacyClientProcess client, final String... args) throws Exception
    {
        final DriverOutput out = client.run(args);
        assertSucceeded(out, client);
        return out;
    }

    private static void assertSucceeded(final DriverOutput out, final LegacyClientProcess client)
    {
        assertEquals(0, out.exitStatus(), () -> "kafka-clients " + client.version() + " failed: " +
            out.all("error") + "\nstderr:\n" + out.stderr());
        assertEquals(client.version(), out.one("version").get("client"), "the old client is the one that ran");
    }

    private static Map<TopicPartition, Long> positions(final DriverOutput read)
    {
        final Map<TopicPartition, Long> positions = new HashMap<>();
        read.all("position").forEach(line -> positions.put(partition(line), line.getLong("offset")));
        return positions;
    }

    private static Map<TopicPartition, Long> committed(final Admin admin, final String group) throws Exception
    {
        final Map<TopicPartition, Long> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .forEach((partition, offset) -> committed.put(partition, offset.offset()));
        return committed;
    }

    private static Map<TopicPartition, Long> logEnds(final Admin admin) throws Exception
    {
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        allPartitions().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
        final Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    /** Every partition of every codec topic. */
    private static List<TopicPartition> allPartitions()
    {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final String codec : CODECS)
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                partitions.add(new TopicPartition(topic(codec), p));
            }
        }
        return partitions;
    }

    private static TopicPartition partition(final DriverOutput.Line line)
    {
        return new TopicPartition(line.get("topic"), line.getInt("partition"));
    }

    private static Node single(final Collection<Node> nodes)
    {
        assertEquals(1, nodes.size(), "one broker: " + nodes);
        return nodes.iterator().next();
    }
}
