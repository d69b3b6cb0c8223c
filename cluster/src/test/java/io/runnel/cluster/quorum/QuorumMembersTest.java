package io.runnel.cluster.quorum;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuorumMembersTest
{
    private static final String VOTERS = "1@127.0.0.1:9093,2@127.0.0.1:9103,3@10.0.0.3:9113";

    @Test
    void votersBecomeAeronClusterMembersWithPortsFromTheControllerPort()
    {
        final QuorumMembers members = QuorumMembers.forNode(VOTERS, 2, 0);

        assertEquals(2, members.memberId());
        assertEquals(
            "1,127.0.0.1:9093,127.0.0.1:9094,127.0.0.1:9095,127.0.0.1:9096,127.0.0.1:9097|" +
            "2,127.0.0.1:9103,127.0.0.1:9104,127.0.0.1:9105,127.0.0.1:9106,127.0.0.1:9107|" +
            "3,10.0.0.3:9113,10.0.0.3:9114,10.0.0.3:9115,10.0.0.3:9116,10.0.0.3:9117",
            members.clusterMembers());
        assertEquals("1=127.0.0.1:9093,2=127.0.0.1:9103,3=10.0.0.3:9113", members.ingressEndpoints());
    }

    @Test
    void thePortOffsetShiftsEveryAeronPort()
    {
        final QuorumMembers members = QuorumMembers.forNode(" 1@127.0.0.1:9093 , 2@[::1]:9103", 1, 100);

        assertEquals("127.0.0.1:9193", members.self().ingressEndpoint());
        assertEquals("127.0.0.1:9197", members.self().archiveControlEndpoint());
        assertEquals("[::1]:9205", members.voters().get(1).logEndpoint());
    }

    @Test
    void aClientHasNoMemberId()
    {
        final QuorumMembers members = QuorumMembers.forClient(VOTERS, 0);

        assertEquals(3, members.voters().size());
        assertThrows(IllegalStateException.class, members::memberId);
    }

    @Test
    void malformedVoterListsAreRefusedNamingTheEntry()
    {
        assertRefused("", 1, "is empty");
        assertRefused("1@127.0.0.1", 1, "entry '1@127.0.0.1': expected id@host:port");
        assertRefused("127.0.0.1:9093", 1, "expected id@host:port");
        assertRefused("x@127.0.0.1:9093", 1, "node id 'x' is not a number");
        assertRefused("1@127.0.0.1:port", 1, "port 'port' is not a number");
        assertRefused("1@127.0.0.1:9093,", 1, "entry '': expected id@host:port");
        assertRefused("1@::1:9093", 1, "an IPv6 host needs brackets");
        assertRefused("-1@127.0.0.1:9093", 1, "must not be negative");
    }

    @Test
    void aDuplicateIdIsRefused()
    {
        assertRefused("1@127.0.0.1:9093,1@127.0.0.1:9103", 1, "names node id 1 twice");
    }

    @Test
    void aNodeNotAmongTheVotersIsRefused()
    {
        assertRefused(VOTERS, 4, "node.id 4 is not in controller.quorum.voters");
    }

    @Test
    void portsOutOfRangeAreRefused()
    {
        assertRefused("1@127.0.0.1:70000", 1, "port 70000 is out of range 1-65535");
        assertRefused("1@127.0.0.1:0", 1, "port 0 is out of range");
        assertRefused("1@127.0.0.1:65533", 1, "Aeron UDP ports 65533-65537");
        final IllegalArgumentException offset = assertThrows(IllegalArgumentException.class,
            () -> QuorumMembers.forNode("1@127.0.0.1:9093", 1, -9093));
        assertTrue(offset.getMessage().contains("runnel.quorum.port.offset -9093"), offset.getMessage());
    }

    private static void assertRefused(final String voters, final int nodeId, final String expected)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> QuorumMembers.forNode(voters, nodeId, 0));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
