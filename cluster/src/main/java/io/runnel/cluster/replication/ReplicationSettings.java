package io.runnel.cluster.replication;

/**
 * How replication runs.
 *
 * @param localNodeId      this broker's node id
 * @param fetchRetryMs     how long a follower waits for its leader's answer before it asks again
 *                         (a lost message, a leader that restarted); also how often an idle
 *                         follower tells its leader it is alive
 * @param maxRecordsBytes  at most this many bytes of batches in one message (but always a whole first batch)
 * @param termLength       term length of the publications that carry batches; a message is at most an eighth of it
 * @param replicaLagTimeMaxMs Kafka's replica.lag.time.max.ms: a follower that has not caught up with the
 *                         leader's log end for this long leaves the ISR
 * @param leaderThrottle   what this broker, as a leader, sends to throttled replicas out of the ISR (leader.replication.throttled.rate)
 * @param followerThrottle what this broker takes in for its own throttled replicas out of the ISR (follower.replication.throttled.rate)
 */
public record ReplicationSettings(int localNodeId, long fetchRetryMs, int maxRecordsBytes, int termLength, long replicaLagTimeMaxMs,
    ReplicationThrottle leaderThrottle, ReplicationThrottle followerThrottle)
{
    public static ReplicationSettings defaults(final int localNodeId, final long replicaLagTimeMaxMs)
    {
        return new ReplicationSettings(localNodeId, 500, 1 << 20, 16 << 20, replicaLagTimeMaxMs,
            ReplicationThrottle.unlimited(), ReplicationThrottle.unlimited());
    }

    public ReplicationSettings withThrottles(final ReplicationThrottle leader, final ReplicationThrottle follower)
    {
        return new ReplicationSettings(localNodeId, fetchRetryMs, maxRecordsBytes, termLength, replicaLagTimeMaxMs, leader, follower);
    }
}
