package io.runnel.kernel.metadata;

import java.util.List;

/**
 * The metadata quorum as this node knows it at one moment, for DescribeQuorum: its leader, the
 * leader's term (KRaft's leader epoch), how far the log is committed (the high watermark), and the
 * voters and observers with how far each is known to have come. What this node cannot know is
 * {@link #UNKNOWN}, as Kafka reports a replica it has not heard from.
 *
 * @param leaderId      the quorum's leader, -1 while none is known
 * @param leaderEpoch   the leader's term, {@link #UNKNOWN} when not known here
 * @param highWatermark the committed position of the quorum's log, {@link #UNKNOWN} when not known here
 * @param voters        the voters, by node id
 * @param observers     the registered brokers that are not voters, by node id
 * @param endpoints     where the voters are reached (their controller listeners)
 */
public record QuorumStatus(int leaderId, long leaderEpoch, long highWatermark, List<Replica> voters, List<Replica> observers,
    List<Endpoint> endpoints)
{
    /** What this node does not know. */
    public static final long UNKNOWN = -1;

    /**
     * One replica of the quorum's log.
     *
     * @param nodeId                  its node id
     * @param logEndOffset            how far its log is known to reach, {@link #UNKNOWN} if not known
     * @param lastFetchTimestampMs    when it was last known to read the log (epoch ms), {@link #UNKNOWN} if never
     * @param lastCaughtUpTimestampMs when it was last known to be caught up (epoch ms), {@link #UNKNOWN} if never
     */
    public record Replica(int nodeId, long logEndOffset, long lastFetchTimestampMs, long lastCaughtUpTimestampMs)
    {
        /** A replica this node knows nothing of but its id. */
        public static Replica unknown(final int nodeId)
        {
            return new Replica(nodeId, UNKNOWN, UNKNOWN, UNKNOWN);
        }
    }

    /** A voter's controller listener. */
    public record Endpoint(int nodeId, String listenerName, String host, int port)
    {
    }

    public QuorumStatus
    {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
        endpoints = List.copyOf(endpoints);
    }

    /**
     * A single node: its own one-voter quorum, leading its only term, always caught up with itself.
     *
     * @param logEndOffset how far its metadata has come
     * @param nowMs        the time of the answer (epoch ms)
     */
    public static QuorumStatus singleVoter(final int nodeId, final long logEndOffset, final long nowMs)
    {
        return new QuorumStatus(nodeId, 1, logEndOffset, List.of(new Replica(nodeId, logEndOffset, nowMs, nowMs)), List.of(), List.of());
    }
}
