package io.runnel.kernel.cleaner;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.runnel.kernel.log.LogStartOffsetCheckpoint;
import io.runnel.kernel.topic.Partition;

/**
 * Kafka's {@code cleaner-offset-checkpoint} in the log directory: for each compacted partition, its
 * first dirty offset, where the last clean stopped (version 0, a count, "topic partition offset"
 * lines, the format of {@link LogStartOffsetCheckpoint}). Everything below it was compacted; the
 * dirty ratio is measured from there. Written (forced, then renamed into place) after each clean;
 * losing an update only means the same records are compacted again. Shared by the cleaner threads.
 */
final class CleanerCheckpoint
{
    static final String FILE_NAME = "cleaner-offset-checkpoint";

    private final LogStartOffsetCheckpoint file;
    /** topic → partition index → first dirty offset. */
    private final Map<String, Map<Integer, Long>> offsets = new TreeMap<>();

    CleanerCheckpoint(final Path logDir)
    {
        this.file = new LogStartOffsetCheckpoint(logDir, FILE_NAME);
        for (final Map.Entry<String, Long> entry : file.read().entrySet())
        {
            final String name = entry.getKey();
            final int dash = name.lastIndexOf('-');
            offsets.computeIfAbsent(name.substring(0, dash), topic -> new TreeMap<>())
                .put(Integer.parseInt(name.substring(dash + 1)), entry.getValue());
        }
    }

    /** @return where the last clean of {@code partition} stopped, or -1 if it was never cleaned. */
    synchronized long firstDirtyOffset(final Partition partition)
    {
        final Map<Integer, Long> topic = offsets.get(partition.topic().name());
        final Long offset = topic == null ? null : topic.get(partition.index());
        return offset == null ? -1 : offset;
    }

    /**
     * Records that {@code partition} is compacted up to {@code firstDirtyOffset} and rewrites the
     * file, leaving out topics that no longer exist.
     */
    synchronized void update(final Partition partition, final long firstDirtyOffset, final Predicate<String> topicExists)
    {
        offsets.computeIfAbsent(partition.topic().name(), topic -> new TreeMap<>()).put(partition.index(), firstDirtyOffset);
        offsets.keySet().removeIf(topic -> !topicExists.test(topic));
        final Map<String, Map<Integer, Long>> copy = new HashMap<>();
        offsets.forEach((topic, partitions) -> copy.put(topic, new HashMap<>(partitions)));
        file.write(copy);
    }
}
