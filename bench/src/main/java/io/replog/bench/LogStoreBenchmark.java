package io.replog.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.EntryRange;
import io.replog.node.log.MemoryLogStore;
import io.replog.protocol.EntryRun;
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

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The in-memory log: appending one message (the sequencer's cost) and reading a range (the senders' cost). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-XX:MaxDirectMemorySize=4g"})
public class LogStoreBenchmark {
    /** Entries in the log the reads run against. */
    static final int FILLED = 1_000_000;
    static final int READ_RUN = 1_000;

    @Param({"100"})
    public int payloadBytes;

    /** Entries per bulk append, as a secondary receives them in one APPEND_ENTRIES. */
    static final int RUN = 64;

    private ByteBuf payload;
    private ByteBuf run;
    private MemoryLogStore appendLog;
    private MemoryLogStore readLog;

    @Setup(Level.Trial)
    public void fill() {
        payload = Unpooled.directBuffer(payloadBytes).writeZero(payloadBytes);
        run = Unpooled.directBuffer();
        for (int i = 0; i < RUN; i++) {
            EntryRun.writeEntry(run, payload);
        }
        readLog = new MemoryLogStore();
        for (int i = 0; i < FILLED; i++) {
            readLog.append(payload);
        }
        readLog.commit();
    }

    /**
     * A fresh log per iteration keeps memory flat however long the run. The previous one's direct memory is
     * reclaimed by a GC here, outside the measurement; otherwise the allocation of new segments would stall on
     * it (the JDK collects to free direct memory only when the limit is reached) and be measured as append cost.
     */
    @Setup(Level.Iteration)
    public void freshLog() {
        appendLog = null;
        System.gc();
        System.gc();
        appendLog = new MemoryLogStore();
    }

    @TearDown(Level.Iteration)
    public void dropLog() {
        appendLog.close();
    }

    @TearDown(Level.Trial)
    public void release() {
        readLog.close();
        payload.release();
        run.release();
    }

    @Benchmark
    public long append() {
        final long id = appendLog.append(payload);
        appendLog.commit(); // the sequencer commits once per batch: this is the worst case, one per message
        return id;
    }

    /** Per entry: a secondary storing a replicated batch of {@value #RUN} with one bulk copy. */
    @Benchmark
    @OperationsPerInvocation(RUN)
    public long appendRun() {
        final long last = appendLog.appendRun(run, RUN, 1);
        appendLog.commit();
        return last;
    }

    /** Per entry: a zero-copy run of 1,000 consecutive entries from a random position. */
    @Benchmark
    @OperationsPerInvocation(READ_RUN)
    public int readRange() {
        final long from = 1 + ThreadLocalRandom.current().nextInt(FILLED - READ_RUN);
        final EntryRange range = readLog.read(from, READ_RUN, Integer.MAX_VALUE);
        final int n = range.count();
        range.run().release();
        return n;
    }
}
