package io.runnel.io.api.produce;

import java.nio.ByteBuffer;

/**
 * One shard thread's ByteBuffer views of request frames, for writing a batch to a log file. Several
 * shards append batches of the same frame at once, so each needs its own position and limit, but
 * frames come from bounded per-shard pools: a thread keeps one view per frame it has seen instead
 * of duplicating the frame for every append. Direct-mapped, so it never grows; a collision costs a
 * duplicate, as before. Frames too large to be pooled are not kept (they would be held alive here).
 */
final class FrameViews
{
    private static final int SLOTS = 64;
    private static final int MAX_CACHED_CAPACITY = 16 << 20;

    private final ByteBuffer[] frames = new ByteBuffer[SLOTS];
    private final ByteBuffer[] views = new ByteBuffer[SLOTS];

    /** A view of {@code frame}'s bytes [offset, offset + length), for use on this thread until its next call. */
    ByteBuffer view(final ByteBuffer frame, final int offset, final int length)
    {
        final ByteBuffer view;
        if (frame.capacity() > MAX_CACHED_CAPACITY)
        {
            view = frame.duplicate();
        }
        else
        {
            final int slot = System.identityHashCode(frame) & (SLOTS - 1);
            if (frames[slot] != frame)
            {
                frames[slot] = frame;
                views[slot] = frame.duplicate();
            }
            view = views[slot];
        }
        view.limit(offset + length).position(offset);
        return view;
    }
}
