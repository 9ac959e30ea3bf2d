package io.replog.tools;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.replog.protocol.Append;
import io.replog.protocol.ErrorCode;
import io.replog.testing.BlackHole;
import io.replog.testing.ScriptedServer;
import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static io.replog.tools.LogctlRunner.logctl;
import static io.replog.tools.ScriptedNodes.answerHealthAndPing;
import static io.replog.tools.ScriptedNodes.error;
import static io.replog.tools.ScriptedNodes.masterHealth;
import static io.replog.tools.ScriptedNodes.ok;
import static io.replog.tools.ScriptedNodes.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * logctl when things go wrong, against scripted nodes: which errors it retries (lost connections, SHUTTING_DOWN)
 * and which it reports per line and never re-sends; its reconnect window; and that a peer that is no replog node,
 * or does not answer, ends every command within its timeouts, with a hint.
 */
class LogctlFailureTest {
    private static final Logger LOG = LoggerFactory.getLogger(LogctlFailureTest.class);
    /**
     * Longer than any run below needs, so that a test that would hang fails instead; shorter than logctl's default
     * --reconnect-for-ms (30 s), so a run that ignored that flag for the default fails too.
     */
    private static final Duration BOUND = Duration.ofSeconds(15);
    /** logctl's default --answer-timeout-ms: a run that used it instead of the flag cannot end sooner. */
    private static final long DEFAULT_ANSWER_TIMEOUT_MS = 5_000;
    /** logctl's default --connect-timeout-ms: likewise. */
    private static final long DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

    @Test
    void aFramingErrorEndsTheRunWithoutReconnecting() {
        // this node claims to take large messages but its frame limit is 1 KiB: the second line is refused as a
        // framing error (request id 0) and the connection closed. Re-sending would be refused again, forever.
        try (ScriptedServer node = ScriptedServer.start(1024, (ctx, frame) -> {
            if (!answerHealthAndPing(ctx, frame, masterHealth(1_000_000)) && frame instanceof Append a) {
                ok(ctx, a);
            }
        })) {
            final String input = "good-1\n" + "x".repeat(2000) + "\ngood-3\n";
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl(input, "-s", node.address(), "append"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertEquals(List.of("1"), run.lines(), run.toString());
            assertTrue(run.err().startsWith("logctl: line 2: FRAME_TOO_LARGE: frame of 2036 bytes exceeds the limit "
                + "of 1024 bytes"), run.toString());
            assertTrue(run.err().contains("nothing more is sent (lines 2 to 3 were not confirmed)"), run.toString());
            assertEquals(1, node.connectionsAccepted(), "connected once, never again: " + run);
        }
    }

    @Test
    void shuttingDownIsRetriedOnANewConnectionWithTheSameTags() {
        final AtomicReference<Channel> stopping = new AtomicReference<>();
        final List<String> received = new CopyOnWriteArrayList<>();
        try (ScriptedServer node = ScriptedServer.start(1024, (ctx, frame) -> {
            if (answerHealthAndPing(ctx, frame, masterHealth(1000)) || !(frame instanceof Append a)) {
                return;
            }
            received.add(a.clientId() + "/" + a.seq() + "/" + text(a));
            stopping.compareAndSet(null, ctx.channel());
            if (stopping.get() == ctx.channel()) {
                // the first connection's master is stopping: it refuses what it has not carried out, then closes
                ctx.writeAndFlush(new io.replog.protocol.ErrorFrame(a.requestId(), ErrorCode.SHUTTING_DOWN,
                    "the node is shutting down")).addListener(ChannelFutureListener.CLOSE);
            } else {
                ok(ctx, a);
            }
        })) {
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("a\nb\n", "-s", node.address(), "append"));
            assertEquals(0, run.exit(), run.toString());
            assertEquals(List.of("1", "2"), run.lines());
            assertTrue(run.err().contains("reconnected after 1 attempt(s)"), run.toString());
            assertEquals(2, node.connectionsAccepted(), run.toString());
            final String clientId = received.get(0).split("/")[0];
            assertTrue(received.stream().allMatch(r -> r.startsWith(clientId + "/")), "one client id: " + received);
            assertTrue(received.contains(clientId + "/1/a") && received.contains(clientId + "/2/b"), "" + received);
            assertTrue(received.stream().filter(r -> r.endsWith("/1/a")).count() == 2, "line 1 re-sent: " + received);
        }
    }

    @Test
    void refusedLinesAreReportedOneByOneAndNeverReSent() {
        final Map<String, Short> refusals = Map.of("invalid", ErrorCode.INVALID_REQUEST, "slow", ErrorCode.TIMEOUT,
            "readonly", ErrorCode.READ_ONLY, "full", ErrorCode.STORAGE_FULL, "big", ErrorCode.PAYLOAD_TOO_LARGE,
            "secondary", ErrorCode.NOT_MASTER);
        final Map<String, Integer> seen = new ConcurrentHashMap<>();
        try (ScriptedServer node = ScriptedServer.start(1024, (ctx, frame) -> {
            if (!answerHealthAndPing(ctx, frame, masterHealth(1000)) && frame instanceof Append a) {
                seen.merge(text(a), 1, Integer::sum);
                final Short code = refusals.get(text(a));
                if (code == null) {
                    ok(ctx, a);
                } else {
                    error(ctx, a, code, "refused " + text(a));
                }
            }
        })) {
            final String input = "ok-1\ninvalid\nok-3\nslow\nreadonly\nfull\nbig\nsecondary\nok-9\n";
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl(input, "-s", node.address(),
                "--reconnect-for-ms", "1000", "append"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertEquals(List.of("1", "3", "9"), run.lines(), run.toString());
            assertEquals(List.of("logctl: line 2: INVALID_REQUEST: refused invalid",
                "logctl: line 4: TIMEOUT: refused slow", "logctl: line 5: READ_ONLY: refused readonly",
                "logctl: line 6: STORAGE_FULL: refused full", "logctl: line 7: PAYLOAD_TOO_LARGE: refused big",
                "logctl: line 8: NOT_MASTER: refused secondary"), run.errLines());
            assertEquals(1, node.connectionsAccepted(), run.toString());
            assertEquals(9, seen.size());
            seen.forEach((line, times) -> assertEquals(1, times, line + " sent once"));
        }
    }

    @Test
    void theReconnectWindowIsAFlag() {
        // a master that goes away for good after the first append
        final ScriptedServer[] self = new ScriptedServer[1];
        try (ScriptedServer node = ScriptedServer.start(1024, (ctx, frame) -> {
            if (!answerHealthAndPing(ctx, frame, masterHealth(1000)) && frame instanceof Append) {
                self[0].stopListening();
                ctx.close();
            }
        })) {
            self[0] = node;
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("", "-s", node.address(),
                "--reconnect-for-ms", "700", "append", "x"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            LOG.info("--reconnect-for-ms 700: gave up after {} ms", run.millis());
            // not well before the window ends (and BOUND: not after the default one either)
            assertTrue(run.millis() >= 650, run.toString());
            assertTrue(run.err().contains("logctl: gave up reconnecting to " + node.address()), run.toString());
            assertTrue(run.err().contains("no answer for --reconnect-for-ms 700"), run.toString());
            assertTrue(run.err().contains("the message was not confirmed"), run.toString());
        }
    }

    @Test
    void aNodeThatDropsEveryConnectionGetsAFewAttemptsNotAStorm() {
        // connecting works, the handshake works, every append loses the connection: no answer ever comes, so the
        // window counts from the first loss, and attempts back off (50 ms, doubling) instead of hammering
        try (ScriptedServer node = ScriptedServer.start(1024, (ctx, frame) -> {
            if (!answerHealthAndPing(ctx, frame, masterHealth(1000)) && frame instanceof Append) {
                ctx.close();
            }
        })) {
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("a\n", "-s", node.address(),
                "--reconnect-for-ms", "1500", "append"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertTrue(run.err().contains("logctl: gave up reconnecting to " + node.address()), run.toString());
            LOG.info("--reconnect-for-ms 1500: gave up after {} ms and {} connections", run.millis(),
                node.connectionsAccepted());
            // not well before the window ends (and BOUND: not after the default one either)
            assertTrue(run.millis() >= 1_400, run.toString());
            // 1 + attempts after 0, 50, 100, 200, 400, 800 ms of backoff
            assertTrue(node.connectionsAccepted() >= 3 && node.connectionsAccepted() <= 8,
                node.connectionsAccepted() + " connections in 1.5 s");
        }
    }

    @Test
    void reconnectForZeroDoesNotReconnect() {
        try (ScriptedServer node = ScriptedServer.start(1024, (ctx, frame) -> {
            if (!answerHealthAndPing(ctx, frame, masterHealth(1000)) && frame instanceof Append) {
                ctx.close();
            }
        })) {
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("a\nb\n", "-s", node.address(),
                "--reconnect-for-ms", "0", "append"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertTrue(run.err().startsWith("logctl: line 1: CONNECTION_LOST: "), run.toString());
            // line 2 may or may not have been read and sent before the loss arrived: both are reported truthfully
            assertTrue(run.err().contains("not reconnecting (--reconnect-for-ms 0; lines 1 to 2 were not confirmed)")
                || run.err().contains("not reconnecting (--reconnect-for-ms 0; line 1 was not confirmed)"),
                run.toString());
            assertEquals(1, node.connectionsAccepted());
        }
    }

    @Test
    void aSilentPeerFailsEveryCommandWithinTheAnswerTimeoutWithAHint() {
        try (ScriptedServer silent = ScriptedServer.start(1024, (ctx, frame) -> { })) {
            final String hint = silent.address() + " did not answer HEALTH within 300 ms (--answer-timeout-ms): is "
                + silent.address() + " a replog node's binary port? (the binary port is 7000 by default; 8000 is "
                + "the node's HTTP port)";
            for (final List<String> command : List.of(List.of("list"), List.of("health"), List.of("ping"),
                List.of("append", "x"), List.of("bench", "--op", "ping", "--messages", "10"))) {
                final String[] args = concat(List.of("-s", silent.address(), "--answer-timeout-ms", "300"), command);
                final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("", args), command::toString);
                assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
                assertEquals("logctl: " + hint + "\n", run.err().replace("\r", ""), command.toString());
                LOG.info("--answer-timeout-ms 300: {} failed after {} ms", command, run.millis());
                assertTrue(run.millis() < DEFAULT_ANSWER_TIMEOUT_MS, "the flag's 300 ms, not the default: " + command
                    + " " + run);
            }
        }
    }

    @Test
    void aNodeThatStopsAnsweringAfterTheHandshakeFailsListAndPingInTime() {
        try (ScriptedServer mute = ScriptedServer.start(1024, (ctx, frame) -> {
            if (frame instanceof io.replog.protocol.Health) {
                answerHealthAndPing(ctx, frame, masterHealth(1000));
            }
        })) {
            for (final String command : List.of("list", "ping")) {
                final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("", "-s", mute.address(),
                    "--answer-timeout-ms", "300", command));
                assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
                final String request = "list".equals(command) ? "READ" : "PING";
                assertEquals("logctl: " + mute.address() + " did not answer " + request
                    + " within 300 ms (--answer-timeout-ms)\n", run.err().replace("\r", ""));
            }
        }
    }

    @Test
    void anHttpServerIsRecognisedAndTheBinaryPortNamed() throws Exception {
        try (ServerSocket http = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final Thread server = new Thread(() -> answerLikeHttp(http), "fake-http");
            server.setDaemon(true);
            server.start();
            final String address = "127.0.0.1:" + http.getLocalPort();
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("", "-s", address, "list"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertEquals("logctl: " + address + " does not speak the replog protocol: it answered like an HTTP "
                + "server: \"HTTP/1.1 400 Bad Request\" (the binary port is 7000 by default; 8000 is the node's "
                + "HTTP port)\n", run.err().replace("\r", ""));
        }
    }

    /** Like an HTTP server reading a request line up to the first '\n' (the HEALTH frame's type byte is 0x0A). */
    private static void answerLikeHttp(final ServerSocket http) {
        try (Socket s = http.accept()) {
            s.getInputStream().read(new byte[64]);
            s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
            // the client side of the test fails if this did not happen
        }
    }

    @Test
    void theConnectTimeoutIsAFlag() throws Exception {
        try (BlackHole hole = BlackHole.open()) {
            final Run run = assertTimeoutPreemptively(BOUND, () -> logctl("", "-s", hole.address(),
                "--connect-timeout-ms", "300", "ping"));
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertEquals("logctl: CONNECTION_LOST: cannot connect to " + hole.address() + ": no answer within 300 ms\n",
                run.err().replace("\r", ""));
            LOG.info("--connect-timeout-ms 300: failed after {} ms", run.millis());
            assertTrue(run.millis() < DEFAULT_CONNECT_TIMEOUT_MS, "the flag's 300 ms, not the default: " + run);
        }
    }

    private static String[] concat(final List<String> a, final List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toArray(String[]::new);
    }
}
