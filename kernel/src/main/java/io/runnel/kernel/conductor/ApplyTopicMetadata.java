package io.runnel.kernel.conductor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;

/**
 * A cluster member applies a topic as the metadata quorum committed it: a new topic, more
 * partitions, other configs, moved leaders or moved replicas. The logs of partitions with a replica on this node
 * are opened and handed to their shards before the topic is published, as {@link CreateTopic} does,
 * so a request that sees a partition led here finds its log. Leaderships are swapped in place on
 * the existing partitions, whose logs stay with their shards; an existing partition that a
 * reassignment gives a replica here gets an empty log (its replication follows the leader from the
 * leader's log start), and one whose replica here it removed is given back by its shard and its log
 * deleted, as a deleted topic's is.
 */
final class ApplyTopicMetadata extends TopicOperation
{
    private final String name;
    private final Uuid id;
    private final Map<String, String> configs;
    private final List<Leadership> leaderships;
    private final List<PartitionLog> opened = new ArrayList<>();
    /** The partition of each log in {@link #opened}, at the same index. */
    private final List<Partition> openedFor = new ArrayList<>();
    /** Existing partitions that a reassignment gives a replica here. */
    private final List<Partition> addedHere = new ArrayList<>();
    /** Existing partitions whose replica here a reassignment removed, and the logs their shards give back (same index). */
    private final List<Partition> removedHere = new ArrayList<>();
    private PartitionLog[] released = new PartitionLog[0];
    private Topic applied;

    ApplyTopicMetadata(final String name, final Uuid id, final Map<String, String> configs, final List<Leadership> leaderships,
        final TopicResultHandler handler, final int replyShard)
    {
        super(handler, replyShard);
        this.name = name;
        this.id = id;
        this.configs = Map.copyOf(configs);
        this.leaderships = List.copyOf(leaderships);
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        final TopicRegistry registry = conductor.registry();
        final Topic existing = registry.snapshot().topic(id);
        final Topic sameName = registry.snapshot().topic(name);
        if (existing == null && sameName != null)
        {
            // The quorum deletes the old topic (a record of its own) before it creates another under its name.
            return TopicResult.failed(TopicResult.Outcome.INVALID_REQUEST, "topic " + name + " exists here with id " + sameName.id()
                + ", not " + id);
        }
        if (existing != null && leaderships.size() < existing.partitionCount())
        {
            return TopicResult.failed(TopicResult.Outcome.INVALID_REQUEST, "topic " + name + " cannot shrink from "
                + existing.partitionCount() + " to " + leaderships.size() + " partitions");
        }
        final int localNode = registry.localNodeId();
        final int from;
        if (existing == null)
        {
            applied = registry.fromQuorum(name, id, configs, leaderships);
            from = 0;
        }
        else
        {
            for (int i = 0; i < existing.partitionCount(); i++)
            {
                final Partition partition = existing.partition(i);
                final boolean hadReplica = partition.leadership().hasReplicaOn(localNode);
                final boolean hasReplica = leaderships.get(i).hasReplicaOn(localNode);
                partition.lead(leaderships.get(i));
                if (!hadReplica && hasReplica)
                {
                    addedHere.add(partition);
                }
                else if (hadReplica && !hasReplica)
                {
                    removedHere.add(partition);
                }
            }
            final Topic grown = leaderships.size() > existing.partitionCount() ? registry.prepareGrowth(existing, leaderships) : existing;
            applied = configs.equals(existing.configs()) ? grown : registry.prepareConfigs(grown, configs);
            from = existing.partitionCount();
            if (!configs.equals(existing.configs()))
            {
                reconfigurePartitions(conductor, applied, conductor.logConfigFor(configs));
            }
        }
        for (final Partition partition : addedHere)
        {
            opened.add(conductor.openNewLog(applied, partition));
            openedFor.add(partition);
        }
        for (int i = from; i < applied.partitionCount(); i++)
        {
            final Partition partition = applied.partition(i);
            if (partition.leadership().hasReplicaOn(localNode))
            {
                opened.add(conductor.openNewLog(applied, partition));
                openedFor.add(partition);
            }
        }
        handOver(conductor);
        releaseRemoved(conductor);
        return null;
    }

    /** The shards give back the logs of the replicas removed here; {@link #finish} retires them. */
    private void releaseRemoved(final Conductor conductor)
    {
        released = new PartitionLog[removedHere.size()];
        for (int i = 0; i < removedHere.size(); i++)
        {
            final Partition partition = removedHere.get(i);
            final int slot = i;
            conductor.send(partition.shard(), new PartitionCommand()
            {
                @Override
                void run(final Shard shard)
                {
                    released[slot] = shard.release(partition);
                }
            });
        }
    }

    private void handOver(final Conductor conductor)
    {
        for (int i = 0; i < opened.size(); i++)
        {
            final Partition partition = openedFor.get(i);
            final PartitionLog log = opened.get(i);
            conductor.send(partition.shard(), new PartitionCommand()
            {
                @Override
                void run(final Shard shard)
                {
                    shard.adopt(partition, log);
                }
            });
        }
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        if (shardFailure != null)
        {
            return TopicResult.failed(TopicResult.Outcome.FAILED, "a shard could not take a partition of " + name + ": " + shardFailure);
        }
        conductor.registry().publish(applied);
        // The answers' volatile countdown orders each shard's write of its slot before this read.
        for (int i = 0; i < released.length; i++)
        {
            if (released[i] != null)
            {
                conductor.retireLog(removedHere.get(i), released[i]);
            }
        }
        if (released.length > 0)
        {
            // A replica given back to this broker later must not inherit the removed one's log start.
            conductor.checkpointLogStarts();
        }
        return TopicResult.done(applied);
    }

    @Override
    void abandon(final Conductor conductor)
    {
        conductor.deleteLogsNobodyOwns(opened);
    }
}
