package io.replog.bench;

import io.replog.node.ReplogNode;
import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.protocol.client.ReplogClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Catch-up: a master holds {@code behind} messages its second secondary never saw; the benchmark starts that
 * secondary (empty) and measures until it has acknowledged all of them. Single shot per invocation, a fresh
 * cluster each time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Dreplog.log.level=WARN",
    "-XX:MaxDirectMemorySize=4g", "-Xmx2g"})
public class CatchUpBenchmark {
    /** No wait of a benchmark is unbounded: a broken catch-up fails the run instead of hanging it. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MINUTES.toNanos(5);

    @Param({"1000000"})
    public int behind;

    @Param({"100"})
    public int payloadBytes;

    private EventLoops loops;
    private ReplogNode upToDate;
    private ReplogNode master;
    private ReplogNode rejoining;
    /** The rejoining secondary's port, held until it starts: bound, never listening, refused like a node down. */
    private Socket rejoinPort;

    @Setup(Level.Invocation)
    public void buildBacklog() throws Exception {
        loops = new EventLoops(2, "catch-up");
        upToDate = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), loops);
        rejoinPort = new Socket();
        rejoinPort.bind(new InetSocketAddress("127.0.0.1", 0));
        master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0).secondaries(List.of(
            new InetSocketAddress("127.0.0.1", upToDate.port()),
            new InetSocketAddress("127.0.0.1", rejoinPort.getLocalPort()))), loops);
        final byte[] payload = new byte[payloadBytes];
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", master.port())) {
            final long deadline = System.nanoTime() + MAX_WAIT_NANOS;
            while (master.role().status().readOnly()) {
                checkDeadline(deadline, "the master to become writable");
                Thread.sleep(1);
            }
            final CompletableFuture<?>[] window = new CompletableFuture<?>[1000];
            for (int sent = 0; sent < behind; sent += window.length) {
                for (int i = 0; i < window.length; i++) {
                    window[i] = client.append(payload, 2, 0);
                }
                CompletableFuture.allOf(window).get(MAX_WAIT_NANOS, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Benchmark
    public long rejoin() throws Exception {
        final int port = rejoinPort.getLocalPort();
        rejoinPort.close(); // nobody could take the port meanwhile; now it is the secondary's
        rejoining = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(port).httpPort(0), loops);
        final long target = master.role().log().lastId();
        final long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        long acked;
        while ((acked = rejoiningAcked()) < target) {
            checkDeadline(deadline, "the rejoining secondary to acknowledge msg_id " + target + " (it acknowledged "
                + acked + ")");
            Thread.sleep(1); // a status is built per look: every millisecond is resolution enough for seconds
        }
        return acked;
    }

    /** What the master counts the rejoining secondary (its second) to hold durably, as its status shows it. */
    private long rejoiningAcked() {
        return master.role().status().peers().get(1).ackedId();
    }

    private static void checkDeadline(final long deadline, final String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("gave up after " + TimeUnit.NANOSECONDS.toMinutes(MAX_WAIT_NANOS)
                + " minutes waiting for " + what);
        }
    }

    @TearDown(Level.Invocation)
    public void stop() throws Exception {
        rejoinPort.close();
        master.close();
        upToDate.close();
        if (rejoining != null) {
            rejoining.close();
        }
        loops.close();
    }
}
