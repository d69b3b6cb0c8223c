package io.runnel.codecs.batch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

import io.runnel.codecs.compression.CompressedRecordsInspector;
import io.runnel.codecs.sbe.RecordBatchHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * Re-encodes one RecordBatch v2 with another codec, for a topic whose compression.type is not the
 * producer's. A v2 batch's records section is the same record bytes whatever the codec (the codec
 * only compresses that section), so the records are decompressed and compressed again byte for
 * byte, never parsed: every record keeps its attributes, timestamp and offset deltas, key, value
 * and headers exactly. The 61-byte header is copied with only the codec bits of its attributes,
 * its batch length and its CRC changed, so producer id, epoch, base sequence, the transactional and
 * control flags, base and max timestamps and the last offset delta are kept.
 *
 * <p>Off the hot path (a topic with compression.type=producer, or a batch already in the topic's
 * codec, is never given to this class). The result lives in one buffer reused by the next call;
 * a buffer grown past {@link #MAX_RETAINED_BYTES} for a large batch is dropped at the next call.
 * Not thread-safe: one per thread.
 */
public final class BatchRecompressor
{
    /** A buffer grown larger than this for one large batch is not kept for the next. */
    static final int MAX_RETAINED_BYTES = 4 << 20;
    private static final int INITIAL_BYTES = 64 * 1024;
    private static final int COPY_CHUNK_BYTES = 16 * 1024;
    private static final int COMPRESSION_MASK = 0x07;

    private final CompressedRecordsInspector decompressor = new CompressedRecordsInspector();
    private final RecordBatchHeaderEncoder header = new RecordBatchHeaderEncoder();
    private final RecordBatch recompressed = new RecordBatch();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final byte[] chunk = new byte[COPY_CHUNK_BYTES];
    private ByteBufferOutputStream out = new ByteBufferOutputStream(INITIAL_BYTES);

    /**
     * Re-encodes the batch at {@code buffer[offset, offset + length)} (one whole, validated batch)
     * with {@code target}. The source is not changed.
     *
     * @return the new batch's bytes (position 0, limit its size), valid until the next call; its
     *     header is {@link #batch()}
     * @throws IOException if the source's records section cannot be decompressed
     */
    public ByteBuffer recompress(final DirectBuffer buffer, final int offset, final int length, final Compression target) throws IOException
    {
        if (out.buffer().capacity() > MAX_RETAINED_BYTES)
        {
            out = new ByteBufferOutputStream(INITIAL_BYTES);
        }
        out.position(RecordBatch.HEADER_SIZE);
        final int sourceCodec = recompressed.wrap(buffer, offset).compressionId();
        final short attributes = recompressed.attributes();
        final int recordsOffset = offset + RecordBatch.HEADER_SIZE;
        final int recordsLength = length - RecordBatch.HEADER_SIZE;
        final OutputStream sink = target.type() == CompressionType.NONE ? out : target.wrapForOutput(out, RecordBatch.MAGIC_V2);
        try (OutputStream ignored = sink)
        {
            if (sourceCodec == 0)
            {
                copy(buffer, recordsOffset, recordsLength, sink);
            }
            else
            {
                try (InputStream records = decompressor.open(buffer, recordsOffset, recordsLength, sourceCodec))
                {
                    copy(records, sink);
                }
            }
        }
        final ByteBuffer bytes = out.buffer();
        final int size = out.position();
        bytes.limit(size).position(0);
        view.wrap(bytes, 0, size);
        view.putBytes(0, buffer, offset, RecordBatch.HEADER_SIZE);
        header.wrap(view, 0)
            .batchLength(size - RecordBatch.LOG_OVERHEAD)
            .attributes((short)((attributes & ~COMPRESSION_MASK) | target.type().id));
        header.crc(recompressed.wrap(view, 0).computeCrc() & 0xFFFF_FFFFL);
        return bytes;
    }

    /** The header of the last re-encoded batch, over the returned bytes. */
    public RecordBatch batch()
    {
        return recompressed;
    }

    private void copy(final DirectBuffer buffer, final int offset, final int length, final OutputStream sink) throws IOException
    {
        for (int done = 0; done < length; )
        {
            final int n = Math.min(chunk.length, length - done);
            buffer.getBytes(offset + done, chunk, 0, n);
            sink.write(chunk, 0, n);
            done += n;
        }
    }

    private void copy(final InputStream source, final OutputStream sink) throws IOException
    {
        int n;
        while ((n = source.read(chunk, 0, chunk.length)) > 0)
        {
            sink.write(chunk, 0, n);
        }
    }
}
