package io.runnel.coordinator.group;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group. In a group as its record left it, a member supports one
 * protocol, the group's (its record keeps only that subscription, as Kafka's does); in the working
 * copy of a rebalance it has all the protocols of its latest JoinGroup, and may hold a response.
 */
final class Member
{
    /** A protocol (assignor) the member supports, with its subscription metadata. */
    record Protocol(String name, byte[] metadata)
    {
    }

    final String memberId;
    final String instanceId;
    String clientId = "";
    String clientHost = "";
    int sessionTimeoutMs;
    int rebalanceTimeoutMs;
    List<Protocol> protocols = List.of();
    byte[] assignment = new byte[0];
    /** Set while the member waits for the rebalance to complete (its JoinGroup response is held). */
    Consumer<JoinGroupResponseData> awaitingJoin;
    /** Set while a follower waits for the leader's assignment (its SyncGroup response is held). */
    Consumer<SyncGroupResponseData> awaitingSync;

    Member(final String memberId, final String instanceId)
    {
        this.memberId = memberId;
        this.instanceId = instanceId;
    }

    /** The same member under another id (a static member that restarted), without held responses. */
    Member copyAs(final String newMemberId)
    {
        final Member copy = new Member(newMemberId, instanceId);
        copy.clientId = clientId;
        copy.clientHost = clientHost;
        copy.sessionTimeoutMs = sessionTimeoutMs;
        copy.rebalanceTimeoutMs = rebalanceTimeoutMs;
        copy.protocols = protocols;
        copy.assignment = assignment;
        return copy;
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

    /**
     * True if {@code other} (a rejoin's protocols) carries the same subscription for the group's
     * protocol. A member of a group loaded from its record knows only that protocol, so this,
     * not the whole list, is what can be compared the same way at run time and after a restart.
     */
    boolean sameSubscription(final List<Protocol> other, final String protocol)
    {
        for (final Protocol candidate : other)
        {
            if (candidate.name().equals(protocol))
            {
                return supports(protocol) && Arrays.equals(candidate.metadata(), metadataFor(protocol));
            }
        }
        return false;
    }
}
