package io.runnel.io.api.group;

import java.util.ArrayList;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * Fits the coordinator's JoinGroup and SyncGroup answers to the version they are asked at. The
 * coordinator builds one answer for every version; the generated classes refuse to write a field
 * a version lacks unless it holds its default, and refuse null where a version has no null.
 */
final class GroupResponses
{
    /** JoinGroup v7 made the protocol name nullable and added the protocol type (KIP-559). */
    private static final short JOIN_PROTOCOL_NULLABLE_VERSION = 7;
    /** JoinGroup v9 added skipAssignment (KIP-814). */
    private static final short JOIN_SKIP_ASSIGNMENT_VERSION = 9;
    /** SyncGroup v5 added the protocol type and name (KIP-559). */
    private static final short SYNC_PROTOCOL_VERSION = 5;

    private GroupResponses()
    {
    }

    static JoinGroupResponseData joinAt(final JoinGroupResponseData response, final short version)
    {
        if (version < JOIN_PROTOCOL_NULLABLE_VERSION)
        {
            response.setProtocolType(null);
            if (response.protocolName() == null)
            {
                // An error answer has no protocol; before v7 the field cannot be null, and Kafka writes "".
                response.setProtocolName("");
            }
        }
        if (version < JOIN_SKIP_ASSIGNMENT_VERSION && response.skipAssignment())
        {
            // Before KIP-814 a returning static leader is told nothing to assign: Kafka sends it no members.
            response.setSkipAssignment(false).setMembers(new ArrayList<>());
        }
        return response;
    }

    static SyncGroupResponseData syncAt(final SyncGroupResponseData response, final short version)
    {
        if (version < SYNC_PROTOCOL_VERSION)
        {
            response.setProtocolType(null).setProtocolName(null);
        }
        return response;
    }
}
