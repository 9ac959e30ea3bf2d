package io.replog.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.config.NodeConfig;
import io.replog.node.http.RawHttp;
import io.replog.node.server.EventLoops;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameType;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --max-connections}, both ports together: past the cap a binary connection gets one TOO_MANY_CONNECTIONS
 * ERROR frame and an HTTP request a JSON 503, then the connection closes; once a connection closes there is room
 * again.
 */
class ConnectionCapTest {
    private static final int CAP = 3;

    private EventLoops loops;
    private ReplogNode node;

    @BeforeEach
    void start() {
        loops = new EventLoops(2, "cap-test");
        node = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0).maxConnections(CAP),
            loops);
    }

    @AfterEach
    void stop() {
        node.close();
        loops.close();
    }

    @Test
    void pastTheCapBinaryAndHttpClientsGetAClearRefusalAndRoomReturnsWhenOneLeaves() throws Exception {
        final RawFrameSocket first = new RawFrameSocket(node.port());
        try (RawFrameSocket second = new RawFrameSocket(node.port()); RawHttp third = new RawHttp(node.httpPort())) {
            // each served: all three counted
            first.roundTrip(1);
            second.roundTrip(2);
            third.send(RawHttp.get("/health"));
            assertEquals(200, third.read().status());

            try (RawFrameSocket refused = new RawFrameSocket(node.port())) {
                assertRefused(refused.read());
                assertTrue(refused.closedByNode());
            }
            try (RawFrameSocket eager = new RawFrameSocket(node.port())) {
                eager.ping(3); // sends before it reads: the refusal must survive the unread request
                assertRefused(eager.read());
                assertTrue(eager.closedByNode());
            }
            try (RawHttp refused = new RawHttp(node.httpPort())) {
                refused.send(RawHttp.get("/health"));
                final RawHttp.Response answer = refused.read();
                assertEquals(503, answer.status(), answer.body());
                assertEquals("application/json", answer.header("content-type"));
                assertEquals("close", answer.header("connection"));
                assertTrue(new ObjectMapper().readTree(answer.body()).path("detail").asText()
                    .contains("too many connections"), answer.body());
                assertTrue(refused.atEof());
            }
            second.roundTrip(4); // the admitted ones are untouched

            first.close();
            Await.until("a new connection is served once one left", this::newConnectionServed);
        }
    }

    private static void assertRefused(final RawFrameSocket.Frame frame) {
        assertEquals(FrameType.ERROR, frame.type());
        assertEquals(0, frame.requestId());
        assertEquals(ErrorCode.TOO_MANY_CONNECTIONS, frame.errorCode(), frame.errorText());
        assertTrue(frame.errorText().contains("--max-connections"), frame.errorText());
    }

    private boolean newConnectionServed() {
        try (RawFrameSocket probe = new RawFrameSocket(node.port())) {
            probe.ping(5);
            final RawFrameSocket.Frame answer = probe.read();
            if (answer.type() == FrameType.ERROR) {
                assertRefused(answer);
                return false;
            }
            return answer.type() == FrameType.PONG;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
