package io.runnel.kernel.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cleaner's key → newest offset map: Kafka's SkimpyOffsetMap semantics over off-heap open addressing. */
class OffsetMapTest
{
    private OffsetMap map;

    @AfterEach
    void free()
    {
        if (map != null)
        {
            map.free();
        }
    }

    private static ByteBuffer key(final String key)
    {
        return ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeyMapsToTheNewestOffsetPutForIt()
    {
        map = new OffsetMap(1024 * OffsetMap.BYTES_PER_ENTRY, 0.9);
        map.put(key("a"), 3);
        map.put(key("b"), 4);
        map.put(key("a"), 7);

        assertEquals(7, map.get(key("a")));
        assertEquals(4, map.get(key("b")));
        assertEquals(2, map.size());
        assertEquals(7, map.latestOffset());
    }

    @Test
    void anAbsentKeyIsMinusOne()
    {
        map = new OffsetMap(64 * OffsetMap.BYTES_PER_ENTRY, 0.9);
        map.put(key("present"), 0);

        assertEquals(-1, map.get(key("absent")));
        assertEquals(0, map.get(key("present")), "offset 0 is a real offset, not an empty slot");
    }

    @Test
    void theKeyIsReadBetweenPositionAndLimitAndNotConsumed()
    {
        map = new OffsetMap(64 * OffsetMap.BYTES_PER_ENTRY, 0.9);
        final ByteBuffer framed = ByteBuffer.wrap("xxkeyyy".getBytes(StandardCharsets.UTF_8));
        framed.position(2).limit(5);
        map.put(framed, 9);

        assertEquals(2, framed.position());
        assertEquals(9, map.get(key("key")));
    }

    @Test
    void manyKeysSurviveCollisionsUpToTheLoadFactor()
    {
        final int slots = 10_000;
        map = new OffsetMap(slots * OffsetMap.BYTES_PER_ENTRY, 0.9);
        int keys = 0;
        while (!map.isFull())
        {
            map.put(key("key-" + keys), keys * 2L);
            keys++;
        }
        assertEquals(map.maxEntries(), keys);
        assertEquals(9_000, keys);
        for (int i = 0; i < keys; i++)
        {
            assertEquals(i * 2L, map.get(key("key-" + i)), "key-" + i);
        }
        assertEquals(-1, map.get(key("never-put")));
        assertTrue(map.probesPerLookup() >= 1.0);
    }

    @Test
    void clearEmptiesTheMapForTheNextClean()
    {
        map = new OffsetMap(128 * OffsetMap.BYTES_PER_ENTRY, 0.5);
        for (int i = 0; i < 64; i++)
        {
            map.put(key("k" + i), i);
        }
        assertTrue(map.isFull());

        map.clear();

        assertFalse(map.isFull());
        assertEquals(0, map.size());
        assertEquals(-1, map.latestOffset());
        assertEquals(-1, map.get(key("k1")));
    }

    @Test
    void scannedOffsetsWithoutKeysStillMoveTheLatestOffset()
    {
        map = new OffsetMap(16 * OffsetMap.BYTES_PER_ENTRY, 0.9);
        map.put(key("a"), 5);
        map.updateLatestOffset(12);
        map.updateLatestOffset(8);

        assertEquals(12, map.latestOffset());
    }

    @Test
    void aMapTooSmallForTwoEntriesIsRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new OffsetMap(OffsetMap.BYTES_PER_ENTRY, 0.9));
    }
}
