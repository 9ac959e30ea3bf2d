package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A log at its size limit refuses appends with a clear error and keeps serving reads. */
class LogLimitTest {
    @Test
    void aFullLogRefusesAppendsWithStorageFullAndStillServesReads() throws Exception {
        // 10 entries of 100 bytes (+4 bytes of framing each) fit in 1,040 bytes
        try (ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .maxLogBytes(1_040), null);
             ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            final byte[] hundred = new byte[100];
            for (int i = 1; i <= 10; i++) {
                assertEquals(i, Await.result(client.append(hundred, 1, 0)));
            }
            final CompletionException e = assertThrows(CompletionException.class,
                () -> Await.result(client.append(hundred, 1, 0)));
            final ReplogException r = (ReplogException) e.getCause();
            assertEquals(ErrorCode.STORAGE_FULL, r.code());
            assertTrue(r.getMessage().contains("full"), r.getMessage());

            final HttpResponse<String> http = ClusterTestSupport.http(master, "POST", "/append",
                "{\"message\": \"" + "x".repeat(100) + "\"}");
            assertEquals(507, http.statusCode());
            assertTrue(http.body().contains("the log is full"), http.body());

            assertEquals(10, client.readAll().size(), "reads keep working");
            assertEquals(10, master.role().log().lastId(), "nothing refused was stored");
        }
    }
}
