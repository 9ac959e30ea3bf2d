package io.replog.bench;

import io.replog.node.LocalCluster;
import io.replog.protocol.client.ReplogClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Appends end to end against a real master and two secondaries in this JVM, over loopback TCP, for each write
 * concern: pipelined throughput (a window of {@value #WINDOW} appends per invocation) and one-at-a-time latency
 * (sample time: percentiles). Cluster and client live for the whole trial; the log grows, so a long run needs
 * direct memory (about 110 bytes per 100-byte message per node).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Dreplog.log.level=WARN",
    "-XX:MaxDirectMemorySize=8g", "-Xmx2g"})
public class EndToEndBenchmark {
    static final int WINDOW = 1_000;

    @Param({"1", "2", "3"})
    public int w;

    @Param({"100"})
    public int payloadBytes;

    private LocalCluster cluster;
    private ReplogClient client;
    private byte[] payload;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Long>[] window = new CompletableFuture[WINDOW];

    @Setup(Level.Trial)
    public void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(2));
        client = ReplogClient.connect("127.0.0.1", cluster.master().port());
        payload = new byte[payloadBytes];
    }

    @TearDown(Level.Trial)
    public void stop() {
        client.close();
        cluster.close();
    }

    /** Pipelined: {@value #WINDOW} appends in flight, then wait for all of them. Score is per append. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WINDOW)
    public long pipelined() {
        for (int i = 0; i < WINDOW; i++) {
            window[i] = client.append(payload, w, 0);
        }
        long last = 0;
        for (int i = 0; i < WINDOW; i++) {
            last = window[i].join();
        }
        return last;
    }

    /** A blocking client: one append, wait for its answer, repeat. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long oneAtATime() {
        return client.append(payload, w, 0).join();
    }

    /** The floor under every round trip: a PING answered on the event loop. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Void ping() {
        return client.ping().join();
    }
}
