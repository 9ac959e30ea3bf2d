package io.replog.tools;

import io.replog.node.LocalCluster;
import io.replog.protocol.Append;
import io.replog.testing.BlackHole;
import io.replog.testing.ScriptedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.replog.tools.ScriptedNodes.answerHealthAndPing;
import static io.replog.tools.ScriptedNodes.masterHealth;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * logctl as a process, as a user's shell runs it: the environment variables that stand in for flags, and stdout
 * carrying messages as UTF-8 bytes even in a C locale (whose default charset is ASCII).
 */
class LogctlProcessTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(1));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private record Result(int exit, byte[] out, String err, long millis) {
        @Override
        public String toString() {
            return "exit " + exit + " after " + millis + " ms\nstdout:\n" + new String(out, StandardCharsets.UTF_8)
                + "\nstderr:\n" + err;
        }
    }

    /** {@code java -cp <this test's class path> io.replog.tools.Logctl args}, in a C locale. */
    private static Result logctl(final Map<String, String> env, final byte[] stdin, final String... args)
        throws IOException, InterruptedException {
        final ProcessBuilder builder = LogctlRunner.process(args);
        builder.environment().putAll(Map.of("LC_ALL", "C", "LANG", "C"));
        builder.environment().putAll(env);
        final long start = System.nanoTime();
        final Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        }
        final byte[][] out = new byte[1][];
        final Thread reader = new Thread(() -> {
            try {
                out[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        reader.start();
        final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "logctl ended: " + err);
        reader.join(10_000);
        return new Result(process.exitValue(), out[0], err, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void logctlServerNamesTheNodeAndMessagesComeOutAsTheirUtf8Bytes() throws Exception {
        final Map<String, String> env = Map.of("LOGCTL_SERVER", "127.0.0.1:" + cluster.master().port());
        final String text = "env-é€😀";
        final Result append = logctl(env, (text + "\n").getBytes(StandardCharsets.UTF_8), "append", "-w", "2");
        assertEquals(0, append.exit(), append.toString());
        final long id = Long.parseLong(new String(append.out(), StandardCharsets.US_ASCII).trim());
        final Result list = logctl(env, new byte[0], "list", "--from", String.valueOf(id));
        assertEquals(0, list.exit(), list.toString());
        assertArrayEquals((id + "\t" + text + "\n").getBytes(StandardCharsets.UTF_8), list.out(), list.toString());
    }

    @Test
    void theTimeoutsAndTheReconnectWindowComeFromTheEnvironmentToo() throws Exception {
        try (ScriptedServer silent = ScriptedServer.start(1024, (ctx, frame) -> { })) {
            final Result run = logctl(Map.of("LOGCTL_SERVER", silent.address(), "LOGCTL_ANSWER_TIMEOUT_MS", "200"),
                new byte[0], "ping");
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertTrue(run.err().contains("did not answer HEALTH within 200 ms"), run.toString());
        }
        try (BlackHole hole = BlackHole.open()) {
            final Result run = logctl(Map.of("LOGCTL_SERVER", hole.address(), "LOGCTL_CONNECT_TIMEOUT_MS", "200"),
                new byte[0], "ping");
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertTrue(run.err().contains("no answer within 200 ms"), run.toString());
        }
        try (ScriptedServer dropper = ScriptedServer.start(1024, (ctx, frame) -> {
            if (!answerHealthAndPing(ctx, frame, masterHealth(1000)) && frame instanceof Append) {
                ctx.close();
            }
        })) {
            final Result run = logctl(Map.of("LOGCTL_SERVER", dropper.address(), "LOGCTL_RECONNECT_FOR_MS", "0"),
                "a\n".getBytes(StandardCharsets.UTF_8), "append");
            assertEquals(Logctl.EXIT_FAILED, run.exit(), run.toString());
            assertTrue(run.err().contains("not reconnecting (--reconnect-for-ms 0"), run.toString());
        }
    }
}
