package io.runnel.cluster.quorum;

import org.agrona.DirectBuffer;

/**
 * A deterministic state machine that the metadata quorum replicates: every controller node runs
 * one, applies the same committed commands in the same order, and so holds the same state. The
 * quorum ({@link QuorumHost}) hosts it inside an Aeron Cluster clustered service; nothing here knows
 * about Aeron.
 *
 * <p>Deterministic means: the outcome of every call depends only on the calls before it and their
 * arguments. No wall clock (use {@code clusterTimeMs}), no randomness, no iteration over hash
 * orders that differ between JVMs, no I/O. What a command needs that is not deterministic (a new
 * topic id, say) the client puts in the command.
 *
 * <p>All calls come on the quorum's service thread, one at a time.
 */
public interface ReplicatedStateMachine
{
    /** A client session (a broker, or an admin tool) connected; its id names it in {@link QuorumOutput#reply}. */
    void onSessionOpen(long sessionId, long clusterTimeMs, QuorumOutput out);

    /** A committed command from {@code sessionId}: {@code length} bytes at {@code offset}. */
    void onCommand(long sessionId, DirectBuffer buffer, int offset, int length, long clusterTimeMs, QuorumOutput out);

    /** The session closed or timed out. */
    void onSessionClose(long sessionId, long clusterTimeMs, QuorumOutput out);

    /** A timer set with {@link QuorumOutput#scheduleTimer} fired (replicated: it fires in every replica at the same point). */
    void onTimer(long correlationId, long clusterTimeMs, QuorumOutput out);

    /**
     * A new leadership term began at {@code clusterTimeMs} (an event in the replicated log, so every
     * replica sees it at the same point). Time-outs that ran while no leader could take commands
     * (the election) can be extended from here.
     */
    default void onNewLeadershipTerm(final long leadershipTermId, final long clusterTimeMs, final QuorumOutput out)
    {
    }

    /** Writes the whole state, in chunks of at most {@link SnapshotWriter#maxChunkLength()} bytes. */
    void writeSnapshot(SnapshotWriter snapshot);

    /** Replaces the state by one {@link #writeSnapshot} wrote; called before any command, on a fresh machine. */
    void loadSnapshot(SnapshotReader snapshot);

    /** Where a machine's calls send their effects. Only the leader's sends reach clients; on followers they are no-ops. */
    interface QuorumOutput
    {
        /** A message to one session (the reply to its command); false if the session is gone. */
        boolean reply(long sessionId, DirectBuffer buffer, int offset, int length);

        /** A message to every open session (a committed change every broker applies). */
        void broadcast(DirectBuffer buffer, int offset, int length);

        /** Fires {@link #onTimer} at {@code deadlineMs} cluster time; a second call with the same id moves it. */
        void scheduleTimer(long correlationId, long deadlineMs);

        void cancelTimer(long correlationId);
    }

    interface SnapshotWriter
    {
        int maxChunkLength();

        void write(DirectBuffer buffer, int offset, int length);
    }

    interface SnapshotReader
    {
        /**
         * Hands each chunk, in the order written, to {@code chunk}.
         */
        void readAll(ChunkHandler chunk);
    }

    @FunctionalInterface
    interface ChunkHandler
    {
        void onChunk(DirectBuffer buffer, int offset, int length);
    }
}
