package io.runnel.kernel.cleaner;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Key → newest offset, for one clean: Kafka's {@code SkimpyOffsetMap}. Off-heap open addressing over
 * the MD5 of each key: an entry is the 16-byte hash and the offset, so a key of any size costs 24
 * bytes and the map never allocates once built. Two keys with the same MD5 would share an entry
 * (the older one would then be cleaned away too soon); with 2^128 hashes that is accepted, as in
 * Kafka. One thread only.
 */
public final class OffsetMap
{
    static final int HASH_BYTES = 16;
    /** Hash, then offset + 1 (0 marks an empty slot, so a cleared map is all zeroes). */
    public static final int BYTES_PER_ENTRY = HASH_BYTES + Long.BYTES;
    private static final int OFFSET_FIELD = HASH_BYTES;

    private final ByteBuffer memory;
    private final UnsafeBuffer entries;
    private final int slots;
    private final int maxEntries;
    private final MessageDigest digest;
    private final byte[] hash = new byte[HASH_BYTES];
    private final UnsafeBuffer hashView = new UnsafeBuffer(hash);
    private int size;
    private long latestOffset = -1;
    private long lookups;
    private long probes;

    /**
     * @param memoryBytes bytes of off-heap memory (log.cleaner.dedupe.buffer.size / log.cleaner.threads)
     * @param loadFactor  how full the map may get (log.cleaner.io.buffer.load.factor): a fuller
     *                    open-addressing table probes longer
     */
    public OffsetMap(final int memoryBytes, final double loadFactor)
    {
        this.slots = memoryBytes / BYTES_PER_ENTRY;
        if (slots < 2)
        {
            throw new IllegalArgumentException("an offset map of " + memoryBytes + " bytes holds fewer than two entries");
        }
        // One slot always stays empty, so a probe for a missing key ends.
        this.maxEntries = Math.max(1, Math.min(slots - 1, (int)(slots * loadFactor)));
        this.memory = ByteBuffer.allocateDirect(slots * BYTES_PER_ENTRY);
        this.entries = new UnsafeBuffer(memory);
        try
        {
            this.digest = MessageDigest.getInstance("MD5");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("the JVM has no MD5", ex);
        }
    }

    /** Records {@code offset} as the newest of {@code key} (the bytes between its position and limit). */
    public void put(final ByteBuffer key, final long offset)
    {
        hashOf(key);
        int slot = firstSlot();
        while (true)
        {
            final int at = slot * BYTES_PER_ENTRY;
            final long stored = entries.getLong(at + OFFSET_FIELD);
            if (stored == 0)
            {
                entries.putBytes(at, hash, 0, HASH_BYTES);
                entries.putLong(at + OFFSET_FIELD, offset + 1);
                size++;
                break;
            }
            if (sameHash(at))
            {
                entries.putLong(at + OFFSET_FIELD, offset + 1);
                break;
            }
            slot = next(slot);
        }
        latestOffset = Math.max(latestOffset, offset);
    }

    /** @return the newest offset recorded for {@code key}, or -1 if none is. */
    public long get(final ByteBuffer key)
    {
        hashOf(key);
        lookups++;
        int slot = firstSlot();
        for (int attempt = 0; attempt < slots; attempt++)
        {
            probes++;
            final int at = slot * BYTES_PER_ENTRY;
            final long stored = entries.getLong(at + OFFSET_FIELD);
            if (stored == 0)
            {
                return -1;
            }
            if (sameHash(at))
            {
                return stored - 1;
            }
            slot = next(slot);
        }
        return -1;
    }

    /** The map holds offsets of records scanned up to here, keyed or not (Kafka's updateLatestOffset). */
    public void updateLatestOffset(final long offset)
    {
        latestOffset = Math.max(latestOffset, offset);
    }

    /** Empties the map for the next clean. */
    public void clear()
    {
        if (size > 0)
        {
            entries.setMemory(0, slots * BYTES_PER_ENTRY, (byte)0);
        }
        size = 0;
        latestOffset = -1;
        lookups = 0;
        probes = 0;
    }

    /** True once the map holds as many keys as its load factor allows: the next new key must wait for another clean. */
    public boolean isFull()
    {
        return size >= maxEntries;
    }

    public int size()
    {
        return size;
    }

    public int slots()
    {
        return slots;
    }

    public int maxEntries()
    {
        return maxEntries;
    }

    /** The highest offset put or scanned since the last clear; -1 if none. */
    public long latestOffset()
    {
        return latestOffset;
    }

    /** Average slots probed per lookup since the last clear (1.0 is ideal). */
    public double probesPerLookup()
    {
        return lookups == 0 ? 0 : (double)probes / lookups;
    }

    /** Frees the off-heap memory; the map is unusable afterwards. */
    public void free()
    {
        BufferUtil.free(memory);
    }

    private void hashOf(final ByteBuffer key)
    {
        digest.reset();
        digest.update(key.duplicate());
        try
        {
            digest.digest(hash, 0, HASH_BYTES);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException("MD5 digest failed", ex);
        }
    }

    private int firstSlot()
    {
        return (int)((hashView.getLong(0, ByteOrder.BIG_ENDIAN) & Long.MAX_VALUE) % slots);
    }

    private int next(final int slot)
    {
        return slot + 1 == slots ? 0 : slot + 1;
    }

    private boolean sameHash(final int at)
    {
        return entries.getLong(at) == hashView.getLong(0) && entries.getLong(at + Long.BYTES) == hashView.getLong(Long.BYTES);
    }
}
