package io.replog.tools;

import io.replog.testing.ChildJvm;
import io.replog.testing.Nightly;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README followed top to bottom: runs {@code docs/readme-walkthrough.sh}, which starts real node processes
 * ({@code java io.replog.node.Main}, from this module's test class path: the runnable jars are not built yet when
 * tests run) and runs the README's curl and logctl commands in order, checking every output the README shows. The
 * ports are this test's (free ones below the ephemeral range), not the README's, so parallel runs do not collide.
 * Needs bash and curl: without them it is skipped when run by hand, and fails under {@code CI=true}.
 * {@code -DexcludedGroups=readme} leaves it out.
 */
@Tag("readme")
@Nightly // 1.5-2 minutes: CI stays under 6; the routes and outputs it follows have their own tests in CI
class ReadmeWalkthroughTest {
    private static final Path SCRIPT = Path.of("..", "docs", "readme-walkthrough.sh").toAbsolutePath().normalize();
    private static final Path LOG = Path.of("target", "readme-walkthrough.log");
    /** Ports tried below Linux's ephemeral range (32768 on), where the tests' own ephemeral ports do not land. */
    private static final int LOWEST_PORT = 20_000;
    private static final int PORT_SPAN = 12_000;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // about 1.5 min alone; much more on a loaded 2-core machine
    void everyExampleOfTheReadmeHoldsWhenFollowedInOrder(@TempDir final Path work) throws Exception {
        needs("bash");
        needs("curl");
        // the master and `local`'s two secondaries (binary, then HTTP), and verify's separate master
        final int port = freeRun(8);
        final int httpPort = port + 3;
        final int otherPort = port + 6;
        // a port bound but not listening: a connection to it is refused, as to a node that is down
        try (Socket down = new Socket()) {
            down.bind(new InetSocketAddress("127.0.0.1", 0));
            final ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString());
            final Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> name.startsWith("REPLOG_") || name.startsWith("LOGCTL_"));
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            env.put("CLASSPATH", System.getProperty("java.class.path"));
            // Netty's default leak sampling, not PARANOID: that doubles the run (400,000 appends), and the script
            // still fails on any LEAK: report; the in-process tests run every path at PARANOID
            env.put("REPLOG_NODE", String.join(" ", java, String.join(" ", ChildJvm.forwardedProperties()),
                "io.replog.node.Main"));
            env.put("LOGCTL", java + " -XX:TieredStopAtLevel=1 -Xshare:auto io.replog.tools.Logctl");
            env.put("WALK_PORT", String.valueOf(port));
            env.put("WALK_HTTP_PORT", String.valueOf(httpPort));
            env.put("WALK_OTHER_PORT", String.valueOf(otherPort));
            env.put("WALK_OTHER_HTTP_PORT", String.valueOf(otherPort + 1));
            env.put("WALK_DOWN_PORT", String.valueOf(down.getLocalPort()));
            env.put("WALK_DIR", work.toString());
            Files.createDirectories(LOG.getParent());
            builder.redirectErrorStream(true).redirectOutput(LOG.toFile());
            final Process script = builder.start();
            try {
                if (!script.waitFor(9, TimeUnit.MINUTES)) {
                    fail("the walk-through did not end within 9 minutes:\n" + log());
                }
            } finally {
                // whatever the script left behind (it stops its nodes itself, unless it was killed)
                script.descendants().forEach(ProcessHandle::destroyForcibly);
                script.destroyForcibly();
            }
            final String log = log();
            System.out.println(log);
            assertEquals(0, script.exitValue(), "the README walk-through failed:\n" + log);
        }
    }

    private static void needs(final String command) {
        final boolean present = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .anyMatch(dir -> !dir.isEmpty() && Path.of(dir, command).toFile().canExecute());
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("the README walk-through needs " + command + "; CI must run it");
        }
        assumeTrue(present, "the README walk-through needs " + command);
    }

    /** The first of {@code count} consecutive free ports, picked at random below the ephemeral range. */
    private static int freeRun(final int count) {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            final int first = LOWEST_PORT + ThreadLocalRandom.current().nextInt(PORT_SPAN);
            if (allFree(first, count)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports from " + LOWEST_PORT);
    }

    private static boolean allFree(final int first, final int count) {
        for (int port = first; port < first + count; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(port)); // every address: the README's master binds 0.0.0.0
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static String log() throws IOException {
        return Files.readString(LOG, StandardCharsets.UTF_8);
    }
}
