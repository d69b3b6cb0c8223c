package io.runnel.kernel.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.PartitionPlacement;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cleaner-offset-checkpoint: Kafka's format, read back after a restart, without topics that are gone. */
class CleanerCheckpointTest
{
    @TempDir
    Path logDir;

    private Partition partition(final String topic, final int index)
    {
        final TopicRegistry registry = new TopicRegistry(logDir.resolve("registry-" + topic), new PartitionPlacement(1));
        final Topic prepared = registry.prepare(topic, index + 1, Map.of());
        return prepared.partition(index);
    }

    @Test
    void firstDirtyOffsetsSurviveARestartInKafkasFormat() throws IOException
    {
        final Partition compacted = partition("compacted", 2);
        final CleanerCheckpoint checkpoint = new CleanerCheckpoint(logDir);
        assertEquals(-1, checkpoint.firstDirtyOffset(compacted));

        checkpoint.update(compacted, 1234, topic -> true);

        assertEquals(List.of("0", "1", "compacted 2 1234"), Files.readAllLines(logDir.resolve("cleaner-offset-checkpoint")));
        assertEquals(1234, new CleanerCheckpoint(logDir).firstDirtyOffset(compacted));
    }

    @Test
    void topicsThatNoLongerExistAreLeftOut() throws IOException
    {
        final Partition kept = partition("kept", 0);
        final Partition gone = partition("gone", 0);
        final CleanerCheckpoint checkpoint = new CleanerCheckpoint(logDir);
        checkpoint.update(gone, 10, topic -> true);

        checkpoint.update(kept, 20, topic -> topic.equals("kept"));

        assertEquals(List.of("0", "1", "kept 0 20"), Files.readAllLines(logDir.resolve("cleaner-offset-checkpoint")));
    }
}
