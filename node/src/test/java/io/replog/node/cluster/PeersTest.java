package io.replog.node.cluster;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeersTest {
    @Test
    void parsesTheListAndKnowsItsOwnPlace() {
        final Peers peers = Peers.parse(2, "1@10.0.0.1:7000, 3@10.0.0.3:7002,2@10.0.0.2:7001");
        assertEquals(3, peers.size());
        assertArrayEquals(new int[] {1, 3}, peers.others());
        assertEquals("10.0.0.3:7002", peers.hostPort(3));
        assertEquals("1@10.0.0.1:7000,2@10.0.0.2:7001,3@10.0.0.3:7002", peers.toString());
        assertEquals("10.0.0.3:8002", peers.httpHostPort(3), "HTTP at the binary port + 1000 unless named");
    }

    @Test
    void httpAddressesCanBeNamedForEveryNode() {
        final Peers peers = Peers.parse(1, "1@node1:7000,2@node2:7000", "1@localhost:8000, 2@localhost:8001");
        assertEquals("localhost:8001", peers.httpHostPort(2));
        assertEquals("node2:7000", peers.hostPort(2));
        assertEquals("[::1]:8000", Peers.parse(1, "1@[::1]:7000").httpHostPort(1));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Peers.parse(1, "1@h:7000,2@h:7001", "1@h:8000")).getMessage()
            .contains("--http-peers must name the nodes of --peers [1, 2]"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Peers.parse(1, "1@h:7000,2@h:7001", "1@h:8000,3@h:8002")).getMessage()
            .contains("it names [1, 3]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Peers.parse(1, "1@h:65000")).getMessage()
            .contains("--http-peers"));
    }

    @Test
    void fixedRolesNumberTheMasterOneAndItsSecondariesInOrderAndASecondaryKnowsNoMasterAddress() {
        final Peers master = Peers.fixedMaster(new InetSocketAddress("127.0.0.1", 7000),
            new InetSocketAddress("127.0.0.1", 8000), List.of(new InetSocketAddress("127.0.0.1", 7002),
                new InetSocketAddress("127.0.0.1", 7001)));
        assertEquals(1, master.self());
        assertArrayEquals(new int[] {2, 3}, master.others());
        assertEquals("127.0.0.1:7002", master.hostPort(2), "secondaries in --secondaries order");
        assertEquals(null, master.httpHostPort(2), "a secondary's HTTP address is not known to its master");
        final Peers secondary = Peers.fixedSecondary(new InetSocketAddress("127.0.0.1", 7001),
            new InetSocketAddress("127.0.0.1", 8001));
        assertEquals(2, secondary.size());
        assertArrayEquals(new int[] {1}, secondary.others());
        assertTrue(secondary.member(1));
        assertEquals(null, secondary.address(1), "the master dials in");
        assertEquals("2@127.0.0.1:7001,1@(dials in)", secondary.toString());
        assertThrows(IllegalArgumentException.class, () -> new Peers(1,
            java.util.Map.of(1, new InetSocketAddress("h", 1)), java.util.Map.of(), java.util.Set.of(1)));
    }

    @Test
    void refusesWhatCannotBeACluster() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Peers.parse(4, "1@h:1,2@h:2"))
            .getMessage().contains("--id 4 is not among"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Peers.parse(1, "1@h:1,1@h:2"))
            .getMessage().contains("given twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Peers.parse(1, "1@h:1,h:2"))
            .getMessage().contains("id@host:port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Peers.parse(1, "1@h:1,0@h:2"))
            .getMessage().contains("1 or more"));
    }
}
