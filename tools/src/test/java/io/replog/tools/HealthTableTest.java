package io.replog.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code logctl health}'s table on reports as nodes send them: every peer state a master can show, who counts as up,
 * and the same shape for a fixed master, a failover master, a failover secondary and a fixed secondary.
 */
class HealthTableTest {
    private static final String FIXED_MASTER = """
        {"role":"master","read_only":true,"read_only_reason":"no quorum (3 of 6 nodes up, 4 needed)","mode":"fixed",
         "node_id":0,"name":"master","address":null,"http":null,"replica_role":"master","epoch":3,"master_id":0,
         "master":null,"master_http":null,"last_election":{"what":"none (fixed roles)","ms_ago":-1},"log_id":"7f3a",
         "last_msg_id":42,"durable_msg_id":42,"readable_msg_id":42,"quorum":4,"max_w":6,
         "max_message_bytes":4194268,"pending_appends":3,"max_pending_appends":10000,"flush":"batch","delay_ms":0,
         "fail_rate":0.0,"drop_rate":0.0,"injected_failures":0,"injected_drops":0,"peers":[
          {"address":"10.0.0.1:7001","status":"Healthy","acked":42,"lag":0,"id":0,"name":"10.0.0.1:7001",
           "role":"secondary","connection":"STREAMING","connected":true,"last_answer_ms_ago":81},
          {"address":"10.0.0.2:7001","status":"Suspected","reason":"no answer for 1800 ms","acked":40,"lag":2,
           "id":0,"role":"secondary","connection":"STREAMING","connected":true,"last_answer_ms_ago":1800},
          {"address":"10.0.0.3:7001","status":"Unhealthy","reason":"no answer for 6204 ms","acked":17,"lag":25,
           "id":0,"role":"secondary","connection":"CONNECTING","connected":false,"last_answer_ms_ago":6204},
          {"address":"10.0.0.4:7001","status":"Failing","reason":"REPLICATION_FAILED on 10 attempts in a row: log full",
           "acked":30,"lag":12,"id":0,"role":"secondary","connection":"STREAMING","connected":true,
           "last_answer_ms_ago":12},
          {"address":"10.0.0.5:7001","status":"Diverged","reason":"refuses this log: LOG_MISMATCH: holds log 1b2c",
           "acked":0,"lag":42,"id":0,"role":"secondary","connection":"STREAMING","connected":true,
           "last_answer_ms_ago":null}]}
        """;

    private static final String FAILOVER_MASTER = """
        {"role":"master","read_only":false,"mode":"failover","node_id":1,"name":"node 1","address":"10.0.0.1:7000",
         "http":"10.0.0.1:8000","replica_role":"master","epoch":5,"master_id":1,"master":"10.0.0.1:7000",
         "master_http":"10.0.0.1:8000","last_election":{"what":"node 1 became master in epoch 5","ms_ago":1234},
         "log_id":"7f3a","last_msg_id":12,"durable_msg_id":12,"readable_msg_id":12,"quorum":2,"max_w":3,
         "max_message_bytes":1000,"pending_appends":0,"max_pending_appends":10000,"flush":"batch","delay_ms":3000,
         "fail_rate":0.0,"drop_rate":0.0,"injected_failures":0,"injected_drops":0,"peers":[
          {"address":"10.0.0.2:7000","status":"Healthy","acked":12,"lag":0,"id":2,"name":"node 2",
           "http":"10.0.0.2:8000","role":"secondary","connection":"connected","connected":true,
           "last_answer_ms_ago":40},
          {"address":"10.0.0.3:7000","status":"Unauthorized","reason":"not authenticated: wrong key","acked":0,
           "lag":12,"id":3,"name":"node 3","http":"10.0.0.3:8000","role":"secondary","connection":"connected",
           "connected":true,"last_answer_ms_ago":null}]}
        """;

    private static final String FAILOVER_SECONDARY = """
        {"role":"secondary","read_only":true,"read_only_reason":"not the master; master at 10.0.0.1:7000",
         "mode":"failover","node_id":2,"name":"node 2","address":"10.0.0.2:7000","http":"10.0.0.2:8000",
         "replica_role":"secondary","epoch":5,"master_id":1,"master":"10.0.0.1:7000","master_http":"10.0.0.1:8000",
         "last_election":{"what":"node 1 is master in epoch 5","ms_ago":1234},"last_msg_id":12,
         "durable_msg_id":11,"readable_msg_id":10,"storage_error":"disk full","quorum":2,"max_w":3,
         "pending_appends":0,"flush":"batch","delay_ms":0,"fail_rate":0.0,"drop_rate":0.0,"peers":[
          {"address":"10.0.0.1:7000","status":"Healthy","acked":null,"lag":null,"id":1,"name":"node 1",
           "role":"master","connection":"connected","connected":true,"last_answer_ms_ago":20},
          {"address":"10.0.0.3:7000","status":"Unhealthy","reason":"no link to it (reconnecting)","acked":null,
           "lag":null,"id":3,"name":"node 3","role":"secondary","connection":"not connected","connected":false,
           "last_answer_ms_ago":null}]}
        """;

    private static final String FIXED_SECONDARY = """
        {"role":"secondary","read_only":true,"read_only_reason":"not the master: this node is a secondary",
         "mode":"fixed","node_id":0,"name":"secondary","address":null,"http":null,"replica_role":"secondary",
         "epoch":3,"master_id":0,"master":null,"master_http":null,
         "last_election":{"what":"none (fixed roles)","ms_ago":-1},"last_msg_id":17,"durable_msg_id":17,
         "readable_msg_id":17,"quorum":0,"max_w":0,"pending_appends":0,"flush":"batch","delay_ms":3000,
         "fail_rate":0.1,"drop_rate":0.0,"injected_failures":4,"injected_drops":0,"master_last_seen_ms_ago":120,
         "peers":[{"address":null,"status":"Healthy","acked":null,"lag":null,"id":0,"name":"master",
           "role":"master","connection":"it dials in","connected":true,"last_answer_ms_ago":120}]}
        """;

    private static String table(final String json) throws Exception {
        return HealthCommand.table(new ObjectMapper().readTree(json)).replace("\r", "");
    }

    /** The peer rows: the lines after the header. */
    private static List<String> rows(final String table) {
        final List<String> rows = new ArrayList<>();
        boolean past = false;
        for (final String line : table.split("\n")) {
            if (past) {
                rows.add(line);
            }
            past |= line.startsWith("PEER ");
        }
        return rows;
    }

    @Test
    void onlyHealthyAndSuspectedPeersCountAsUpAndEveryOtherShowsItsReason() throws Exception {
        final String table = table(FIXED_MASTER);
        final String[] lines = table.split("\n");
        assertEquals("role: master   mode: read-only   quorum: 4 (3 of 6 nodes up)   last msg_id: 42"
            + "   waiting appends: 3", lines[0]);
        assertEquals("node: master   epoch: 3   master: itself   durable: 42   readable: 42   flush: batch", lines[1]);
        assertEquals("faults: none   last election: none (fixed roles)", lines[2]);
        assertEquals("read-only: no quorum (3 of 6 nodes up, 4 needed)", lines[3]);
        assertTrue(lines[4].matches("PEER\\s+STATUS\\s+ACKED\\s+LAG\\s+CONNECTION\\s+LAST ANSWER\\s+ROLE\\s+REASON"),
            lines[4]);
        final List<String> rows = rows(table);
        assertEquals(5, rows.size(), table);
        assertRow(rows.get(0), "10.0.0.1:7001 Healthy 42 0 STREAMING 81 ms ago secondary");
        assertRow(rows.get(1), "10.0.0.2:7001 Suspected 40 2 STREAMING 1800 ms ago secondary no answer for 1800 ms");
        assertRow(rows.get(2), "10.0.0.3:7001 Unhealthy 17 25 CONNECTING 6204 ms ago secondary no answer for 6204 ms");
        assertRow(rows.get(3), "10.0.0.4:7001 Failing 30 12 STREAMING 12 ms ago secondary REPLICATION_FAILED on 10 "
            + "attempts in a row: log full");
        assertRow(rows.get(4), "10.0.0.5:7001 Diverged 0 42 STREAMING never secondary refuses this log: "
            + "LOG_MISMATCH: holds log 1b2c");
    }

    /** Words of a row, one space between them: the columns are padded, the reason is free text. */
    private static void assertRow(final String row, final String words) {
        assertEquals(words, row.trim().replaceAll("\\s+", " "), row);
    }

    @Test
    void aFailoverMasterPrintsTheSameShapeWithItsPeersStates() throws Exception {
        final String table = table(FAILOVER_MASTER);
        final String[] lines = table.split("\n");
        assertEquals("role: master   mode: writable   quorum: 2 (2 of 3 nodes up)   last msg_id: 12"
            + "   waiting appends: 0", lines[0]);
        assertEquals("node: node 1 at 10.0.0.1:7000   epoch: 5   master: node 1 at 10.0.0.1:7000 (HTTP 10.0.0.1:8000)"
            + "   durable: 12   readable: 12   flush: batch", lines[1]);
        assertEquals("faults: delay 3000 ms   last election: node 1 became master in epoch 5 (1234 ms ago)", lines[2]);
        assertTrue(lines[3].startsWith("PEER "), table);
        final List<String> rows = rows(table);
        assertRow(rows.get(0), "10.0.0.2:7000 Healthy 12 0 connected 40 ms ago secondary (node 2)");
        assertRow(rows.get(1), "10.0.0.3:7000 Unauthorized 0 12 connected never secondary (node 3) not "
            + "authenticated: wrong key");
    }

    @Test
    void aSecondaryKnowsNoPositionsOfItsPeersAndSaysWhyItIsReadOnly() throws Exception {
        final String failover = table(FAILOVER_SECONDARY);
        assertTrue(failover.startsWith("role: secondary   mode: read-only   quorum: 2 (2 of 3 nodes up)   last "
            + "msg_id: 12   waiting appends: 0\nnode: node 2 at 10.0.0.2:7000   epoch: 5   master: node 1 at "
            + "10.0.0.1:7000 (HTTP 10.0.0.1:8000)   durable: 11   readable: 10   flush: batch\n"), failover);
        assertTrue(failover.contains("\nread-only: not the master; master at 10.0.0.1:7000\n"), failover);
        assertTrue(failover.contains("\nSTORAGE FAILED: disk full\n"), failover);
        final List<String> rows = rows(failover);
        assertRow(rows.get(0), "10.0.0.1:7000 Healthy - - connected 20 ms ago master (node 1)");
        assertRow(rows.get(1), "10.0.0.3:7000 Unhealthy - - not connected never secondary (node 3) no link to it "
            + "(reconnecting)");

        final String fixed = table(FIXED_SECONDARY);
        assertTrue(fixed.startsWith("role: secondary   mode: read-only   quorum: 0 (2 of 2 nodes up)   last "
            + "msg_id: 17   waiting appends: 0\nnode: secondary   epoch: 3   master: not known (it dials in)   "
            + "durable: 17   readable: 17   flush: batch\nfaults: delay 3000 ms, fail rate 0.1 (4 injected)   last "
            + "election: none (fixed roles)\n"), fixed);
        assertRow(rows(fixed).get(0), "master Healthy - - it dials in 120 ms ago master");
    }

    /** Every report, whatever the mode and role: the same lines, the same header, the same columns in each row. */
    @Test
    void everyNodePrintsTheSameTableShape() throws Exception {
        final List<String> prefixes = List.of("role: ", "node: ", "faults: ");
        String header = null;
        for (final String json : List.of(FIXED_MASTER, FAILOVER_MASTER, FAILOVER_SECONDARY, FIXED_SECONDARY)) {
            final String[] lines = table(json).split("\n");
            for (int i = 0; i < prefixes.size(); i++) {
                assertTrue(lines[i].startsWith(prefixes.get(i)), json + "\n" + String.join("\n", lines));
            }
            final String h = rows("PEER x\n" + table(json)).stream().filter(l -> l.startsWith("PEER ")).findFirst()
                .orElseThrow();
            assertEquals(header == null ? h : header, h);
            header = h;
            final JsonNode report = new ObjectMapper().readTree(json);
            assertEquals(report.path("peers").size(), rows(table(json)).size(), json);
        }
    }
}
