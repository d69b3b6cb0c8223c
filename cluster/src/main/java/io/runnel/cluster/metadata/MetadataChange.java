package io.runnel.cluster.metadata;

import java.util.SortedMap;

import io.runnel.cluster.metadata.MetadataImage.Broker;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.quorum.ReplicatedStateMachine.QuorumOutput;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.IntArrayList;
import org.apache.kafka.common.Uuid;

/**
 * The records of one change, encoded as they are staged and applied together at
 * {@link #commit}: to the state machine's own {@link MetadataImageBuilder} (the only way its state
 * changes, exactly as a broker's image changes) and to every session as broadcasts closed by a
 * DeltaEnd. All records of a change carry the version the change will have: the image's plus one.
 */
final class MetadataChange
{
    private final MetadataRecordEncoder encoder = new MetadataRecordEncoder();
    private final ExpandableArrayBuffer staged = new ExpandableArrayBuffer(4096);
    private final IntArrayList offsets = new IntArrayList();
    private final IntArrayList lengths = new IntArrayList();
    private long version;
    private int end;

    /** Starts a change on top of an image at {@code currentVersion}. */
    void begin(final long currentVersion)
    {
        version = currentVersion + 1;
        offsets.clear();
        lengths.clear();
        end = 0;
    }

    /** The version this change will give the image. */
    long version()
    {
        return version;
    }

    boolean isEmpty()
    {
        return offsets.isEmpty();
    }

    void clusterId(final String clusterId)
    {
        staged(encoder.clusterId(staged, end, version, clusterId));
    }

    void broker(final Broker broker)
    {
        staged(encoder.broker(staged, end, version, broker));
    }

    void topic(final Uuid id, final String name, final SortedMap<String, String> configs)
    {
        staged(encoder.topic(staged, end, version, id, name, configs));
    }

    void partition(final Uuid topicId, final Partition partition)
    {
        staged(encoder.partition(staged, end, version, topicId, partition));
    }

    void removeTopic(final Uuid topicId)
    {
        staged(encoder.removeTopic(staged, end, version, topicId));
    }

    /** {@code value} null deletes the override. */
    void config(final Uuid topicId, final String key, final String value)
    {
        staged(encoder.config(staged, end, version, topicId, key, value));
    }

    void producerIds(final int nodeId, final long brokerEpoch, final long nextProducerId)
    {
        staged(encoder.producerIds(staged, end, version, nodeId, brokerEpoch, nextProducerId));
    }

    /**
     * Applies the staged records to {@code state} and broadcasts them, then a DeltaEnd. Nothing
     * happens for an empty change: the version moves only when something changed.
     */
    void commit(final MetadataImageBuilder state, final QuorumOutput out)
    {
        if (offsets.isEmpty())
        {
            return;
        }
        staged(encoder.deltaEnd(staged, end, version));
        for (int i = 0; i < offsets.size(); i++)
        {
            final int offset = offsets.getInt(i);
            final int length = lengths.getInt(i);
            state.apply(staged, offset, length);
            out.broadcast(staged, offset, length);
        }
        offsets.clear();
        lengths.clear();
        end = 0;
    }

    private void staged(final int length)
    {
        offsets.addInt(end);
        lengths.addInt(length);
        end += length;
    }
}
