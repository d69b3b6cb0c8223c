package io.runnel.cluster.metadata;

import java.util.List;
import java.util.function.Consumer;

import io.runnel.cluster.metadata.MetadataCommand.AllocateProducerIds;
import io.runnel.cluster.metadata.MetadataCommand.ConfigChange;
import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreatePartitions;
import io.runnel.cluster.metadata.MetadataCommand.DeleteTopics;
import io.runnel.cluster.metadata.MetadataCommand.PartitionCount;
import io.runnel.cluster.metadata.MetadataCommand.SubscribeImage;
import io.runnel.cluster.metadata.MetadataCommand.TopicConfigChanges;
import io.runnel.cluster.metadata.MetadataCommand.TopicReference;
import io.runnel.cluster.metadata.MetadataTestContext.MemorySnapshot;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotAndDeterminismTest
{
    /** Small enough that records straddle chunks. */
    private static final int SMALL_CHUNK = 100;

    @Test
    void twoMachinesFedTheSameCallsEmitByteIdenticalOutputs()
    {
        final MetadataTestContext first = new MetadataTestContext();
        final MetadataTestContext second = new MetadataTestContext();

        busyHistory(first);
        busyHistory(second);

        assertEquals(first.image(), second.image());
        assertArrayEquals(first.out.transcript(), second.out.transcript());
        assertTrue(first.out.events.size() > 100, "the history did something: " + first.out.events.size());
    }

    @Test
    void snapshotLoadedIntoANewMachineGivesAnEqualImage()
    {
        final MetadataTestContext original = new MetadataTestContext();
        busyHistory(original);
        final MemorySnapshot snapshot = new MemorySnapshot(SMALL_CHUNK);

        original.machine.writeSnapshot(snapshot);
        final MetadataStateMachine restored = new MetadataStateMachine(MetadataTestContext.SESSION_TIMEOUT_MS, MetadataLimits.MIN_MESSAGE_LENGTH);
        restored.loadSnapshot(snapshot);

        assertTrue(snapshot.chunks.size() > 10);
        assertEquals(original.image(), restored.image());
        assertTrue(restored.image().topic("topic-1").partitions().get(0).isReassigning(), "the history left a reassignment in progress");
    }

    @Test
    void machineRestoredFromASnapshotAnswersTheNextCommandsExactlyAsTheOriginal()
    {
        final MetadataTestContext original = new MetadataTestContext();
        busyHistory(original);
        final MemorySnapshot snapshot = new MemorySnapshot(SMALL_CHUNK);
        original.machine.writeSnapshot(snapshot);
        final MetadataStateMachine restoredMachine = new MetadataStateMachine(MetadataTestContext.SESSION_TIMEOUT_MS, MetadataLimits.MIN_MESSAGE_LENGTH);
        restoredMachine.loadSnapshot(snapshot);
        final MetadataTestContext restored = contextAfter(original, restoredMachine);
        final int originalFrom = original.out.events.size();

        final Consumer<MetadataTestContext> next = context ->
        {
            context.register(7, "r7");
            context.heartbeat(7, false, false);
            context.createTopic("after-snapshot", 5, 2);
            context.send(new AllocateProducerIds(context.correlationId(), 7, context.epoch(7)));
            context.send(new SubscribeImage(context.correlationId()));
        };
        next.accept(original);
        next.accept(restored);

        final MetadataTestContext.Output tail = new MetadataTestContext.Output();
        tail.events.addAll(original.out.events.subList(originalFrom, original.out.events.size()));
        assertArrayEquals(tail.transcript(), restored.out.transcript());
        assertEquals(original.image(), restored.image());
    }

    @Test
    void machineRestoredFromASnapshotTakenInATermsGraceFencesAtTheSamePointAsTheOriginal()
    {
        final MetadataTestContext original = new MetadataTestContext();
        original.startBrokers(2);
        original.electLeaderTaking(MetadataTestContext.SESSION_TIMEOUT_MS + 500);
        final MemorySnapshot snapshot = new MemorySnapshot(SMALL_CHUNK);
        original.machine.writeSnapshot(snapshot);
        final MetadataStateMachine restoredMachine = new MetadataStateMachine(MetadataTestContext.SESSION_TIMEOUT_MS, MetadataLimits.MIN_MESSAGE_LENGTH);
        restoredMachine.loadSnapshot(snapshot);
        final MetadataTestContext restored = contextAfter(original, restoredMachine);
        final int originalFrom = original.out.events.size();

        // Broker 2 is silent: both machines must fence it at the end of the term's grace, not before.
        final Consumer<MetadataTestContext> next = context -> context.advance(MetadataTestContext.SESSION_TIMEOUT_MS + 2_000, 1_000, 1);
        next.accept(original);
        next.accept(restored);

        final MetadataTestContext.Output tail = new MetadataTestContext.Output();
        tail.events.addAll(original.out.events.subList(originalFrom, original.out.events.size()));
        assertArrayEquals(tail.transcript(), restored.out.transcript());
        assertEquals(original.image(), restored.image());
        assertTrue(restored.image().broker(2).sessionExpired());
    }

    @Test
    void corruptSnapshotIsRefusedLoudly()
    {
        final MetadataTestContext original = new MetadataTestContext();
        original.startBrokers(1);
        final MemorySnapshot snapshot = new MemorySnapshot(SMALL_CHUNK);
        original.machine.writeSnapshot(snapshot);
        snapshot.chunks.remove(snapshot.chunks.size() - 1);

        final MetadataStateMachine restored = new MetadataStateMachine(MetadataTestContext.SESSION_TIMEOUT_MS, MetadataLimits.MIN_MESSAGE_LENGTH);

        assertThrows(IllegalStateException.class, () -> restored.loadSnapshot(snapshot));
    }

    @Test
    void aPartitionRecordOfSchemaVersionZeroReadsAsNotReassigned()
    {
        // What a snapshot or log written before reassignments existed holds: no adding or removing replicas groups.
        final MetadataRecordEncoder encoder = new MetadataRecordEncoder();
        final org.agrona.ExpandableArrayBuffer buffer = new org.agrona.ExpandableArrayBuffer(256);
        final MetadataImageBuilder builder = new MetadataImageBuilder();
        final Uuid topicId = new Uuid(1, 2);
        builder.apply(buffer, 0, encoder.imageBegin(buffer, 0, 7, 0));
        builder.apply(buffer, 0, encoder.topic(buffer, 0, 7, topicId, "old", new java.util.TreeMap<>()));
        final int length = encoder.partition(buffer, 0, 7, topicId, new MetadataImage.Partition(0, List.of(1, 2), List.of(2), 2, 3, 4));
        buffer.putShort(io.runnel.codecs.metadata.MessageHeaderEncoder.versionEncodingOffset(), (short)0,
            io.runnel.codecs.metadata.MessageHeaderEncoder.BYTE_ORDER);
        final int emptyGroupLength = io.runnel.codecs.metadata.GroupSizeEncodingEncoder.ENCODED_LENGTH;
        builder.apply(buffer, 0, length - 2 * emptyGroupLength);
        builder.apply(buffer, 0, encoder.imageEnd(buffer, 0, 7, 0));

        final MetadataImage.Partition read = builder.image().topic("old").partitions().get(0);
        assertEquals(new MetadataImage.Partition(0, List.of(1, 2), List.of(2), 2, 3, 4), read);
        assertTrue(!read.isReassigning());
    }

    /**
     * A context on {@code machine} that continues {@code original}'s clock, correlation ids, topic
     * ids and broker epochs, so that the same next calls are the same bytes.
     */
    private static MetadataTestContext contextAfter(final MetadataTestContext original, final MetadataStateMachine machine)
    {
        final MetadataTestContext restored = new MetadataTestContext(machine);
        restored.continueFrom(original);
        return restored;
    }

    /** Brokers on racks, topics made, grown, reconfigured and deleted, a controlled shutdown, a timeout, producer ids. */
    static void busyHistory(final MetadataTestContext context)
    {
        context.startBrokers(4, "r1", "r2");
        for (int i = 0; i < 5; i++)
        {
            context.createTopic("topic-" + i, 3 + i, 1 + i % 3, new ConfigEntry("retention.ms", Integer.toString(1000 * i)));
        }
        context.send(new CreatePartitions(context.correlationId(), false, List.of(new PartitionCount("topic-0", 8))));
        context.send(new MetadataCommand.AlterTopicConfigs(context.correlationId(), false, List.of(new TopicConfigChanges("topic-1",
            List.of(new ConfigChange("retention.ms", null), new ConfigChange("cleanup.policy", "compact"))))));
        context.send(new DeleteTopics(context.correlationId(), List.of(new TopicReference("topic-2", Uuid.ZERO_UUID))));
        context.send(new AllocateProducerIds(context.correlationId(), 1, context.epoch(1)));
        // A reassignment left in progress (its new replica never catches up): the snapshot carries its adding and removing replicas.
        final MetadataImage.Partition moving = context.image().topic("topic-1").partitions().get(0);
        final int newReplica = java.util.stream.IntStream.rangeClosed(1, 4).filter(id -> !moving.replicas().contains(id)).findFirst().orElseThrow();
        context.send(new MetadataCommand.AlterPartitionReassignment(context.correlationId(), "topic-1", 0,
            List.of(newReplica, moving.replicas().get(1)), true));
        context.heartbeat(4, false, true);
        context.advance(MetadataTestContext.SESSION_TIMEOUT_MS + 500, 2_000, 1, 2);
        context.heartbeat(3, false, false);
        context.register(5, "r3");
    }
}
