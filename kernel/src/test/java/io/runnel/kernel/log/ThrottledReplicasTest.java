package io.runnel.kernel.log;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThrottledReplicasTest
{
    private static final String LEADER_KEY = TopicConfigDef.LEADER_REPLICATION_THROTTLED_REPLICAS;
    private static final String FOLLOWER_KEY = TopicConfigDef.FOLLOWER_REPLICATION_THROTTLED_REPLICAS;

    @Test
    void pairsNameTheirPartitionAndBrokerOnly()
    {
        final LogConfig config = LogConfig.defaults().withTopicOverrides(Map.of(LEADER_KEY, "0:1, 0:2,3:1"));
        final ThrottledReplicas leader = config.leaderThrottledReplicas();
        assertTrue(leader.covers(0, 1));
        assertTrue(leader.covers(0, 2));
        assertTrue(leader.covers(3, 1));
        assertFalse(leader.covers(1, 1));
        assertFalse(leader.covers(3, 2));
        assertSame(ThrottledReplicas.NONE, config.followerThrottledReplicas(), "the other list stays empty");
    }

    @Test
    void theWildcardCoversEveryReplicaAndTheDefaultNone()
    {
        final ThrottledReplicas all = LogConfig.defaults().withTopicOverrides(Map.of(FOLLOWER_KEY, "*")).followerThrottledReplicas();
        assertTrue(all.covers(7, 42));
        assertFalse(all.isEmpty());
        final ThrottledReplicas none = LogConfig.defaults().leaderThrottledReplicas();
        assertTrue(none.isEmpty());
        assertFalse(none.covers(0, 0));
        assertTrue(LogConfig.defaults().withTopicOverrides(Map.of(LEADER_KEY, "")).leaderThrottledReplicas().isEmpty());
    }

    @Test
    void anythingButPairsOrTheWildcardAloneIsRefusedInKafkasWords()
    {
        assertNull(TopicConfigDef.validate(LEADER_KEY, "0:1,1:2"));
        assertNull(TopicConfigDef.validate(FOLLOWER_KEY, "*"));
        assertNull(TopicConfigDef.validate(FOLLOWER_KEY, ""));
        final String expected = "Invalid value %s for configuration " + LEADER_KEY + ": " + LEADER_KEY + " must be the literal '*' or a list "
            + "of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...";
        assertEquals(String.format(expected, "[0:1, *]"), TopicConfigDef.validate(LEADER_KEY, "0:1,*"));
        assertEquals(String.format(expected, "[0-1]"), TopicConfigDef.validate(LEADER_KEY, "0-1"));
        assertEquals(String.format(expected, "[0:99999999999]"), TopicConfigDef.validate(LEADER_KEY, "0:99999999999"));
    }
}
