package io.runnel.coordinator.group;

import java.util.List;
import java.util.function.Consumer;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/** One member of a classic group, as the coordinator tracks it. */
final class Member
{
    /** A protocol (assignor) the member supports, with its subscription metadata. */
    record Protocol(String name, byte[] metadata)
    {
    }

    String memberId;
    final String instanceId;
    String clientId;
    String clientHost;
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    long sessionDeadlineMs;
    /** Set while the member waits for the rebalance to complete (its JoinGroup response is held). */
    Consumer<JoinGroupResponseData> awaitingJoin;
    /** Set while a follower waits for the leader's assignment (its SyncGroup response is held). */
    Consumer<SyncGroupResponseData> awaitingSync;

    Member(final String memberId, final String instanceId)
    {
        this.memberId = memberId;
        this.instanceId = instanceId;
    }

    byte[] metadataFor(final String protocol)
    {
        for (final Protocol candidate : protocols)
        {
            if (candidate.name().equals(protocol))
            {
                return candidate.metadata();
            }
        }
        return new byte[0];
    }

    boolean supports(final String protocol)
    {
        for (final Protocol candidate : protocols)
        {
            if (candidate.name().equals(protocol))
            {
                return true;
            }
        }
        return false;
    }

    boolean sameProtocols(final List<Protocol> other)
    {
        if (other.size() != protocols.size())
        {
            return false;
        }
        for (int i = 0; i < other.size(); i++)
        {
            if (!other.get(i).name().equals(protocols.get(i).name()) ||
                !java.util.Arrays.equals(other.get(i).metadata(), protocols.get(i).metadata()))
            {
                return false;
            }
        }
        return true;
    }
}
