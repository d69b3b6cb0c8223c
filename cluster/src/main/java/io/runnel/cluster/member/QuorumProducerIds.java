package io.runnel.cluster.member;

import java.util.function.Consumer;

import io.runnel.kernel.producer.ProducerIds;

/**
 * A cluster member's producer ids: blocks the metadata quorum allocates (AllocateProducerIds), so
 * no two brokers ever hand out the same id. The next block is asked for when half of the current
 * one is used, so InitProducerId rarely finds none at hand (it then answers a retriable error).
 */
final class QuorumProducerIds implements ProducerIds
{
    /** Asks the quorum for a block; the answer comes back through {@link #onBlock} (or never, and it is asked again). */
    private final Consumer<QuorumProducerIds> askForBlock;
    private long blockStart;
    private long next;
    private long end;
    private long nextBlockStart = -1;
    private long nextBlockEnd;
    private boolean asking;

    QuorumProducerIds(final Consumer<QuorumProducerIds> askForBlock)
    {
        this.askForBlock = askForBlock;
    }

    @Override
    public long nextProducerId()
    {
        final long id;
        final boolean ask;
        synchronized (this)
        {
            if (next >= end && nextBlockStart >= 0)
            {
                blockStart = nextBlockStart;
                next = nextBlockStart;
                end = nextBlockEnd;
                nextBlockStart = -1;
            }
            id = next < end ? next++ : NONE_AVAILABLE;
            ask = !asking && nextBlockStart < 0 && end - next <= (end - blockStart) / 2;
            if (ask)
            {
                asking = true;
            }
        }
        if (ask)
        {
            askForBlock.accept(this);
        }
        return id;
    }

    /** Asks for a block now if none is at hand or asked for (after registration, so the first producer needs no retry). */
    void prefetch()
    {
        synchronized (this)
        {
            if (asking || next < end || nextBlockStart >= 0)
            {
                return;
            }
            asking = true;
        }
        askForBlock.accept(this);
    }

    /** The quorum allocated ids {@code [first, first + size)} to this broker. */
    void onBlock(final long first, final int size)
    {
        synchronized (this)
        {
            asking = false;
            if (next >= end)
            {
                blockStart = first;
                next = first;
                end = first + size;
            }
            else
            {
                nextBlockStart = first;
                nextBlockEnd = first + size;
            }
        }
    }

    /** The ask got no answer (the quorum was unreachable or refused): the next id asks again. */
    void onNoBlock()
    {
        synchronized (this)
        {
            asking = false;
        }
    }
}
