package io.runnel.broker.it.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.runnel.broker.testing.RawKafkaClient;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The only member of a classic consumer group, walked through join and sync as a client does,
 * with the version of each request chosen by the caller: the case under test passes its own
 * version for its own API and the highest advertised one for the rest.
 */
final class ClassicGroupMember
{
    static final String PROTOCOL_TYPE = "consumer";
    static final String PROTOCOL = "range";
    static final byte[] SUBSCRIPTION = "subscription".getBytes(StandardCharsets.UTF_8);
    static final byte[] ASSIGNMENT = "assignment".getBytes(StandardCharsets.UTF_8);
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final int REBALANCE_TIMEOUT_MS = 10_000;

    final String groupId;
    String memberId = "";
    int generationId = -1;

    ClassicGroupMember(final String groupId)
    {
        this.groupId = groupId;
    }

    JoinGroupRequestData joinRequest(final short version)
    {
        return joinRequest(version, SESSION_TIMEOUT_MS);
    }

    JoinGroupRequestData joinRequest(final short version, final int sessionTimeoutMs)
    {
        final JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(PROTOCOL).setMetadata(SUBSCRIPTION));
        final JoinGroupRequestData request = new JoinGroupRequestData()
            .setGroupId(groupId)
            .setSessionTimeoutMs(sessionTimeoutMs)
            .setMemberId(memberId)
            .setProtocolType(PROTOCOL_TYPE)
            .setProtocols(protocols);
        if (version >= 1)
        {
            request.setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS);
        }
        if (version >= 8)
        {
            request.setReason("version sweep");
        }
        return request;
    }

    /**
     * Joins at {@code version}: from v4 the first join is refused with MEMBER_ID_REQUIRED and a
     * member id to join with (KIP-394); then the member leads generation 1 of its own group.
     */
    JoinGroupResponseData join(final RawKafkaClient raw, final short version) throws IOException
    {
        if (version >= 4)
        {
            final JoinGroupResponseData first = raw.request(ApiKeys.JOIN_GROUP, version, joinRequest(version));
            assertEquals(Errors.MEMBER_ID_REQUIRED.code(), first.errorCode(), "first JoinGroup v" + version);
            assertFalse(first.memberId().isEmpty(), "MEMBER_ID_REQUIRED carries the member id to use");
            memberId = first.memberId();
        }
        final JoinGroupResponseData joined = raw.request(ApiKeys.JOIN_GROUP, version, joinRequest(version));
        assertEquals(Errors.NONE.code(), joined.errorCode(), "JoinGroup v" + version);
        assertTrue(joined.generationId() >= 1, "generation " + joined.generationId());
        if (version < 4)
        {
            assertFalse(joined.memberId().isEmpty(), "the broker names the member");
        }
        else
        {
            assertEquals(memberId, joined.memberId());
        }
        memberId = joined.memberId();
        generationId = joined.generationId();
        assertEquals(memberId, joined.leader(), "the only member leads");
        assertEquals(PROTOCOL, joined.protocolName());
        if (version >= 7)
        {
            assertEquals(PROTOCOL_TYPE, joined.protocolType());
        }
        assertEquals(1, joined.members().size(), "the leader sees its one member");
        assertEquals(memberId, joined.members().get(0).memberId());
        assertArrayEquals(SUBSCRIPTION, joined.members().get(0).metadata());
        return joined;
    }

    SyncGroupRequestData syncRequest(final short version)
    {
        final SyncGroupRequestData request = new SyncGroupRequestData()
            .setGroupId(groupId)
            .setGenerationId(generationId)
            .setMemberId(memberId)
            .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment()
                .setMemberId(memberId)
                .setAssignment(ASSIGNMENT)));
        if (version >= 5)
        {
            request.setProtocolType(PROTOCOL_TYPE).setProtocolName(PROTOCOL);
        }
        return request;
    }

    /** The leader's sync: it hands itself {@link #ASSIGNMENT} and gets it back. */
    SyncGroupResponseData sync(final RawKafkaClient raw, final short version) throws IOException
    {
        final SyncGroupResponseData synced = raw.request(ApiKeys.SYNC_GROUP, version, syncRequest(version));
        assertEquals(Errors.NONE.code(), synced.errorCode(), "SyncGroup v" + version);
        assertArrayEquals(ASSIGNMENT, synced.assignment(), "SyncGroup v" + version + " assignment");
        if (version >= 5)
        {
            assertEquals(PROTOCOL_TYPE, synced.protocolType());
            assertEquals(PROTOCOL, synced.protocolName());
        }
        return synced;
    }

    HeartbeatRequestData heartbeatRequest(final int generation)
    {
        return new HeartbeatRequestData().setGroupId(groupId).setGenerationId(generation).setMemberId(memberId);
    }

    Errors heartbeat(final RawKafkaClient raw, final short version, final int generation) throws IOException
    {
        final HeartbeatResponseData response = raw.request(ApiKeys.HEARTBEAT, version, heartbeatRequest(generation));
        return Errors.forCode(response.errorCode());
    }
}
