package io.replog.protocol.client;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.Pong;
import io.replog.protocol.ReplogException;
import io.replog.testing.BlackHole;
import io.replog.testing.ScriptedServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link ReplogClient} fails: the caller must be able to tell a refusal from a lost connection or a wrong peer. */
class ReplogClientTest {
    private static final int MAX_FRAME = 1024;

    private static ReplogException failure(final CompletableFuture<?> future) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(ReplogException.class, e.getCause());
    }

    @Test
    void aFramingErrorFailsEveryPendingRequestWithItsCodeNotWithConnectionLost() throws Exception {
        // the server holds PINGs unanswered, so they are pending when it refuses the oversized frame behind them
        try (ScriptedServer server = ScriptedServer.start(MAX_FRAME, (ctx, frame) -> { });
             ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            final List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pending.add(client.ping());
            }
            pending.add(client.append(new byte[2 * MAX_FRAME], 1, 0));
            for (final CompletableFuture<?> f : pending) {
                final ReplogException e = failure(f);
                assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code(), e.toString());
                assertTrue(e.getMessage().contains("exceeds the limit of " + MAX_FRAME), e.getMessage());
            }
            // a request sent after the refusal was not refused: it was cut off, and says after what
            final ReplogException later = failure(client.ping());
            assertEquals(ReplogException.CONNECTION_LOST, later.code(), later.toString());
            assertTrue(later.getMessage().contains("FRAME_TOO_LARGE"), later.getMessage());
        }
    }

    @Test
    void aBrokenConnectionIsConnectionLost() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(MAX_FRAME, (ctx, frame) -> ctx.close());
             ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            assertEquals(ReplogException.CONNECTION_LOST, failure(client.ping()).code());
        }
    }

    @Test
    void anHttpServerIsNamedAsSuch() throws Exception {
        try (ServerSocket http = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final Thread server = new Thread(() -> answerLikeHttp(http), "fake-http");
            server.setDaemon(true);
            server.start();
            try (ReplogClient client = ReplogClient.connect("127.0.0.1:" + http.getLocalPort(),
                ClientOptions.defaults())) {
                final ReplogException e = failure(client.health());
                assertEquals(ReplogException.NOT_REPLOG_PEER, e.code(), e.toString());
                assertTrue(e.getMessage().contains("answered like an HTTP server"), e.getMessage());
                assertTrue(e.getMessage().contains("\"HTTP/1.1 400 Bad Request\""), e.getMessage());
            }
        }
    }

    /** Like an HTTP server that finds no request line in binary bytes: 400, then close. */
    private static void answerLikeHttp(final ServerSocket http) {
        try (Socket s = http.accept()) {
            final InputStream in = s.getInputStream();
            in.read(new byte[64]);
            final OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // the test fails on the client side if this did not happen
        }
    }

    @Test
    void anAnswerThatIsNotAFrameAfterGoodOnesIsALostConnection() throws Exception {
        final AtomicInteger pings = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(MAX_FRAME, (ctx, frame) -> {
            if (pings.incrementAndGet() == 1) {
                ctx.writeAndFlush(new Pong(frame.requestId()));
            } else {
                ctx.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("garbage!", StandardCharsets.US_ASCII));
            }
        });
             ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            client.ping().get(10, TimeUnit.SECONDS);
            assertEquals(ReplogException.CONNECTION_LOST, failure(client.ping()).code());
        }
    }

    @Test
    void theConnectTimeoutIsHonoured() throws Exception {
        try (BlackHole hole = BlackHole.open()) {
            final long start = System.nanoTime();
            final ReplogException e = assertThrows(ReplogException.class, () -> ReplogClient.connect(
                hole.address(), ClientOptions.defaults().withConnectTimeoutMs(300)));
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(ReplogException.CONNECTION_LOST, e.code());
            assertTrue(e.getMessage().contains("cannot connect to " + hole.address() + ": no answer within 300 ms"),
                e.getMessage());
            assertTrue(ms >= 250 && ms < 3_000, "gave up after " + ms + " ms, asked for 300");
        }
    }
}
