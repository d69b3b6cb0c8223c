package io.runnel.kernel.producer;

/**
 * What a partition remembers of one idempotent producer: its epoch and the metadata of its last
 * {@value #CACHED_BATCHES} batches, so a retried batch is recognised and answered with the offset
 * it was first written at.
 */
public final class ProducerEntry
{
    /** Kafka's producer keeps at most five requests in flight per connection, so five batches suffice. */
    public static final int CACHED_BATCHES = 5;

    final long producerId;
    short epoch;
    /** Ring of recent batches, oldest first from {@code head}. */
    final int[] firstSequence = new int[CACHED_BATCHES];
    final int[] lastSequence = new int[CACHED_BATCHES];
    final long[] firstOffset = new long[CACHED_BATCHES];
    final long[] lastOffset = new long[CACHED_BATCHES];
    final long[] timestamp = new long[CACHED_BATCHES];
    int head;
    int count;

    ProducerEntry(final long producerId, final short epoch)
    {
        this.producerId = producerId;
        this.epoch = epoch;
    }

    public long producerId()
    {
        return producerId;
    }

    public short epoch()
    {
        return epoch;
    }

    public int batchCount()
    {
        return count;
    }

    /** First sequence of remembered batch {@code i}, oldest first (0 ≤ i < {@link #batchCount()}). */
    public int firstSequenceOf(final int i)
    {
        return firstSequence[slot(i)];
    }

    public int lastSequenceOf(final int i)
    {
        return lastSequence[slot(i)];
    }

    public long firstOffsetOf(final int i)
    {
        return firstOffset[slot(i)];
    }

    public long lastOffsetOf(final int i)
    {
        return lastOffset[slot(i)];
    }

    public long timestampOf(final int i)
    {
        return timestamp[slot(i)];
    }

    /** Last offset of the newest batch remembered, or -1 if none is. */
    public long lastOffset()
    {
        return count == 0 ? -1 : lastOffset[slot(count - 1)];
    }

    int slot(final int i)
    {
        return (head + i) % CACHED_BATCHES;
    }

    /** Last sequence written, or -1 if no batch is remembered for this epoch. */
    int lastSequence()
    {
        return count == 0 ? -1 : lastSequence[slot(count - 1)];
    }

    /** @return the first offset of a remembered batch with exactly these sequences, or -1. */
    long duplicateOf(final int first, final int last)
    {
        for (int i = 0; i < count; i++)
        {
            final int s = slot(i);
            if (firstSequence[s] == first && lastSequence[s] == last)
            {
                return firstOffset[s];
            }
        }
        return -1;
    }

    void add(final short batchEpoch, final int first, final int last, final long baseOffset, final long endOffset, final long maxTimestamp)
    {
        if (batchEpoch != epoch)
        {
            epoch = batchEpoch;
            count = 0;
            head = 0;
        }
        final int s;
        if (count == CACHED_BATCHES)
        {
            s = head;
            head = (head + 1) % CACHED_BATCHES;
        }
        else
        {
            s = slot(count);
            count++;
        }
        firstSequence[s] = first;
        lastSequence[s] = last;
        firstOffset[s] = baseOffset;
        lastOffset[s] = endOffset;
        timestamp[s] = maxTimestamp;
    }
}
