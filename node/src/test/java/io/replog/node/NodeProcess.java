package io.replog.node;

import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A replog node in its own OS process (same classpath as the tests), for tests that must kill -9 a node. Output
 * goes to {@code target/node-logs/<name>.log}.
 */
final class NodeProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final int port;
    private Process process;

    private NodeProcess(final String name, final List<String> command, final int port) {
        this.name = name;
        this.command = command;
        this.port = port;
    }

    /** A port that was free a moment ago (restarts need a fixed port, so ephemeral binding is not enough). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code replog-node <args>}; {@code port} is its binary port, waited for before returning. */
    static NodeProcess start(final String name, final int port, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dio.netty.leakDetection.level=paranoid");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        final NodeProcess node = new NodeProcess(name, command, port);
        node.launch();
        return node;
    }

    void launch() {
        try {
            final Path logs = Path.of("target", "node-logs");
            Files.createDirectories(logs);
            final File log = logs.resolve(name + ".log").toFile();
            process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
        Await.until(name + " answers on port " + port, () -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ", see target/node-logs");
            }
            try (ReplogClient client = ReplogClient.connect("127.0.0.1", port)) {
                client.ping().get(2, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** kill -9: no shutdown hook, no goodbye to peers. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends a signal by name (STOP, CONT, …) to the node's process. */
    void signal(final String name) {
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
    int terminate() {
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

    /** Starts again with the same flags (and an empty memory). */
    void restart() {
        kill();
        launch();
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        kill();
    }
}
