package io.runnel.bench.omb;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import io.runnel.bench.ToolRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootstrapCheckTest
{
    @Test
    void passesWhenOneServerListens() throws Exception
    {
        final int closed = ToolRun.closedPort();
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            BootstrapCheck.requireReachable("127.0.0.1:" + listening.getLocalPort());
            BootstrapCheck.requireReachable("127.0.0.1:" + closed + ", 127.0.0.1:" + listening.getLocalPort());
        }
    }

    @Test
    void namesEveryServerAndWhyWhenNoneListens() throws Exception
    {
        final int first = ToolRun.closedPort();
        final int second = ToolRun.closedPort();
        final BenchConfigException one = assertThrows(BenchConfigException.class, () -> BootstrapCheck.requireReachable("127.0.0.1:" + first));
        assertEquals("broker not reachable at 127.0.0.1:" + first + " (connection refused)", one.getMessage());
        final BenchConfigException two = assertThrows(BenchConfigException.class,
            () -> BootstrapCheck.requireReachable("127.0.0.1:" + first + ",127.0.0.1:" + second));
        assertEquals("broker not reachable at 127.0.0.1:" + first + " (connection refused), 127.0.0.1:" + second + " (connection refused)",
            two.getMessage());
    }

    @Test
    void parsesHostPortLists()
    {
        assertEquals(List.of(new BootstrapCheck.Address("127.0.0.1", 9092), new BootstrapCheck.Address("broker-2.example", 19092)),
            BootstrapCheck.parse(" 127.0.0.1:9092 , broker-2.example:19092,"));
        final BootstrapCheck.Address v6 = BootstrapCheck.parse("[::1]:9092").get(0);
        assertEquals(new BootstrapCheck.Address("::1", 9092), v6);
        assertEquals("[::1]:9092", v6.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1:", ":9092", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:port", "a b:9092",
        "127.0.0.1:9092,localhost"})
    void refusesEntriesThatAreNotHostAndPort(final String servers)
    {
        final BenchConfigException ex = assertThrows(BenchConfigException.class, () -> BootstrapCheck.requireReachable(servers));
        assertTrue(ex.getMessage().endsWith("is not host:port"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", " , "})
    void refusesAnEmptyList(final String servers)
    {
        final BenchConfigException ex = assertThrows(BenchConfigException.class, () -> BootstrapCheck.requireReachable(servers));
        assertTrue(ex.getMessage().startsWith("no bootstrap servers given"), ex.getMessage());
        assertThrows(BenchConfigException.class, () -> BootstrapCheck.requireReachable(null));
    }
}
