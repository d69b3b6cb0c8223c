package io.runnel.cluster.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReplicationChannelsTest
{
    @Test
    void aPeerOnLoopbackGetsLargeDatagramsAndOneElsewhereEthernetSizedOnes()
    {
        assertEquals(ReplicationNetwork.LOOPBACK_MTU, ReplicationNetwork.mtuFor("127.0.0.1:9092"));
        assertEquals(ReplicationNetwork.LOOPBACK_MTU, ReplicationNetwork.mtuFor("127.0.0.2:9092"));
        assertEquals(ReplicationNetwork.LOOPBACK_MTU, ReplicationNetwork.mtuFor("localhost:9092"));
        assertEquals(ReplicationNetwork.LOOPBACK_MTU, ReplicationNetwork.mtuFor("[::1]:9092"));
        assertEquals(ReplicationNetwork.NETWORK_MTU, ReplicationNetwork.mtuFor("10.0.0.7:9092"));
        assertEquals(ReplicationNetwork.NETWORK_MTU, ReplicationNetwork.mtuFor("broker-2.example:9092"));
    }

    @Test
    void channelsCarryTheirWindowsAndDatagramSize()
    {
        final String publication = ReplicationNetwork.publicationChannel("10.0.0.7:9092", 16 << 20);
        assertTrue(publication.contains("mtu=1408") && publication.contains("term-length=16777216"), publication);
        assertTrue(ReplicationNetwork.subscriptionChannel("127.0.0.1:9092").contains("rcv-wnd=2m"));
    }
}
