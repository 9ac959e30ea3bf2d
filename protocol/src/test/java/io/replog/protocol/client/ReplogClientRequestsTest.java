package io.replog.protocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContextBuilder;
import io.replog.protocol.Append;
import io.replog.protocol.AppendOk;
import io.replog.protocol.EntryRun;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.Health;
import io.replog.protocol.HealthOk;
import io.replog.protocol.Ping;
import io.replog.protocol.Pong;
import io.replog.protocol.Read;
import io.replog.protocol.ReadOk;
import io.replog.protocol.ReplogException;
import io.replog.protocol.Transport;
import io.replog.testing.Await;
import io.replog.testing.ScriptedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link ReplogClient} sends for each call and what it makes of the answers, against a scripted node on
 * loopback that holds a log of {@code messages} and serves at most {@link #PAGE} of them per READ (as a node caps
 * a READ by its frame limit): the fields on the wire, the msg_ids of what is read, paging, refusals that keep the
 * connection, and what closing does to requests still pending.
 */
class ReplogClientRequestsTest {
    private static final int MAX_FRAME = 64 * 1024;
    private static final int PAGE = 10;

    /** Every frame the server received, as text, in order. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private ScriptedServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    private ScriptedServer serve(final ScriptedServer.Script script) {
        server = ScriptedServer.start(MAX_FRAME, script);
        return server;
    }

    /** Answers like a node that holds {@link #messages}: APPEND, READ, HEALTH and PING. */
    private void answerLikeANode(final ChannelHandlerContext ctx, final Frame frame) {
        if (frame instanceof Append a) {
            received.add("APPEND w=" + a.w() + " timeout=" + a.timeoutMs() + " tag=" + a.clientId() + "/" + a.seq()
                + " " + a.payload().toString(StandardCharsets.UTF_8));
            messages.add(a.payload().toString(StandardCharsets.UTF_8));
            ctx.writeAndFlush(new AppendOk(a.requestId(), messages.size()));
        } else if (frame instanceof Read r) {
            received.add("READ from=" + r.fromId() + " max=" + r.maxCount() + " wait=" + r.waitMs());
            if (r.fromId() < 1) {
                ctx.writeAndFlush(new ErrorFrame(r.requestId(), ErrorCode.INVALID_REQUEST, "from_id < 1"));
                return;
            }
            final ByteBuf run = Unpooled.buffer();
            int count = 0;
            for (long id = r.fromId(); id <= messages.size() && count < Math.min(PAGE, r.maxCount()); id++) {
                EntryRun.writeEntry(run, messages.get((int) id - 1).getBytes(StandardCharsets.UTF_8));
                count++;
            }
            ctx.writeAndFlush(new ReadOk(r.requestId(), r.fromId(), count, messages.size(), run));
        } else if (frame instanceof Health h) {
            ctx.writeAndFlush(new HealthOk(h.requestId(), "{\"role\":\"master\"}"));
        } else if (frame instanceof Ping p) {
            ctx.writeAndFlush(new Pong(p.requestId()));
        } else {
            throw new AssertionError("unexpected " + frame);
        }
    }

    private static ReplogException failure(final CompletableFuture<?> future) {
        final CompletionException e = assertThrows(CompletionException.class, () -> Await.result(future));
        return assertInstanceOf(ReplogException.class, e.getCause());
    }

    @Test
    void anAppendCarriesItsFieldsAndCompletesWithItsMsgId() {
        serve(this::answerLikeANode);
        try (ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            assertEquals(1L, Await.result(client.append("first", 2)));
            assertEquals(2L, Await.result(client.append("second".getBytes(StandardCharsets.UTF_8), 3, 750)));
            assertEquals(3L, Await.result(client.append("third".getBytes(StandardCharsets.UTF_8), 1, 0, -42, 7)));
        }
        assertEquals(List.of("APPEND w=2 timeout=0 tag=0/0 first", "APPEND w=3 timeout=750 tag=0/0 second",
            "APPEND w=1 timeout=0 tag=-42/7 third"), received);
    }

    @Test
    void aReadNumbersWhatItGetsFromItsFirstId() {
        messages.addAll(List.of("a", "bb", "", "dddd"));
        serve(this::answerLikeANode);
        try (ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            final ReadResult result = Await.result(client.read(2, 2));
            assertEquals(4, result.lastId());
            assertEquals(List.of(2L, 3L), result.messages().stream().map(Message::msgId).toList());
            assertEquals(List.of("bb", ""), result.messages().stream().map(Message::text).toList());
            final ReadResult waited = Await.result(client.read(5, 100, Read.MAX_WAIT_MS));
            assertTrue(waited.messages().isEmpty());
        }
        assertEquals(List.of("READ from=2 max=2 wait=0", "READ from=5 max=100 wait=" + Read.MAX_WAIT_MS), received);
    }

    @Test
    void aReadWaitsNoLessThanNothingAndNoLongerThanTheLongestWait() {
        serve(this::answerLikeANode);
        try (ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            final IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> client.read(1, 10, -1));
            assertEquals("waitMs must be between 0 and 60000, got -1", below.getMessage());
            final IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
                () -> client.read(1, 10, Read.MAX_WAIT_MS + 1));
            assertEquals("waitMs must be between 0 and 60000, got 60001", above.getMessage());
            assertTrue(Await.result(client.read(1, 10, 0)).messages().isEmpty());
        }
        assertEquals(List.of("READ from=1 max=10 wait=0"), received, "nothing sent for a refused wait");
    }

    @Test
    void readAllFollowsThePagesToTheLastIdAndNoFurther() throws Exception {
        for (int i = 1; i <= PAGE + 1; i++) {
            messages.add("m" + i);
        }
        serve(this::answerLikeANode);
        try (ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            final List<Message> all = client.readAll();
            assertEquals(PAGE + 1, all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).msgId());
                assertEquals("m" + (i + 1), all.get(i).text());
            }
        }
        // the second page holds the last id: no third READ to learn that there is nothing after it
        assertEquals(List.of("READ from=1 max=" + ReplogClient.READ_PAGE + " wait=0",
            "READ from=" + (PAGE + 1) + " max=" + ReplogClient.READ_PAGE + " wait=0"), received);
    }

    @Test
    void readAllOfAnEmptyLogAsksOnce() throws Exception {
        serve(this::answerLikeANode);
        try (ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults())) {
            assertTrue(client.readAll().isEmpty());
        }
        assertEquals(1, received.size(), received.toString());
    }

    @Test
    void healthAndPingAnswerAndEveryRequestHasItsOwnId() {
        serve(this::answerLikeANode);
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", server.port())) {
            assertEquals("{\"role\":\"master\"}", Await.result(client.health()));
            final long a = client.nextRequestId();
            final long b = client.nextRequestId();
            assertEquals(a + 1, b);
            // sent from the event loop itself (a callback of the first answer): written at once, no hop
            Await.result(client.ping().thenCompose(v -> client.ping()));
            assertTrue(client.isConnected());
            assertTrue(client.channel().isActive());
        }
    }

    @Test
    void aRefusedRequestFailsAloneAndTheConnectionStays() {
        final AtomicInteger appends = new AtomicInteger();
        serve((ctx, frame) -> {
            if (frame instanceof Append a && appends.incrementAndGet() == 1) {
                ctx.writeAndFlush(new ErrorFrame(a.requestId(), ErrorCode.NOT_MASTER, "master is 10.0.0.2:7000"));
            } else {
                answerLikeANode(ctx, frame);
            }
        });
        try (ReplogClient client = ReplogClient.connect(server.address() + " ", ClientOptions.defaults())) {
            final ReplogException e = failure(client.append("x", 1));
            assertEquals(ErrorCode.NOT_MASTER, e.code());
            assertEquals("master is 10.0.0.2:7000", e.getMessage());
            assertTrue(client.isConnected());
            assertEquals(1L, Await.result(client.append("y", 1)));
        }
    }

    @Test
    void aFramingRefusalOfOneRequestFailsItWithItsCodeAndTheOthersAsCutOff() {
        final List<Long> held = new CopyOnWriteArrayList<>();
        serve((ctx, frame) -> {
            if (frame instanceof Append a) {
                // names the request it refused, then closes as a node does
                ctx.writeAndFlush(new ErrorFrame(a.requestId(), ErrorCode.MALFORMED_FRAME, "bad append"))
                    .addListener(f -> ctx.close());
            } else {
                held.add(frame.requestId());
            }
        });
        try (ReplogClient client = ReplogClient.connect(server.address())) {
            final CompletableFuture<Void> waiting = client.ping();
            Await.until("the ping reached the server", () -> held.size() == 1);
            final ReplogException refused = failure(client.append("x", 1));
            assertEquals(ErrorCode.MALFORMED_FRAME, refused.code());
            final ReplogException cutOff = failure(waiting);
            assertEquals(ReplogException.CONNECTION_LOST, cutOff.code(), cutOff.toString());
            assertTrue(cutOff.getMessage().startsWith("the node closed the connection after MALFORMED_FRAME"),
                cutOff.getMessage());
        }
    }

    @Test
    void closingFailsWhatIsPendingBeforeItReturnsAndStopsTheClientsOwnThreads() {
        serve((ctx, frame) -> { });
        final ReplogClient client = ReplogClient.connect(server.address(), ClientOptions.defaults());
        final CompletableFuture<Void> pending = client.ping();
        final EventLoopGroup group = client.channel().eventLoop().parent();
        client.close();
        assertTrue(pending.isDone(), "failed by the time close returned");
        assertEquals(ReplogException.CONNECTION_LOST, failure(pending).code());
        assertFalse(client.isConnected());
        assertTrue(group.isTerminated(), "the client's private event loop is stopped");
        assertEquals(ReplogException.CONNECTION_LOST, failure(client.ping()).code(), "and so is any request after");
    }

    @Test
    void aClientOnTheCallersEventLoopLeavesItRunning() {
        serve(this::answerLikeANode);
        final EventLoopGroup group = Transport.group(1, "caller-loop");
        try {
            final ReplogClient client = ReplogClient.connect(group,
                new InetSocketAddress("127.0.0.1", server.port()), MAX_FRAME);
            Await.result(client.ping());
            client.close();
            assertFalse(group.isShuttingDown(), "not the client's to stop");
            assertFalse(client.isConnected());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void theFrameLimitItIsGivenIsTheLimitOfWhatItAccepts() {
        serve((ctx, frame) -> {
            if (frame instanceof Health h) {
                ctx.writeAndFlush(new HealthOk(h.requestId(), "x".repeat(200)));
            } else {
                answerLikeANode(ctx, frame);
            }
        });
        final ClientOptions small = ClientOptions.defaults().withMaxFrameLength(100);
        assertEquals(100, small.maxFrameLength());
        try (ReplogClient client = ReplogClient.connect(server.address(), small)) {
            Await.result(client.ping());
            final ReplogException e = failure(client.health());
            assertNotEquals(ErrorCode.MALFORMED_FRAME, e.code());
            assertEquals(ReplogException.CONNECTION_LOST, e.code(), e.toString());
            assertTrue(e.getMessage().contains("exceeds the limit of 100 bytes"), e.getMessage());
        }
    }

    @Test
    void tlsToANodeThatSpeaksPlainTcpFailsAtConnect() throws Exception {
        serve(this::answerLikeANode);
        final ClientOptions tls = ClientOptions.defaults().withTls(SslContextBuilder.forClient().build());
        final ReplogException e = assertThrows(ReplogException.class,
            () -> ReplogClient.connect(server.address(), tls));
        assertEquals(ReplogException.CONNECTION_LOST, e.code());
        assertTrue(e.getMessage().startsWith("TLS with " + server.address() + " failed: "), e.getMessage());
    }
}
