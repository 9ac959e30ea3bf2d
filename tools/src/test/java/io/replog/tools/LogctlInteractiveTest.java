package io.replog.tools;

import io.netty.channel.Channel;
import io.replog.node.LocalCluster;
import io.replog.protocol.Append;
import io.replog.testing.Await;
import io.replog.testing.ScriptedServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * logctl append used as a netcat-style tool: stdin arrives slowly, by hand or from a pipe; each answer must be
 * printed as it arrives (not when the input ends or the window fills), and a node that stops answering must be
 * noticed within --answer-timeout-ms whatever the input does.
 */
class LogctlInteractiveTest {
    /** logctl running in a thread of its own, stdin fed by the test, stdout and stderr watched. */
    private static final class Session implements AutoCloseable {
        final PipedOutputStream stdin = new PipedOutputStream();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit;

        Session(final String... args) throws IOException {
            final PipedInputStream in = new PipedInputStream(stdin, 64 * 1024);
            final CommandLine cli = Logctl.commandLine(in);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
        }

        void type(final String line) throws IOException {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        long lines() {
            return out.toString().lines().count();
        }

        @Override
        public void close() throws IOException {
            stdin.close();
        }
    }

    @Test
    void eachAnswerIsPrintedAsItArrivesWhileStdinIsSlow() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2));
             Session logctl = new Session("--server", "127.0.0.1:" + cluster.master().port(), "append", "-w", "2")) {
            for (int i = 1; i <= 3; i++) {
                logctl.type("slow-" + i);
                final int printed = i;
                // the next line is not typed until this one's msg_id is out: the old logctl printed them at the end
                Await.until("msg_id of line " + i + " printed before line " + (i + 1) + " is typed",
                    () -> logctl.lines() == printed);
            }
            logctl.close();
            assertEquals(0, Await.result(logctl.exit), logctl.err.toString());
            assertEquals(3, logctl.lines());
        }
    }

    @Test
    void aNodeThatStopsAnsweringIsNoticedWhileInputKeepsComing() throws Exception {
        final AtomicReference<Channel> stalled = new AtomicReference<>();
        // the connection the first append arrives on answers nothing from then on, not even HEALTH (a paused
        // master); every other connection (logctl reconnecting) answers everything
        try (ScriptedServer node = ScriptedServer.start(1 << 20, (ctx, frame) -> {
            if (frame instanceof Append) {
                stalled.compareAndSet(null, ctx.channel());
            }
            if (stalled.get() == ctx.channel()) {
                return;
            }
            if (frame instanceof Append append) {
                ScriptedNodes.ok(ctx, append);
            } else {
                ScriptedNodes.answerHealthAndPing(ctx, frame, ScriptedNodes.masterHealth(1 << 19));
            }
        });
             Session logctl = new Session("--server", node.address(), "--answer-timeout-ms", "500", "append")) {
            final OutputStream feeder = logctl.stdin;
            int typed = 0;
            // a line every 20 ms, far below the window of 1024: only the watch on the node can notice the stall
            while (!logctl.err.toString().contains("reconnecting") && typed < 500) {
                logctl.type("line-" + ++typed);
                Thread.sleep(20); // the input's own pace
            }
            assertTrue(typed < 500, "the stall went unnoticed while input kept coming:\n" + logctl.err);
            assertTrue(logctl.err.toString().contains("answered neither an append nor HEALTH within 500 ms"),
                logctl.err.toString());
            feeder.close();
            assertEquals(0, Await.result(logctl.exit, Duration.ofSeconds(60)), logctl.err.toString());
            assertEquals(typed, logctl.lines(), "every line answered once reconnected:\n" + logctl.out);
        }
    }
}
