package io.runnel.cluster.metadata;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.runnel.cluster.metadata.MetadataCommand.BrokerHeartbeat;
import io.runnel.cluster.metadata.MetadataCommand.ConfigEntry;
import io.runnel.cluster.metadata.MetadataCommand.CreateTopics;
import io.runnel.cluster.metadata.MetadataCommand.NewTopic;
import io.runnel.cluster.metadata.MetadataCommand.RegisterBroker;
import io.runnel.cluster.metadata.MetadataImage.Endpoint;
import io.runnel.cluster.metadata.MetadataReply.BrokerHeartbeatReply;
import io.runnel.cluster.metadata.MetadataReply.BrokerRegistered;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import io.runnel.cluster.quorum.ReplicatedStateMachine;
import io.runnel.cluster.quorum.ReplicatedStateMachine.QuorumOutput;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * A metadata state machine without a quorum: the test is the host. It calls the machine as the
 * host would, keeps the replicated timers and fires them as cluster time passes, and records every
 * output as bytes, so two machines' outputs can be compared byte for byte and a subscriber's image
 * built from exactly what the machine broadcast.
 */
final class MetadataTestContext
{
    static final long START_MS = 1_000_000;
    static final long SESSION_TIMEOUT_MS = 9_000;
    static final String CLUSTER_ID = "q1Sh-9_ISia_zwGINzRvyQ";
    /** The session every broker's commands come from is {@code BROKER_SESSION_BASE + nodeId}. */
    static final long BROKER_SESSION_BASE = 100;
    static final long ADMIN_SESSION = 7;

    final MetadataStateMachine machine;
    final Output out = new Output();
    private final MetadataCommands commands = new MetadataCommands();
    private final MetadataReplies replies = new MetadataReplies();
    private final ExpandableArrayBuffer commandBuffer = new ExpandableArrayBuffer(1024);
    private final Map<Integer, Long> epochs = new TreeMap<>();
    private long nowMs = START_MS;
    private long nextCorrelationId = 1;
    private int nextTopicId = 1;
    private long leadershipTermId;

    MetadataTestContext()
    {
        this(new MetadataStateMachine(SESSION_TIMEOUT_MS, MetadataLimits.MIN_MESSAGE_LENGTH));
    }

    MetadataTestContext(final MetadataStateMachine machine)
    {
        this.machine = machine;
    }

    /**
     * Takes over {@code other}'s clock, ids, broker epochs and pending timers (the host keeps timers
     * across a snapshot), as a replica restored from a snapshot of it would find them.
     */
    void continueFrom(final MetadataTestContext other)
    {
        nowMs = other.nowMs;
        nextCorrelationId = other.nextCorrelationId;
        nextTopicId = other.nextTopicId;
        epochs.putAll(other.epochs);
        out.timers.putAll(other.out.timers);
    }

    MetadataImage image()
    {
        return machine.image();
    }

    long nowMs()
    {
        return nowMs;
    }

    long correlationId()
    {
        return nextCorrelationId++;
    }

    /** Deterministic topic ids, distinct per context. */
    Uuid nextTopicId()
    {
        return new Uuid(0x70_0000_0000L + nextTopicId, nextTopicId++);
    }

    /** Sends a command from {@code sessionId} and returns the reply it got. */
    MetadataReply send(final long sessionId, final MetadataCommand command)
    {
        final int length = commands.encode(command, commandBuffer, 0);
        return sendRaw(sessionId, commandBuffer, 0, length);
    }

    /** Sends bytes as a command; returns the reply, or null when the machine answered nothing. */
    MetadataReply sendRaw(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int before = out.events.size();
        machine.onCommand(sessionId, buffer, offset, length, nowMs, out);
        MetadataReply reply = null;
        for (int i = before; i < out.events.size(); i++)
        {
            final Event event = out.events.get(i);
            if (event.kind == Kind.REPLY && event.sessionId == sessionId)
            {
                final MetadataReply decoded = replies.decode(new UnsafeBuffer(event.bytes), 0);
                if (decoded != null)
                {
                    reply = decoded;
                }
            }
        }
        return reply;
    }

    MetadataReply send(final MetadataCommand command)
    {
        return send(ADMIN_SESSION, command);
    }

    /** Registers broker {@code nodeId} (fenced), remembering its epoch. */
    BrokerRegistered register(final int nodeId, final String rack)
    {
        final MetadataReply reply = send(BROKER_SESSION_BASE + nodeId, registration(nodeId, incarnation(nodeId, 1), CLUSTER_ID, rack));
        final BrokerRegistered registered = (BrokerRegistered)reply;
        epochs.put(nodeId, registered.brokerEpoch());
        return registered;
    }

    RegisterBroker registration(final int nodeId, final Uuid incarnationId, final String clusterId, final String rack)
    {
        return new RegisterBroker(correlationId(), nodeId, incarnationId, clusterId, rack,
            List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092 + nodeId * 10, SecurityProtocol.PLAINTEXT.id)));
    }

    static Uuid incarnation(final int nodeId, final int start)
    {
        return new Uuid(0x1C_0000L + nodeId, start);
    }

    long epoch(final int nodeId)
    {
        return epochs.get(nodeId);
    }

    /** A heartbeat of a caught-up broker. */
    MetadataReply heartbeat(final int nodeId, final boolean wantFence, final boolean wantShutdown)
    {
        return send(BROKER_SESSION_BASE + nodeId,
            new BrokerHeartbeat(correlationId(), nodeId, epoch(nodeId), wantFence, wantShutdown, image().version()));
    }

    /** Registers and unfences brokers {@code 1..count}, each on rack {@code racks[i % racks.length]} if racks are given. */
    void startBrokers(final int count, final String... racks)
    {
        for (int nodeId = 1; nodeId <= count; nodeId++)
        {
            register(nodeId, racks.length == 0 ? "" : racks[(nodeId - 1) % racks.length]);
        }
        for (int nodeId = 1; nodeId <= count; nodeId++)
        {
            final BrokerHeartbeatReply reply = (BrokerHeartbeatReply)heartbeat(nodeId, false, false);
            if (reply.isFenced())
            {
                throw new IllegalStateException("broker " + nodeId + " stayed fenced");
            }
        }
    }

    /** Heartbeats of these brokers, every {@code intervalMs}, until {@code ms} has passed; timers fire as they fall due. */
    void advance(final long ms, final long intervalMs, final int... heartbeating)
    {
        final long end = nowMs + ms;
        while (nowMs < end)
        {
            advanceTo(Math.min(end, nowMs + intervalMs));
            for (final int nodeId : heartbeating)
            {
                heartbeat(nodeId, false, false);
            }
        }
    }

    /**
     * A quorum election that takes {@code electionMs}: no command is committed and no timer fires
     * meanwhile (no leader to append them); then the new term's event, then the timers that fell due.
     */
    void electLeaderTaking(final long electionMs)
    {
        nowMs += electionMs;
        machine.onNewLeadershipTerm(++leadershipTermId, nowMs, out);
        advanceTo(nowMs);
    }

    /** Moves cluster time, firing every timer due on the way, in deadline order. */
    void advanceTo(final long timeMs)
    {
        while (true)
        {
            final Map.Entry<Long, Long> due = out.nextTimer();
            if (due == null || due.getValue() > timeMs)
            {
                break;
            }
            // Copied first: TreeMap reuses a removed entry's node for its successor.
            final long timerId = due.getKey();
            nowMs = Math.max(nowMs, due.getValue());
            out.timers.remove(timerId);
            machine.onTimer(timerId, nowMs, out);
        }
        nowMs = timeMs;
    }

    CommandResult createTopic(final String name, final int partitions, final int replicationFactor, final ConfigEntry... configs)
    {
        return (CommandResult)send(new CreateTopics(correlationId(), false,
            List.of(new NewTopic(name, nextTopicId(), partitions, (short)replicationFactor, List.of(configs)))));
    }

    enum Kind
    {
        REPLY, BROADCAST, SCHEDULE, CANCEL
    }

    /** One output: a message's bytes, or a timer change. */
    record Event(Kind kind, long sessionId, long timerId, long deadlineMs, byte[] bytes)
    {
    }

    /** Records everything and keeps the timers a host would keep. */
    static final class Output implements QuorumOutput
    {
        final List<Event> events = new ArrayList<>();
        final TreeMap<Long, Long> timers = new TreeMap<>();

        @Override
        public boolean reply(final long sessionId, final DirectBuffer buffer, final int offset, final int length)
        {
            events.add(new Event(Kind.REPLY, sessionId, 0, 0, copy(buffer, offset, length)));
            return true;
        }

        @Override
        public void broadcast(final DirectBuffer buffer, final int offset, final int length)
        {
            events.add(new Event(Kind.BROADCAST, 0, 0, 0, copy(buffer, offset, length)));
        }

        @Override
        public void scheduleTimer(final long correlationId, final long deadlineMs)
        {
            events.add(new Event(Kind.SCHEDULE, 0, correlationId, deadlineMs, new byte[0]));
            timers.put(correlationId, deadlineMs);
        }

        @Override
        public void cancelTimer(final long correlationId)
        {
            events.add(new Event(Kind.CANCEL, 0, correlationId, 0, new byte[0]));
            timers.remove(correlationId);
        }

        /** The earliest timer (ties: the lowest id), or null. */
        Map.Entry<Long, Long> nextTimer()
        {
            Map.Entry<Long, Long> next = null;
            for (final Map.Entry<Long, Long> timer : timers.entrySet())
            {
                if (next == null || timer.getValue() < next.getValue())
                {
                    next = timer;
                }
            }
            return next;
        }

        /** The broadcasts since event {@code from}, as one list of messages. */
        List<byte[]> broadcastsSince(final int from)
        {
            final List<byte[]> messages = new ArrayList<>();
            for (int i = from; i < events.size(); i++)
            {
                if (events.get(i).kind == Kind.BROADCAST)
                {
                    messages.add(events.get(i).bytes);
                }
            }
            return messages;
        }

        /** Every output, serialized: equal transcripts mean byte-identical outputs in the same order. */
        byte[] transcript()
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream data = new DataOutputStream(bytes))
            {
                for (final Event event : events)
                {
                    data.writeInt(event.kind.ordinal());
                    data.writeLong(event.sessionId);
                    data.writeLong(event.timerId);
                    data.writeLong(event.deadlineMs);
                    data.writeInt(event.bytes.length);
                    data.write(event.bytes);
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return bytes.toByteArray();
        }

        private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            return bytes;
        }
    }

    /** A snapshot store in memory, with chunks as small as a test wants. */
    static final class MemorySnapshot implements ReplicatedStateMachine.SnapshotWriter, ReplicatedStateMachine.SnapshotReader
    {
        private final int maxChunkLength;
        final List<byte[]> chunks = new ArrayList<>();

        MemorySnapshot(final int maxChunkLength)
        {
            this.maxChunkLength = maxChunkLength;
        }

        @Override
        public int maxChunkLength()
        {
            return maxChunkLength;
        }

        @Override
        public void write(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length > maxChunkLength)
            {
                throw new IllegalArgumentException("a chunk of " + length + " bytes, more than " + maxChunkLength);
            }
            chunks.add(Output.copy(buffer, offset, length));
        }

        @Override
        public void readAll(final ReplicatedStateMachine.ChunkHandler chunk)
        {
            for (final byte[] bytes : chunks)
            {
                chunk.onChunk(new UnsafeBuffer(bytes), 0, bytes.length);
            }
        }
    }
}
