package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.node.config.NodeConfig;
import io.replog.testing.Await;
import io.replog.testing.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code replog-node} as users start it: real processes, flags and environment variables (picocli reads the real
 * environment, so only a child process can test it), {@code --help}, and {@code local}. Nodes bind port 0 and the
 * test reads the ports they got from the line every node logs at start.
 */
class NodeCommandLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern LISTENING =
        Pattern.compile("(master|secondary): binary protocol on (\\d+), HTTP on (\\d+)");

    private final List<Process> processes = new ArrayList<>();

    /** Where the nodes keep their logs (REPLOG_DATA_DIR): never the working directory, never shared by two runs. */
    @org.junit.jupiter.api.io.TempDir
    Path dataDir;

    @AfterEach
    void kill() {
        processes.forEach(Process::destroyForcibly);
    }

    /** ports: {binary, http, 1 for the master} per node, in the order they started. */
    private record Started(Process process, List<String> output, List<int[]> ports) {
    }

    private Started start(final Map<String, String> env, final int nodes, final String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
            "-XX:TieredStopAtLevel=1"));
        command.addAll(ChildJvm.forwardedProperties());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("REPLOG_DATA_DIR", dataDir.resolve("run-" + processes.size()).toString());
        builder.environment().putAll(env);
        final Process process = builder.start();
        processes.add(process);
        final List<String> output = new CopyOnWriteArrayList<>();
        final List<int[]> ports = new CopyOnWriteArrayList<>();
        final Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    final Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        ports.add(new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                            "master".equals(m.group(1)) ? 1 : 0});
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        if (nodes > 0) {
            Await.until(nodes + " node(s) listening", Duration.ofSeconds(60), () -> {
                assertTrue(process.isAlive() || ports.size() >= nodes, "exited: " + output);
                return ports.size() >= nodes;
            });
        }
        return new Started(process, output, ports);
    }

    private static JsonNode health(final int httpPort) {
        try {
            return JSON.readTree(get(httpPort, "/health").body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> get(final int httpPort, final String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> append(final int httpPort, final String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/append"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theNodeCommandTakesItsIdAndPeersFromTheEnvironmentAndRefusesToGuess() throws Exception {
        final int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        final Started node = start(Map.of("REPLOG_BIND", "127.0.0.1", "REPLOG_NODE_ID", "1", "REPLOG_PEERS",
            "1@127.0.0.1:" + port, "REPLOG_HTTP_PORT", "0", "REPLOG_HTTP_PEERS", "1@localhost:9999"), 1, "node");
        final int httpPort = node.ports().get(0)[1];
        Await.until("a cluster of one elects itself", () -> "master".equals(health(httpPort).path("role").asText()));
        final JsonNode h = health(httpPort);
        assertEquals("failover", h.path("mode").asText(), h.toString());
        assertEquals("127.0.0.1:" + port, h.path("master").asText());
        assertEquals("localhost:9999", h.path("master_http").asText(), "where HTTP clients are sent: REPLOG_HTTP_PEERS");
        assertEquals(200, append(httpPort, "{\"message\": \"one\", \"w\": 1}").statusCode());

        final Started noId = start(Map.of("REPLOG_PEERS", "1@127.0.0.1:" + port), 0, "node");
        assertTrue(noId.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, noId.process().exitValue());
        Await.until("the reason is printed", () -> String.join("\n", noId.output()).contains("--id and --peers are "
            + "required"));
    }

    @Test
    void everyFlagComesFromItsEnvironmentVariableAndAFlagWinsOverIt() throws Exception {
        final Started secondary = start(Map.of("REPLOG_BIND", "127.0.0.1", "REPLOG_PORT", "0",
            "REPLOG_HTTP_PORT", "0", "REPLOG_DELAY_MS", "1234", "REPLOG_MAX_FRAME_BYTES", "2048"), 1, "secondary");
        final int[] s = secondary.ports().get(0);
        final JsonNode sh = health(s[1]);
        assertEquals(1234, sh.path("delay_ms").asLong(), sh.toString());
        assertEquals(2048 - 89, sh.path("max_message_bytes").asInt());

        final Started master = start(Map.of("REPLOG_BIND", "127.0.0.1", "REPLOG_PORT", "0", "REPLOG_HTTP_PORT", "0",
            "REPLOG_SECONDARIES", "127.0.0.1:" + s[0], "REPLOG_QUORUM", "1", "REPLOG_MAX_PENDING_APPENDS", "7",
            "REPLOG_HEARTBEAT_MS", "100", "REPLOG_SUSPECT_AFTER_MS", "200", "REPLOG_UNHEALTHY_AFTER_MS", "60000"),
            1, "master", "--quorum", "2");
        final int[] m = master.ports().get(0);
        final JsonNode mh = health(m[1]);
        assertEquals(2, mh.path("quorum").asInt(), "the flag wins over REPLOG_QUORUM");
        assertEquals(7, mh.path("max_pending_appends").asInt());
        assertEquals("127.0.0.1:" + s[0], mh.path("peers").get(0).path("address").asText());
        Await.until("writable once the secondary answers", () -> !health(m[1]).path("read_only").asBoolean(true));
        secondary.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        // REPLOG_UNHEALTHY_AFTER_MS is wired: a report of a silence longer than the default (3 s) still says
        // Suspected, not Unhealthy. Silence and status come from one report, on the master's clock: nothing of
        // this JVM's timing is compared with the node's, so a stall here cannot fail it
        final JsonNode[] report = new JsonNode[1];
        Await.until("the master reports a silence longer than the default unhealthy-after", () -> {
            report[0] = health(m[1]).path("peers").get(0);
            return report[0].path("last_answer_ms_ago").asLong() > NodeConfig.DEFAULT_UNHEALTHY_AFTER_MS + 200;
        });
        assertEquals("Suspected", report[0].path("status").asText(), "REPLOG_UNHEALTHY_AFTER_MS=60000: " + report[0]);
    }

    @Test
    void helpOfEveryCommandIsCleanAndBadFlagsAreRefused() throws Exception {
        for (final String command : List.of("master", "secondary", "local")) {
            final Started help = start(Map.of(), 0, command, "--help");
            assertTrue(help.process().waitFor(60, TimeUnit.SECONDS));
            Await.until("output read", () -> help.output().stream().anyMatch(l -> l.contains("-V, --version")));
            assertEquals(0, help.process().exitValue());
            final String text = String.join("\n", help.output());
            assertTrue(text.startsWith("Usage: replog-node " + command), text);
            assertFalse(text.contains("WARN"), "no picocli warning in --help of " + command + ":\n" + text);
            assertTrue(text.contains("--max-pending-appends") && text.contains("--max-frame-bytes"), text);
        }
        final Started bad = start(Map.of(), 0, "master", "--quorum", "9", "--port", "0", "--http-port", "0");
        assertTrue(bad.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, bad.process().exitValue());
        Await.until("the reason is printed", () -> bad.output().stream().anyMatch(
            l -> l.contains("quorum must be within 1..1 (0: majority), got 9")));
    }

    @Test
    void localRunsAWholeClusterAndSplitsTheLogLimitBetweenItsNodes() throws Exception {
        final Started local = start(Map.of(), 2, "local", "--port", "0", "--http-port", "0", "--secondaries", "1",
            "--max-log-bytes", "20000", "--heartbeat-ms", "100", "--suspect-after-ms", "300");
        final int[] master = local.ports().stream().filter(p -> p[2] == 1).findFirst().orElseThrow();
        Await.until("writable", () -> !health(master[1]).path("read_only").asBoolean(true));
        final JsonNode h = health(master[1]);
        assertEquals(1, h.path("peers").size());
        assertEquals(2, h.path("max_w").asInt());
        final String big = "x".repeat(4_000);
        assertEquals(200, append(master[1], "{\"message\": \"" + big + "\", \"w\": 2}").statusCode());
        assertEquals(200, append(master[1], "{\"message\": \"" + big + "\", \"w\": 2}").statusCode());
        final HttpResponse<String> full = append(master[1], "{\"message\": \"" + big + "\", \"w\": 2}");
        assertEquals(507, full.statusCode(), "each node got 10000 of the 20000 bytes: " + full.body());
    }

    @Test
    void aMasterRefusesToStartOnADamagedLogAndSaysWhereAndHowToRepair() throws Exception {
        final Path data = dataDir.resolve("damaged-master");
        try (io.replog.node.log.FileLogStore store = io.replog.node.log.FileLogStore.open(data,
            io.replog.node.log.FileLogOptions.defaults())) {
            store.adoptLogId(42);
            for (int i = 0; i < 3; i++) {
                final io.netty.buffer.ByteBuf run = io.netty.buffer.Unpooled.buffer();
                io.replog.protocol.EntryRun.writeEntry(run, new byte[] {'m'});
                store.appendRun(run, 1, 1);
                store.commit();
                run.release();
            }
        }
        java.nio.file.Files.delete(data.resolve("recovery-point")); // as after a crash: every batch is checked
        final Path segment = data.resolve("00000000000000000001.log");
        final byte[] bytes = java.nio.file.Files.readAllBytes(segment);
        bytes[41 + 36 + 4] ^= 1; // the second of three batches
        java.nio.file.Files.write(segment, bytes);

        final Started master = start(Map.of(), 0, "master", "--port", "0", "--http-port", "0", "--data-dir",
            data.toString());
        assertTrue(master.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "it exits");
        assertEquals(1, master.process().exitValue());
        Await.until("its reason is printed", () -> master.output().stream().anyMatch(l -> l.startsWith("replog-node:")));
        final String reason = master.output().stream().filter(l -> l.startsWith("replog-node:")).findFirst().orElseThrow();
        assertTrue(reason.contains(segment.toString()) && reason.contains("offset 41") && reason.contains("To repair"),
            reason);
    }

    @Test
    void localFailoverDelaysEachNodeAsToldAndTheNodeCommandRefusesBadFaultFlags() throws Exception {
        final int base = consecutiveFreePorts(6); // binary base..base+2, HTTP base+3..base+5
        final Started local = start(Map.of(), 3, "local", "--failover", "--bind", "127.0.0.1", "--port",
            String.valueOf(base), "--http-port", String.valueOf(base + 3), "--delays", "0,1500");
        // one value per node, the last repeating: node 1 is not delayed, nodes 2 and 3 are
        final long[] delays = {0, 1500, 1500};
        for (int i = 0; i < 3; i++) {
            assertEquals(delays[i], health(base + 3 + i).path("delay_ms").asLong(), "node " + (i + 1));
        }
        final int[] master = new int[1];
        Await.until("a master", () -> {
            for (int i = 0; i < 3; i++) {
                if ("master".equals(health(base + 3 + i).path("role").asText())) {
                    master[0] = base + 3 + i;
                    return true;
                }
            }
            return false;
        });
        // whichever node leads, one of its followers is delayed: a w=3 append waits for it
        final long started = System.nanoTime();
        final HttpResponse<String> slow = append(master[0], "{\"message\": \"slow\", \"w\": 3}");
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(200, slow.statusCode(), slow.body());
        assertTrue(tookMs >= 1500, "w=3 did not wait for a delayed node: " + tookMs + " ms");
        local.process().destroy();

        for (final String[] flag : List.of(new String[] {"--fail-rate", "1.5", "--fail-rate must be within [0, 1)"},
            new String[] {"--drop-rate", "-0.1", "--drop-rate must be within [0, 1)"},
            new String[] {"--delay-ms", "-1", "--delay-ms must be >= 0"})) {
            final Started bad = start(Map.of(), 0, "node", "--id", "1", "--peers", "1@127.0.0.1:" + base, flag[0],
                flag[1]);
            assertTrue(bad.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, bad.process().exitValue(), "a usage error: " + bad.output());
            Await.until("the reason is printed", () -> String.join("\n", bad.output()).contains(flag[2]));
        }
    }

    /**
     * The first of {@code n} consecutive ports that were free a moment ago, below Linux's ephemeral range
     * (32768..60999): there, the outgoing connections of tests running alongside cannot take one of them between
     * this probe and the node's bind (a clean-clone CI run lost such a race).
     */
    private static int consecutiveFreePorts(final int n) throws IOException {
        final java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            final int base = 20_000 + random.nextInt(12_000 - n);
            if (free(base, n)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + n + " consecutive free ports");
    }

    private static boolean free(final int base, final int n) {
        final List<java.net.ServerSocket> held = new ArrayList<>();
        try {
            for (int port = base; port < base + n; port++) {
                held.add(new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress()));
            }
            return true;
        } catch (IOException taken) {
            return false;
        } finally {
            for (final java.net.ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a probe
                }
            }
        }
    }
}
