package io.runnel.cluster.metadata;

import java.nio.ByteOrder;

import io.runnel.cluster.quorum.ReplicatedStateMachine.SnapshotReader;
import io.runnel.cluster.quorum.ReplicatedStateMachine.SnapshotWriter;
import org.agrona.ExpandableArrayBuffer;

/**
 * A snapshot of the metadata state: the image's records (ImageBegin ... ImageEnd, exactly what a
 * subscriber gets), each framed by its length, the frames cut into chunks of whatever size the host
 * takes. Reading them back through a {@link MetadataImageBuilder} is the same code that applies a
 * subscription, so a snapshot and an image cannot disagree.
 */
final class ImageSnapshot
{
    private static final int FRAME_HEADER_LENGTH = Integer.BYTES;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final MetadataRecordEncoder encoder = new MetadataRecordEncoder();
    private final ExpandableArrayBuffer record = new ExpandableArrayBuffer(4096);

    void write(final MetadataImage image, final SnapshotWriter snapshot)
    {
        final ExpandableArrayBuffer frames = new ExpandableArrayBuffer(64 * 1024);
        final int[] end = new int[1];
        encoder.writeImage(image, 0, record, (buffer, offset, length) ->
        {
            frames.putInt(end[0], length, ORDER);
            frames.putBytes(end[0] + FRAME_HEADER_LENGTH, buffer, offset, length);
            end[0] += FRAME_HEADER_LENGTH + length;
        });
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
    MetadataImage read(final SnapshotReader snapshot)
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
        return builder.image();
    }
}
