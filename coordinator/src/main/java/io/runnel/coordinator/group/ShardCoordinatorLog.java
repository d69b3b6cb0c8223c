package io.runnel.coordinator.group;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;

/**
 * The production {@link CoordinatorLog}: the offsets partitions of one shard. Records become one
 * uncompressed RecordBatch v2 (keys and values in Kafka's serde), appended through the shard so
 * they join its group-commit fsync.
 */
final class ShardCoordinatorLog implements CoordinatorLog
{
    private final Shard shard;
    private final TopicRegistry registry;
    private final RecordBatch batchFlyweight = new RecordBatch();

    ShardCoordinatorLog(final Shard shard, final TopicRegistry registry)
    {
        this.shard = shard;
        this.registry = registry;
    }

    @Override
    public boolean owns(final int partition)
    {
        return log(partition) != null;
    }

    @Override
    public void append(final int partition, final List<CoordinatorRecord> records, final long timestampMs)
    {
        final Partition owned = partition(partition);
        final PartitionLog log = owned == null ? null : owned.log();
        if (log == null)
        {
            throw new IllegalStateException("shard " + shard.id() + " does not own " + GroupConfig.OFFSETS_TOPIC + "-" + partition);
        }
        final SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++)
        {
            simple[i] = new SimpleRecord(timestampMs, GroupRecords.key(records.get(i)), GroupRecords.value(records.get(i)));
        }
        final ByteBuffer bytes = MemoryRecords.withRecords(Compression.NONE, simple).buffer();
        if (shard.append(owned, batchFlyweight.wrap(new UnsafeBuffer(bytes), 0), bytes) == PartitionLog.AppendStatus.STORAGE_ERROR)
        {
            // The offsets partition is offline (disk full, I/O error): fail before the records are replayed.
            throw new UncheckedIOException(new IOException(log.name() + " is offline: group records not appended"));
        }
    }

    @Override
    public void whenDurable(final Runnable ack)
    {
        shard.whenDurable(ack);
    }

    private PartitionLog log(final int index)
    {
        final Partition partition = partition(index);
        return partition == null ? null : partition.log();
    }

    private Partition partition(final int index)
    {
        final Topic topic = registry.snapshot().topic(GroupConfig.OFFSETS_TOPIC);
        final Partition partition = topic == null ? null : topic.partition(index);
        return partition == null || partition.shard() != shard.id() ? null : partition;
    }
}
