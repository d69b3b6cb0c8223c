package io.runnel.cluster.metadata;

import java.nio.ByteOrder;

import io.runnel.cluster.quorum.ReplicatedStateMachine.SnapshotReader;
import io.runnel.cluster.quorum.ReplicatedStateMachine.SnapshotWriter;
import org.agrona.ExpandableArrayBuffer;

/**
 * A snapshot of the metadata state: the image's records (ImageBegin ... ImageEnd, exactly what a
 * subscriber gets), each framed by its length, the frames cut into chunks of whatever size the host
 * takes. Reading them back through a {@link MetadataImageBuilder} is the same code that applies a
 * subscription, so a snapshot and an image cannot disagree. After the image, one frame of the
 * machine's own state that is not metadata: when the newest leadership term began (sessions' grace).
 * A snapshot without it (written before it existed) loads with no term start.
 */
final class ImageSnapshot
{
    /** No leadership term seen yet: no grace. */
    static final long NO_TERM_START = Long.MIN_VALUE;

    /** What a snapshot holds. */
    record Loaded(MetadataImage image, long leadershipTermStartMs)
    {
    }

    private static final int FRAME_HEADER_LENGTH = Integer.BYTES;
    /** The trailing frame: this marker (not a record type), then the term start. */
    private static final int MACHINE_STATE_MARKER = 0x524E5453;
    private static final int MACHINE_STATE_LENGTH = Integer.BYTES + Long.BYTES;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final MetadataRecordEncoder encoder = new MetadataRecordEncoder();
    private final ExpandableArrayBuffer record = new ExpandableArrayBuffer(4096);

    void write(final MetadataImage image, final long leadershipTermStartMs, final SnapshotWriter snapshot)
    {
        final ExpandableArrayBuffer frames = new ExpandableArrayBuffer(64 * 1024);
        final int[] end = new int[1];
        encoder.writeImage(image, 0, record, (buffer, offset, length) ->
        {
            frames.putInt(end[0], length, ORDER);
            frames.putBytes(end[0] + FRAME_HEADER_LENGTH, buffer, offset, length);
            end[0] += FRAME_HEADER_LENGTH + length;
        });
        frames.putInt(end[0], MACHINE_STATE_LENGTH, ORDER);
        frames.putInt(end[0] + FRAME_HEADER_LENGTH, MACHINE_STATE_MARKER, ORDER);
        frames.putLong(end[0] + FRAME_HEADER_LENGTH + Integer.BYTES, leadershipTermStartMs, ORDER);
        end[0] += FRAME_HEADER_LENGTH + MACHINE_STATE_LENGTH;
        final int chunkLength = snapshot.maxChunkLength();
        for (int offset = 0; offset < end[0]; offset += chunkLength)
        {
            snapshot.write(frames, offset, Math.min(chunkLength, end[0] - offset));
        }
    }

    /**
     * @throws IllegalStateException if the chunks are not one whole image: a snapshot is ours, so
     *                               a bad one is corruption and the node must not start on it.
     */
    Loaded read(final SnapshotReader snapshot)
    {
        final ExpandableArrayBuffer frames = new ExpandableArrayBuffer(64 * 1024);
        final int[] end = new int[1];
        snapshot.readAll((buffer, offset, length) ->
        {
            frames.putBytes(end[0], buffer, offset, length);
            end[0] += length;
        });
        final MetadataImageBuilder builder = new MetadataImageBuilder();
        boolean complete = false;
        long leadershipTermStartMs = NO_TERM_START;
        int position = 0;
        while (position < end[0])
        {
            if (end[0] - position < FRAME_HEADER_LENGTH)
            {
                throw new IllegalStateException("metadata snapshot: a torn frame header at byte " + position);
            }
            final int length = frames.getInt(position, ORDER);
            if (length <= 0 || length > end[0] - position - FRAME_HEADER_LENGTH)
            {
                throw new IllegalStateException("metadata snapshot: a frame of " + length + " bytes at byte " + position);
            }
            if (complete)
            {
                if (length != MACHINE_STATE_LENGTH || frames.getInt(position + FRAME_HEADER_LENGTH, ORDER) != MACHINE_STATE_MARKER)
                {
                    throw new IllegalStateException("metadata snapshot: a frame after the image that is not the machine's state, at byte " +
                        position);
                }
                leadershipTermStartMs = frames.getLong(position + FRAME_HEADER_LENGTH + Integer.BYTES, ORDER);
                position += FRAME_HEADER_LENGTH + length;
                continue;
            }
            try
            {
                complete = builder.apply(frames, position + FRAME_HEADER_LENGTH, length);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalStateException("metadata snapshot: a bad record at byte " + position, ex);
            }
            position += FRAME_HEADER_LENGTH + length;
        }
        if (!complete)
        {
            throw new IllegalStateException("metadata snapshot does not end with a whole image (" + end[0] + " bytes)");
        }
        return new Loaded(builder.image(), leadershipTermStartMs);
    }
}
