package io.replog.node.master;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The windows PROTOCOL.md documents (4096 seqs per client, 1024 clients) are literals here, not the constants. */
class IdempotenceTableTest {
    /** PROTOCOL.md: "a client's last 4096 sequence numbers". */
    private static final int DOCUMENTED_WINDOW = 4096;
    /** PROTOCOL.md: "for the 1024 most recently active clients". */
    private static final int DOCUMENTED_CLIENTS = 1024;

    @Test
    void theDocumentedWindowsAreWhatPROTOCOLmdSays() {
        assertEquals(4096, IdempotenceTable.WINDOW, "PROTOCOL.md: the last 4096 sequence numbers");
        assertEquals(1024, IdempotenceTable.MAX_CLIENTS, "PROTOCOL.md: the 1024 most recently active clients");
    }

    @Test
    void remembersRecentSeqsPerClient() {
        final IdempotenceTable table = new IdempotenceTable();
        assertEquals(IdempotenceTable.NEW, table.lookup(7, 1));
        table.record(7, 1, 100, 0);
        table.record(7, 2, 101, 0);
        table.record(8, 1, 102, 0);
        assertEquals(100, table.lookup(7, 1));
        assertEquals(101, table.lookup(7, 2));
        assertEquals(102, table.lookup(8, 1));
        assertEquals(IdempotenceTable.NEW, table.lookup(7, 3));
        assertEquals(IdempotenceTable.NEW, table.lookup(9, 1));
    }

    @Test
    void seqsOlderThanTheWindowAreReportedAsSuch() {
        final IdempotenceTable table = new IdempotenceTable();
        for (long seq = 1; seq <= DOCUMENTED_WINDOW + 10; seq++) {
            table.record(5, seq, 1000 + seq, 0);
        }
        assertEquals(IdempotenceTable.TOO_OLD, table.lookup(5, 10));
        assertEquals(1000 + 11, table.lookup(5, 11));
        assertEquals(1000 + IdempotenceTable.WINDOW + 10, table.lookup(5, IdempotenceTable.WINDOW + 10));
    }

    @Test
    void aClientCostsOnlyTheWindowItUsesAndEverySeqSurvivesTheGrowth() {
        final IdempotenceTable table = new IdempotenceTable();
        table.record(3, 1, 50, 0);
        assertEquals(IdempotenceTable.INITIAL_SLOTS, table.slots(3), "one tagged append: the smallest window");
        for (long seq = 2; seq <= 100; seq++) {
            table.record(3, seq, 49 + seq, 0);
        }
        assertEquals(128, table.slots(3), "grows to the span in flight, not to the full window");
        for (long seq = 1; seq <= 100; seq++) {
            assertEquals(49 + seq, table.lookup(3, seq), "seq " + seq + " after growing");
        }
        table.record(3, 5_000, 9_999, 0); // a jump: the window is the most it may hold
        assertEquals(IdempotenceTable.WINDOW, table.slots(3));
        assertEquals(IdempotenceTable.TOO_OLD, table.lookup(3, 100));
        assertEquals(9_999, table.lookup(3, 5_000));
        assertEquals(IdempotenceTable.NEW, table.lookup(3, 4_999));
    }

    @Test
    void forgetsTheLeastRecentlyActiveClientWhenFull() {
        final IdempotenceTable table = new IdempotenceTable();
        for (long client = 1; client <= DOCUMENTED_CLIENTS; client++) {
            table.record(client, 1, client, 0);
        }
        assertEquals(DOCUMENTED_CLIENTS, table.clients(), "1024 clients are remembered");
        table.record(1, 2, 5000, 0); // client 1 is active again; client 2 is now the oldest
        table.record(DOCUMENTED_CLIENTS + 1, 1, 6000, 0);
        assertEquals(DOCUMENTED_CLIENTS, table.clients());
        assertEquals(5000, table.lookup(1, 2));
        assertEquals(IdempotenceTable.NEW, table.lookup(2, 1));
        table.record(IdempotenceTable.MAX_CLIENTS + 2, 1, 7000, 0); // next oldest: client 3
        assertEquals(IdempotenceTable.NEW, table.lookup(3, 1));
        assertEquals(4, table.lookup(4, 1));
        assertEquals(6000, table.lookup(IdempotenceTable.MAX_CLIENTS + 1, 1));
    }
}
