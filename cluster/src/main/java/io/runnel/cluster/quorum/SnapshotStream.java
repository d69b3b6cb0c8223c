package io.runnel.cluster.quorum;

import java.nio.ByteOrder;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.cluster.client.ClusterException;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A machine's snapshot as a stream of framed messages in the snapshot recording: a BEGIN frame
 * (magic and format version), the machine's chunks each in a CHUNK frame, and an END frame with the
 * count of chunks. The END frame is what tells a complete snapshot from one cut short.
 */
final class SnapshotStream
{
    static final int FRAME_HEADER_LENGTH = BitUtil.SIZE_OF_INT;
    /** Chunks this size keep each snapshot message a handful of IPC fragments. */
    static final int MAX_CHUNK_LENGTH = 64 * 1024;

    private static final int BEGIN = 1;
    private static final int CHUNK = 2;
    private static final int END = 3;
    /** "RNQS": Runnel quorum snapshot. */
    private static final int MAGIC = 0x534E5152;
    private static final int FORMAT_VERSION = 1;
    private static final int FRAGMENT_LIMIT = 16;

    private SnapshotStream()
    {
    }

    /** Writes frames into the snapshot publication, waiting out back-pressure with the service's idle strategy. */
    static final class Writer implements ReplicatedStateMachine.SnapshotWriter
    {
        private final ExclusivePublication publication;
        private final IdleStrategy idle;
        private final UnsafeBuffer header = new UnsafeBuffer(new byte[FRAME_HEADER_LENGTH]);
        private final UnsafeBuffer control = new UnsafeBuffer(new byte[2 * BitUtil.SIZE_OF_LONG]);
        private final int maxChunkLength;
        private long chunks;

        Writer(final ExclusivePublication publication, final IdleStrategy idle)
        {
            this.publication = publication;
            this.idle = idle;
            this.maxChunkLength = Math.min(MAX_CHUNK_LENGTH, publication.maxMessageLength() - FRAME_HEADER_LENGTH);
        }

        void begin()
        {
            control.putInt(0, MAGIC, ByteOrder.LITTLE_ENDIAN);
            control.putInt(BitUtil.SIZE_OF_INT, FORMAT_VERSION, ByteOrder.LITTLE_ENDIAN);
            frame(BEGIN, control, 0, 2 * BitUtil.SIZE_OF_INT);
        }

        void end()
        {
            control.putLong(0, chunks, ByteOrder.LITTLE_ENDIAN);
            frame(END, control, 0, BitUtil.SIZE_OF_LONG);
        }

        @Override
        public int maxChunkLength()
        {
            return maxChunkLength;
        }

        @Override
        public void write(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length > maxChunkLength)
            {
                throw new IllegalArgumentException("snapshot chunk of " + length + " bytes exceeds " + maxChunkLength);
            }
            frame(CHUNK, buffer, offset, length);
            chunks++;
        }

        private void frame(final int type, final DirectBuffer buffer, final int offset, final int length)
        {
            header.putInt(0, type, ByteOrder.LITTLE_ENDIAN);
            idle.reset();
            while (true)
            {
                final long result = publication.offer(header, 0, FRAME_HEADER_LENGTH, buffer, offset, length, null);
                if (result > 0)
                {
                    return;
                }
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    throw new ClusterException("snapshot publication failed: " + Publication.errorString(result));
                }
                idle.idle();
            }
        }
    }

    /** Reads the frames of one snapshot image, handing each chunk on; once only. */
    static final class Reader implements ReplicatedStateMachine.SnapshotReader
    {
        private final Image image;
        private final IdleStrategy idle;
        private ReplicatedStateMachine.ChunkHandler handler;
        private boolean begun;
        private boolean ended;
        private boolean read;
        private long chunks;

        Reader(final Image image, final IdleStrategy idle)
        {
            this.image = image;
            this.idle = idle;
        }

        @Override
        public void readAll(final ReplicatedStateMachine.ChunkHandler chunk)
        {
            if (read)
            {
                throw new IllegalStateException("a snapshot is read once");
            }
            read = true;
            handler = chunk;
            final FragmentHandler assembler = new ImageFragmentAssembler(this::onFrame);
            idle.reset();
            while (!ended)
            {
                final int fragments = image.poll(assembler, FRAGMENT_LIMIT);
                if (0 == fragments && (image.isEndOfStream() || image.isClosed()))
                {
                    throw new ClusterException("snapshot image ended before its end frame after " + chunks + " chunks");
                }
                idle.idle(fragments);
            }
        }

        private void onFrame(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            final int type = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
            final int body = offset + FRAME_HEADER_LENGTH;
            switch (type)
            {
                case BEGIN:
                    if (MAGIC != buffer.getInt(body, ByteOrder.LITTLE_ENDIAN) ||
                        FORMAT_VERSION != buffer.getInt(body + BitUtil.SIZE_OF_INT, ByteOrder.LITTLE_ENDIAN))
                    {
                        throw new ClusterException("not a Runnel quorum snapshot, or of an unknown format version");
                    }
                    begun = true;
                    break;
                case CHUNK:
                    requireBegun();
                    chunks++;
                    handler.onChunk(buffer, body, length - FRAME_HEADER_LENGTH);
                    break;
                case END:
                    requireBegun();
                    final long written = buffer.getLong(body, ByteOrder.LITTLE_ENDIAN);
                    if (written != chunks)
                    {
                        throw new ClusterException("snapshot has " + chunks + " chunks, its end frame says " + written);
                    }
                    ended = true;
                    break;
                default:
                    throw new ClusterException("unknown snapshot frame type " + type);
            }
        }

        private void requireBegun()
        {
            if (!begun)
            {
                throw new ClusterException("snapshot frame before its begin frame");
            }
        }
    }
}
