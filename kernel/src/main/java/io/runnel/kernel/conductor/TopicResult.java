package io.runnel.kernel.conductor;

import io.runnel.kernel.topic.Topic;

/**
 * What the conductor answers for one topic change.
 *
 * @param outcome what happened
 * @param topic   the topic as it now is (created, grown or reconfigured), the deleted topic, or null
 * @param message why it failed, for the client's error message; null on success
 */
public record TopicResult(Outcome outcome, Topic topic, String message)
{
    public enum Outcome
    {
        /** Created, grown, reconfigured or deleted as asked. */
        DONE,
        /** Create: a topic of that name exists. */
        ALREADY_EXISTS,
        /** Grow or delete: no topic of that name. */
        UNKNOWN_TOPIC,
        /** Grow: the new count is not larger than the current one. */
        INVALID_PARTITIONS,
        /** Configs: a key or value is not valid; nothing changed. */
        INVALID_CONFIG,
        /** Configs: the change cannot be made at all (a key that cannot change at run time); nothing changed. */
        INVALID_REQUEST,
        /** Create: more replicas asked for than there are brokers to hold them. */
        INVALID_REPLICATION_FACTOR,
        /** ElectLeaders: the partition already has the leader asked for (its preferred replica, or any for an unclean election). */
        ELECTION_NOT_NEEDED,
        /** ElectLeaders: no replica may lead as asked (the preferred one is out of sync or down; no replica is up). */
        NOT_ELECTABLE,
        /** AlterPartitionReassignments: the target replicas are empty, name a broker twice, or an unknown broker. */
        INVALID_REPLICA_ASSIGNMENT,
        /** AlterPartitionReassignments: a cancel of a partition that is not being reassigned. */
        NO_REASSIGNMENT_IN_PROGRESS,
        /** A cluster member: the metadata quorum did not answer in time; the change may or may not have been made. */
        TIMED_OUT,
        /** The conductor's queue is full: retry later. */
        BUSY,
        /** File or metadata work failed; nothing was made visible. */
        FAILED
    }

    public static TopicResult done(final Topic topic)
    {
        return new TopicResult(Outcome.DONE, topic, null);
    }

    public static TopicResult failed(final Outcome outcome, final String message)
    {
        return new TopicResult(outcome, null, message);
    }

    public boolean isDone()
    {
        return outcome == Outcome.DONE;
    }
}
