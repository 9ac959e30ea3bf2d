package io.replog.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code logctl health}'s table on fixed reports: every secondary status the master can show, and who counts as up. */
class HealthTableTest {
    private static final String MASTER = """
        {"role":"master","read_only":true,"quorum":4,"last_msg_id":42,"log_id":"7f3a","max_w":6,
         "max_message_bytes":4194268,"pending_appends":3,"secondaries":[
          {"address":"10.0.0.1:7001","status":"Healthy","acked":42,"lag":0,"connection":"STREAMING",
           "last_answer_ms_ago":81},
          {"address":"10.0.0.2:7001","status":"Suspected","acked":40,"lag":2,"connection":"STREAMING",
           "last_answer_ms_ago":1800,"reason":"no answer for 1800 ms"},
          {"address":"10.0.0.3:7001","status":"Unhealthy","acked":17,"lag":25,"connection":"CONNECTING",
           "last_answer_ms_ago":6204,"reason":"no answer for 6204 ms"},
          {"address":"10.0.0.4:7001","status":"Failing","acked":30,"lag":12,"connection":"STREAMING",
           "last_answer_ms_ago":12,"reason":"REPLICATION_FAILED on 10 attempts in a row: log full"},
          {"address":"10.0.0.5:7001","status":"Diverged","acked":0,"lag":42,"connection":"STREAMING",
           "last_answer_ms_ago":-1,"reason":"refuses this log: LOG_MISMATCH: holds log 1b2c"}]}
        """;

    private static List<String[]> rows(final String table) {
        final List<String[]> rows = new ArrayList<>();
        for (final String line : table.split("\n")) {
            if (line.startsWith("10.0.0.")) {
                rows.add(line.split("\\s+", 8));
            }
        }
        return rows;
    }

    @Test
    void onlyHealthyAndSuspectedSecondariesCountAsUpAndEveryOtherShowsItsReason() throws Exception {
        final String table = HealthCommand.table(new ObjectMapper().readTree(MASTER));
        final String[] lines = table.split("\n");
        assertEquals("role: master   mode: READ-ONLY (no quorum)   quorum: 4 (3 of 6 nodes up)   last msg_id: 42"
            + "   waiting appends: 3", lines[0]);
        assertTrue(lines[1].matches("SECONDARY\\s+STATUS\\s+ACKED\\s+LAG\\s+CONNECTION\\s+LAST ANSWER\\s+REASON"),
            lines[1]);
        final List<String[]> rows = rows(table);
        assertEquals(5, rows.size(), table);
        // address, status, acked, lag, connection, last answer (3 words or "never"), reason (last, free text)
        assertRow(rows.get(0), "10.0.0.1:7001", "Healthy", "42", "0", "STREAMING", "81 ms ago", "");
        assertRow(rows.get(1), "10.0.0.2:7001", "Suspected", "40", "2", "STREAMING", "1800 ms ago",
            "no answer for 1800 ms");
        assertRow(rows.get(2), "10.0.0.3:7001", "Unhealthy", "17", "25", "CONNECTING", "6204 ms ago",
            "no answer for 6204 ms");
        assertRow(rows.get(3), "10.0.0.4:7001", "Failing", "30", "12", "STREAMING", "12 ms ago",
            "REPLICATION_FAILED on 10 attempts in a row: log full");
        assertRow(rows.get(4), "10.0.0.5:7001", "Diverged", "0", "42", "STREAMING", "never",
            "refuses this log: LOG_MISMATCH: holds log 1b2c");
    }

    private static void assertRow(final String[] row, final String address, final String status, final String acked,
                                  final String lag, final String connection, final String lastAnswer,
                                  final String reason) {
        final String joined = String.join(" ", row);
        assertEquals(address, row[0], joined);
        assertEquals(status, row[1], joined);
        assertEquals(acked, row[2], joined);
        assertEquals(lag, row[3], joined);
        assertEquals(connection, row[4], joined);
        final String rest = String.join(" ", java.util.Arrays.copyOfRange(row, 5, row.length));
        assertTrue(rest.startsWith(lastAnswer), joined);
        assertEquals(reason, rest.substring(lastAnswer.length()).trim(), joined);
    }

    @Test
    void aSecondaryPrintsItsSummary() throws Exception {
        final String table = HealthCommand.table(new ObjectMapper().readTree("""
            {"role":"secondary","last_msg_id":17,"master_last_seen_ms_ago":120,"delay_ms":3000,
             "max_message_bytes":4194268}
            """));
        assertEquals("role: secondary   last msg_id: 17   master last seen: 120 ms ago   delay: 3000 ms\n",
            table.replace("\r", ""));
    }

    @Test
    void aFailoverNodeShowsItsEpochItsMasterTheLastElectionAndItsPeers() throws Exception {
        final String table = HealthCommand.table(new ObjectMapper().readTree("""
            {"role":"secondary","mode":"failover","node_id":2,"epoch":5,"master_id":1,"master":"10.0.0.1:7000",
             "master_http":"10.0.0.1:8000","read_only":true,
             "last_election":{"what":"node 1 is master in epoch 5","ms_ago":1234},"last_msg_id":12,
             "durable_msg_id":11,"commit_id":10,"waiting_appends":0,"max_message_bytes":1000,"peers":[
              {"id":1,"address":"10.0.0.1:7000","http":"10.0.0.1:8000","connected":true},
              {"id":3,"address":"10.0.0.3:7000","http":"10.0.0.3:8000","connected":false}]}
            """));
        final String[] lines = table.split("\n");
        assertEquals("node 2: secondary   epoch: 5   master: node 1 at 10.0.0.1:7000 (HTTP 10.0.0.1:8000)", lines[0]);
        assertEquals("last msg_id: 12   durable: 11   committed: 10   waiting appends: 0", lines[1]);
        assertEquals("last election: node 1 is master in epoch 5 (1234 ms ago)", lines[2]);
        assertTrue(lines[3].matches("PEER\\s+ADDRESS\\s+HTTP\\s+CONNECTED"), lines[3]);
        assertEquals(List.of("1", "10.0.0.1:7000", "10.0.0.1:8000", "yes"), List.of(lines[4].split("\\s+")));
        assertEquals(List.of("3", "10.0.0.3:7000", "10.0.0.3:8000", "no"), List.of(lines[5].split("\\s+")));

        final String electing = HealthCommand.table(new ObjectMapper().readTree("""
            {"role":"secondary","mode":"failover","node_id":3,"epoch":6,"master_id":0,"master":null,
             "last_election":{"what":"none yet","ms_ago":-1},"storage_error":"disk full","peers":[]}
            """));
        assertTrue(electing.startsWith("node 3: secondary   epoch: 6   master: none known (an election may be under "
            + "way)\n"), electing);
        assertTrue(electing.contains("last election: none yet\n"), electing);
        assertTrue(electing.contains("STORAGE FAILED, out of the cluster until restarted: disk full"), electing);
    }
}
