package io.runnel.coordinator.group;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.ReplicationWaiter;
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
 * they join its group-commit fsync, and, on a replicated partition, acknowledged once the high
 * watermark passes them, as a produce with acks=all is.
 */
final class ShardCoordinatorLog implements CoordinatorLog
{
    /** Kafka's offsets.commit.timeout.ms default: how long a commit waits for the in-sync replicas. */
    static final long COMMIT_TIMEOUT_MS = 5_000;

    private final Shard shard;
    private final TopicRegistry registry;
    private final RecordBatch batchFlyweight = new RecordBatch();

    ShardCoordinatorLog(final Shard shard, final TopicRegistry registry)
    {
        this.shard = shard;
        this.registry = registry;
    }

    @Override
    public int leaderEpochIfLed(final int partition)
    {
        final Partition owned = partition(partition);
        if (owned == null || owned.log() == null || !owned.leadership().isLedBy(registry.localNodeId()))
        {
            return NOT_LED;
        }
        return owned.leaderEpoch();
    }

    @Override
    public void forEachRecord(final int partition, final BiConsumer<ByteBuffer, ByteBuffer> sink)
    {
        final Partition owned = partition(partition);
        if (owned != null && owned.log() != null)
        {
            OffsetsLogReader.forEachRecord(owned.log(), sink);
        }
    }

    @Override
    public long append(final int partition, final List<CoordinatorRecord> records, final long timestampMs)
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
        return log.logEndOffset();
    }

    @Override
    public void whenCommitted(final int partition, final int leaderEpoch, final long endOffset, final Consumer<Boolean> done)
    {
        shard.whenDurable(() ->
        {
            final Partition owned = partition(partition);
            final PartitionLog log = owned == null ? null : owned.log();
            if (log == null || !log.isFlushed(endOffset - 1))
            {
                done.accept(false); // the fsync failed and rolled the batch back, or the partition went
                return;
            }
            if (owned.leadership().replicas().size() <= 1)
            {
                done.accept(true);
                return;
            }
            shard.whenReplicated(owned, leaderEpoch, endOffset, shard.clock().time() + COMMIT_TIMEOUT_MS,
                outcome -> done.accept(outcome == ReplicationWaiter.Outcome.REPLICATED));
        });
    }

    private Partition partition(final int index)
    {
        final Topic topic = registry.snapshot().topic(GroupConfig.OFFSETS_TOPIC);
        final Partition partition = topic == null ? null : topic.partition(index);
        return partition == null || partition.shard() != shard.id() ? null : partition;
    }
}
