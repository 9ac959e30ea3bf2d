package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.testing.ChildJvm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A replog node in its own OS process (same classpath as the tests), for tests that must kill -9 a node. Output
 * goes to {@code target/node-logs/<name>.log}, with Netty's leak detector at PARANOID: {@link #close()} makes the
 * node collect its garbage, then fails the test that owned it if the log holds a {@code LEAK:} report.
 *
 * <p>Ports: a node binds port 0 and the ports it got are read from the line every node logs when it listens
 * ("master: binary protocol on 41234, HTTP on 41235 (…)"), so no port is ever picked by the test and released
 * before the node binds it. Where the binary port must be fixed in advance (a restart on the same port, which the
 * master knows; a secondary the master must know before it runs) the launch is retried while the bind fails.
 */
public final class NodeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile(
        "(master|secondary): binary protocol on (\\d+), HTTP on (\\d+)");
    private static final String BIND_FAILED = "cannot listen on";
    /** Long enough for a JVM to start on a loaded 2-core machine, and for a taken port to be let go. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Path LOGS = Path.of("target", "node-logs");
    private static final Path DATA = Path.of("target", "node-data");
    private static final ObjectMapper HEALTH_JSON = new ObjectMapper();

    private final String name;
    private final List<String> java;
    private final List<String> args;
    private final Path log;
    /** The binary port; 0 until the first launch learnt it (or when it is chosen by the node). */
    private int port;
    private int httpPort;
    private Process process;

    private NodeProcess(final String name, final List<String> jvmOptions, final List<String> args, final int port) {
        this.name = name;
        this.args = withDataDir(name, args);
        this.port = port;
        this.log = LOGS.resolve(name + ".log");
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dio.netty.leakDetection.level=paranoid",
            "-Dio.netty.leakDetection.targetRecords=8"));
        command.addAll(ChildJvm.forwardedProperties());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        this.java = List.copyOf(command);
    }

    /**
     * The node's arguments, with a data directory of its own under target/ unless they name one (or
     * {@code --in-memory}): nodes of tests running in parallel never share one, and every restart of this node
     * finds its log again.
     */
    private static List<String> withDataDir(final String name, final List<String> args) {
        if (args.contains("--data-dir") || args.contains("--in-memory") || args.contains("--help")) {
            return List.copyOf(args);
        }
        final Path dir = DATA.resolve(name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        final List<String> with = new ArrayList<>(args);
        with.addAll(1, List.of("--data-dir", dir.toString()));
        return List.copyOf(with);
    }

    /** The node's data directory (null when it keeps its log in memory). */
    public Path dataDir() {
        final int i = args.indexOf("--data-dir");
        return i < 0 ? null : Path.of(args.get(i + 1));
    }

    /**
     * Starts {@code replog-node <args>} on ports of its choosing; {@code args} must not name {@code --port} or
     * {@code --http-port}. Returns once it answers.
     */
    static NodeProcess start(final String name, final String... args) {
        return startOn(name, 0, List.of(), args);
    }

    /** Like {@link #start}, on binary port {@code port} (0: any), retrying while the port is taken. */
    private static NodeProcess startOn(final String name, final int port, final List<String> jvmOptions,
                                       final String... args) {
        final NodeProcess node = new NodeProcess(name, jvmOptions, List.of(args), port);
        try {
            Files.createDirectories(LOGS);
            Files.deleteIfExists(node.log); // a log of an earlier run must not fail this one
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        node.launch();
        return node;
    }

    /**
     * Reserves a loopback port for a node the master must know before it starts: the socket is bound but never
     * listens, so connections to it are refused (as to a node that is down) and nobody else can take the port.
     * {@link #startOn(String, Socket, String...)} lets it go just before the node binds it.
     */
    public static Socket reservePort() {
        final Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #start}, on the port {@code reserved} held (released here, retried while still taken). */
    static NodeProcess startOn(final String name, final Socket reserved, final String... args) {
        return startOn(name, reserved, List.of(), args);
    }

    /** Like {@link #startOn(String, Socket, String...)}, with these options for the node's JVM (-Dkey=value). */
    public static NodeProcess startOn(final String name, final Socket reserved, final List<String> jvmOptions,
                                      final String... args) {
        final int port = reserved.getLocalPort();
        try {
            reserved.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return startOn(name, port, jvmOptions, args);
    }

    /** Starts the node (again, with an empty memory) on its binary port, and waits until it answers. */
    public void launch() {
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            final long logStart = logSize();
            process = spawn();
            final Matcher listening = awaitListening(logStart, deadline);
            if (listening != null) {
                port = Integer.parseInt(listening.group(2));
                httpPort = Integer.parseInt(listening.group(3));
                awaitAnswer();
                return;
            }
            // it exited: retry only if its port was taken (by a socket about to go away), else report why
            final String output = logSince(logStart);
            if (!output.contains(BIND_FAILED) || System.nanoTime() > deadline) {
                fail(name + " exited with " + process.exitValue() + " (see " + log.toAbsolutePath() + "):\n" + output);
            }
        }
    }

    private Process spawn() {
        final List<String> command = new ArrayList<>(java);
        command.add(args.get(0));
        command.addAll(List.of("--port", String.valueOf(port), "--http-port", "0"));
        command.addAll(args.subList(1, args.size()));
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    /** The "binary protocol on …" line this launch logged, or null if the process exited first. */
    private Matcher awaitListening(final long logStart, final long deadline) {
        while (true) {
            final Matcher m = LISTENING.matcher(logSince(logStart));
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                // it may have logged the line just before it died
                final Matcher last = LISTENING.matcher(logSince(logStart));
                return last.find() ? last : null;
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                fail(name + " did not start within " + START_TIMEOUT + ":\n" + logSince(logStart));
            }
            pause();
        }
    }

    private void awaitAnswer() {
        Await.until(name + " answers on port " + port, START_TIMEOUT, () -> {
            if (!process.isAlive()) {
                fail(name + " exited with " + process.exitValue() + ", see " + log.toAbsolutePath());
            }
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", port)) {
                client.ping().get(2, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** The node's HEALTH document, or null without an answer within {@code timeoutMs} (dead, paused, starting). */
    public JsonNode health(final long timeoutMs) {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", port)) {
            return HEALTH_JSON.readTree(client.health().get(timeoutMs, TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Waits for a master among {@code nodes} (all but index {@code not}, -1 for none) and returns its index: the master
     * of the newest epoch, as a master of an older one may not have heard of the newer one yet.
     */
    public static int awaitMaster(final List<NodeProcess> nodes, final int not) {
        final int[] found = {-1};
        Await.until("a master" + (not < 0 ? "" : " other than " + nodes.get(not).name), Duration.ofSeconds(30), () -> {
            long epoch = -1;
            for (int i = 0; i < nodes.size(); i++) {
                final JsonNode h = i == not ? null : nodes.get(i).health(5_000);
                if (h != null && "master".equals(h.path("role").asText()) && h.path("epoch").asLong() > epoch) {
                    epoch = h.path("epoch").asLong();
                    found[0] = i;
                }
            }
            return epoch >= 0;
        });
        return found[0];
    }

    /** kill -9: no shutdown hook, no goodbye to peers. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail(name + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends a signal by name (STOP, CONT, …) to the node's process. */
    public void signal(final String name) {
        try {
            final Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM: the node shuts down on its own terms; returns its exit code. */
    public int terminate() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " did not stop within 30 s of SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    /** Starts again with the same flags and binary port (and an empty memory). */
    public void restart() {
        kill();
        launch();
    }

    public int port() {
        return port;
    }

    /** The OS process id of the current launch. */
    long pid() {
        return process.pid();
    }

    /** The HTTP port of the current launch (a restarted node may get another one). */
    public int httpPort() {
        return httpPort;
    }

    /** host:port for {@code --secondaries}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    InetSocketAddress socketAddress() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /**
     * Kills the node and fails if it ever reported a leak. A leak is only reported once the leaked buffer was
     * garbage-collected and another one allocated, so a live node is first made to collect (jcmd GC.run) and to
     * allocate (a few pings).
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            collectGarbage();
        }
        kill();
        final List<String> leaks = new ArrayList<>();
        for (final String line : logSince(0).split("\n")) {
            if (line.contains("LEAK:")) {
                leaks.add(line);
            }
        }
        if (!leaks.isEmpty()) {
            fail(name + " leaked Netty buffers (" + leaks.size() + " reports, details in " + log.toAbsolutePath()
                + "):\n" + String.join("\n", leaks));
        }
    }

    private void collectGarbage() {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            final Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
            }
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", port)) {
                for (int i = 0; i < 3; i++) {
                    client.ping().get(5, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            // best effort: the node may be stuck or gone; what it reported so far is still checked
        }
    }

    private long logSize() {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String logSince(final long offset) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            final long length = file.length();
            final byte[] bytes = new byte[(int) Math.max(0, length - offset)];
            file.seek(Math.min(offset, length));
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
