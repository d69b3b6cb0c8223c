package io.runnel.cluster.member;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.runnel.kernel.producer.ProducerIds;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuorumProducerIdsTest
{
    private final List<QuorumProducerIds> asks = new ArrayList<>();
    private final QuorumProducerIds ids = new QuorumProducerIds(asks::add);

    @Test
    void noIdBeforeTheFirstBlockAndOneAskAtATime()
    {
        assertEquals(ProducerIds.NONE_AVAILABLE, ids.nextProducerId());
        assertEquals(ProducerIds.NONE_AVAILABLE, ids.nextProducerId());
        assertEquals(1, asks.size(), "one ask in flight");
        ids.onBlock(5000, 1000);
        assertEquals(5000, ids.nextProducerId());
        assertEquals(5001, ids.nextProducerId());
    }

    @Test
    void theNextBlockIsAskedForAtHalfAndTakenOverWithoutAGap()
    {
        ids.prefetch();
        ids.onBlock(0, 10);
        asks.clear();
        final Set<Long> handed = new HashSet<>();
        for (int i = 0; i < 5; i++)
        {
            handed.add(ids.nextProducerId());
        }
        assertEquals(1, asks.size(), "asked at half the block");
        ids.onBlock(3000, 10);
        for (int i = 0; i < 15; i++)
        {
            final long id = ids.nextProducerId();
            assertTrue(id >= 0, "an id at hand");
            assertTrue(handed.add(id), "never the same id twice: " + id);
        }
        assertTrue(handed.contains(9L) && handed.contains(3000L) && handed.contains(3009L));
    }

    @Test
    void anAskWithoutAnswerIsMadeAgain()
    {
        ids.prefetch();
        ids.onNoBlock();
        ids.nextProducerId();
        assertEquals(2, asks.size());
    }
}
