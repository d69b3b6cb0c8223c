package io.runnel.kernel.producer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import io.runnel.codecs.batch.RecordBatch;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Idempotent-producer state of one partition: sequence checks before an append and a snapshot
 * file ({@code <offset>.snapshot}) so that the state survives a restart. After a crash the log
 * tail past the newest snapshot is replayed through {@link #onAppend}.
 */
public final class ProducerStateManager
{
    /** Outcome of {@link #check}; {@link #duplicateOffset()} holds the original offset for DUPLICATE. */
    public enum Check
    {
        NOT_IDEMPOTENT, APPEND, DUPLICATE, OUT_OF_ORDER_SEQUENCE, INVALID_EPOCH
    }

    private static final String SNAPSHOT_SUFFIX = ".snapshot";
    private static final int SNAPSHOT_MAGIC = 0x52534E50; // "RSNP"
    private static final short SNAPSHOT_VERSION = 1;

    private final Path dir;
    private final Long2ObjectHashMap<ProducerEntry> producers = new Long2ObjectHashMap<>();
    private long duplicateOffset;

    public ProducerStateManager(final Path dir)
    {
        this.dir = dir;
    }

    public Check check(final RecordBatch batch)
    {
        final long producerId = batch.producerId();
        if (producerId == RecordBatch.NO_PRODUCER_ID)
        {
            return Check.NOT_IDEMPOTENT;
        }
        final short epoch = batch.producerEpoch();
        final int first = batch.baseSequence();
        final ProducerEntry entry = producers.get(producerId);
        if (entry == null)
        {
            // Like Kafka since KIP-360: a producer we hold no state for (new, or its state expired)
            // may start at any sequence.
            return Check.APPEND;
        }
        if (epoch < entry.epoch)
        {
            return Check.INVALID_EPOCH;
        }
        if (epoch > entry.epoch)
        {
            return first == 0 ? Check.APPEND : Check.OUT_OF_ORDER_SEQUENCE;
        }
        final long original = entry.duplicateOf(first, batch.lastSequence());
        if (original >= 0)
        {
            duplicateOffset = original;
            return Check.DUPLICATE;
        }
        final int last = entry.lastSequence();
        final boolean inSequence = last < 0 ? first == 0 : first == (last == Integer.MAX_VALUE ? 0 : last + 1);
        return inSequence ? Check.APPEND : Check.OUT_OF_ORDER_SEQUENCE;
    }

    public long duplicateOffset()
    {
        return duplicateOffset;
    }

    /** Records a batch now in the log (offsets already assigned). */
    public void onAppend(final RecordBatch batch)
    {
        final long producerId = batch.producerId();
        if (producerId == RecordBatch.NO_PRODUCER_ID)
        {
            return;
        }
        ProducerEntry entry = producers.get(producerId);
        if (entry == null)
        {
            entry = new ProducerEntry(producerId, batch.producerEpoch());
            producers.put(producerId, entry);
        }
        entry.add(batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
            batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
    }

    public int producerCount()
    {
        return producers.size();
    }

    /** Hands every producer this log remembers to {@code action} (the cleaner's snapshot of active producers). */
    public void forEachProducer(final java.util.function.Consumer<ProducerEntry> action)
    {
        producers.values().forEach(action);
    }

    public ProducerEntry entry(final long producerId)
    {
        return producers.get(producerId);
    }

    public void clear()
    {
        producers.clear();
    }

    /** Writes a snapshot of the state as of {@code nextOffset} and removes older snapshots. */
    public void takeSnapshot(final long nextOffset)
    {
        int size = 4 + 2 + 8 + 4;
        for (final ProducerEntry entry : producers.values())
        {
            size += 8 + 2 + 1 + entry.count * (4 + 4 + 8 + 8 + 8);
        }
        final ByteBuffer bytes = ByteBuffer.allocate(size + 4);
        bytes.putInt(SNAPSHOT_MAGIC).putShort(SNAPSHOT_VERSION).putLong(nextOffset).putInt(producers.size());
        for (final ProducerEntry entry : producers.values())
        {
            bytes.putLong(entry.producerId).putShort(entry.epoch).put((byte)entry.count);
            for (int i = 0; i < entry.count; i++)
            {
                final int s = entry.slot(i);
                bytes.putInt(entry.firstSequence[s]).putInt(entry.lastSequence[s])
                    .putLong(entry.firstOffset[s]).putLong(entry.lastOffset[s]).putLong(entry.timestamp[s]);
            }
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, size);
        bytes.putInt((int)crc.getValue()).flip();
        final Path target = dir.resolve(String.format("%020d%s", nextOffset, SNAPSHOT_SUFFIX));
        final Path temp = dir.resolve(target.getFileName() + ".tmp");
        try
        {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
            {
                while (bytes.hasRemaining())
                {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (final Path old : listSnapshots())
            {
                if (!old.equals(target))
                {
                    Files.deleteIfExists(old);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write producer snapshot " + target, ex);
        }
    }

    /**
     * Loads the newest intact snapshot taken at or before {@code logEndOffset}.
     *
     * @return the offset the snapshot covers up to (replay the log from there), or -1 if none.
     */
    public long loadSnapshot(final long logEndOffset)
    {
        producers.clear();
        final List<Path> snapshots = listSnapshots();
        snapshots.sort((a, b) -> Long.compare(offsetOf(b), offsetOf(a)));
        for (final Path snapshot : snapshots)
        {
            if (offsetOf(snapshot) > logEndOffset)
            {
                // The log was truncated below it: its state names batches that are gone. Delete it,
                // or it would be loaded once the log grows past its offset again.
                try
                {
                    Files.deleteIfExists(snapshot);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot delete stale snapshot " + snapshot, ex);
                }
                continue;
            }
            try
            {
                final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(snapshot));
                if (readSnapshot(bytes))
                {
                    return offsetOf(snapshot);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                producers.clear();
            }
        }
        return -1;
    }

    /**
     * Decodes one snapshot file exactly as {@link #loadSnapshot} would, for tools that inspect a
     * partition directory ({@code bin/runnel dump-log}).
     *
     * @return its producers, or null if the file is not an intact snapshot.
     */
    public static List<ProducerEntry> readSnapshotFile(final Path file) throws IOException
    {
        final ProducerStateManager state = new ProducerStateManager(file.toAbsolutePath().getParent());
        try
        {
            if (!state.readSnapshot(ByteBuffer.wrap(Files.readAllBytes(file))))
            {
                return null;
            }
        }
        catch (final RuntimeException ex)
        {
            // A count or length that runs past the end: not an intact snapshot.
            return null;
        }
        return new ArrayList<>(state.producers.values());
    }

    private boolean readSnapshot(final ByteBuffer bytes)
    {
        if (bytes.remaining() < 22)
        {
            return false;
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes.array(), 0, bytes.limit() - 4);
        if ((int)crc.getValue() != bytes.getInt(bytes.limit() - 4) || bytes.getInt() != SNAPSHOT_MAGIC || bytes.getShort() != SNAPSHOT_VERSION)
        {
            return false;
        }
        bytes.getLong();
        final int count = bytes.getInt();
        for (int p = 0; p < count; p++)
        {
            final ProducerEntry entry = new ProducerEntry(bytes.getLong(), bytes.getShort());
            final int batches = bytes.get();
            for (int i = 0; i < batches; i++)
            {
                entry.add(entry.epoch, bytes.getInt(), bytes.getInt(), bytes.getLong(), bytes.getLong(), bytes.getLong());
            }
            producers.put(entry.producerId, entry);
        }
        return true;
    }

    private List<Path> listSnapshots()
    {
        final List<Path> result = new ArrayList<>();
        try (var files = Files.newDirectoryStream(dir, "*" + SNAPSHOT_SUFFIX))
        {
            files.forEach(result::add);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list snapshots in " + dir, ex);
        }
        return result;
    }

    private static long offsetOf(final Path snapshot)
    {
        final String name = snapshot.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - SNAPSHOT_SUFFIX.length()));
    }
}
