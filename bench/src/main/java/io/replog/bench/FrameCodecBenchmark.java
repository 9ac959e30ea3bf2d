package io.replog.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.replog.protocol.Append;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.Frame;
import io.replog.protocol.FrameCodec;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.PeerEntry;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the frame codec: encoding an APPEND (what clients pay per message), decoding one (what the master pays),
 * and encoding the APPEND_OK answer the hot path writes in bulk. Run with {@code -prof gc} to see allocation per op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class FrameCodecBenchmark {
    @Param({"100"})
    public int payloadBytes;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final List<Object> out = new ArrayList<>(2);
    private ByteBuf payload;
    private ByteBuf encodedAppend;
    /** A replication batch: 64 messages of {@code payloadBytes}. */
    private List<PeerEntry> batch;
    private ByteBuf scratch;

    @Setup(Level.Trial)
    public void setUp() {
        payload = Unpooled.directBuffer(payloadBytes).writeZero(payloadBytes);
        final List<Object> parts = new ArrayList<>();
        final Append sample = new Append(1, 2, 0, payload.retainedDuplicate());
        FrameCodec.encode(sample, alloc, parts);
        sample.release();
        encodedAppend = Unpooled.directBuffer();
        for (final Object part : parts) {
            encodedAppend.writeBytes((ByteBuf) part);
            ReferenceCountUtil.release(part);
        }
        encodedAppend.skipBytes(FrameHeader.LENGTH_FIELD_LENGTH); // as LengthFieldBasedFrameDecoder hands it over
        final List<PeerEntry> entries = new ArrayList<>(64);
        for (int i = 0; i < 64; i++) {
            entries.add(PeerEntry.message(1, new byte[payloadBytes]));
        }
        batch = List.copyOf(entries);
        scratch = alloc.directBuffer(64 * 1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        payload.release();
        encodedAppend.release();
        scratch.release();
    }

    @Benchmark
    public int encodeAppend() {
        out.clear();
        final Append frame = new Append(7, 2, 0, payload.retainedDuplicate());
        FrameCodec.encode(frame, alloc, out);
        int bytes = 0;
        for (final Object part : out) {
            bytes += ((ByteBuf) part).readableBytes();
            ReferenceCountUtil.release(part);
        }
        frame.release(); // as the pipeline's encoder would
        return bytes;
    }

    @Benchmark
    public long decodeAppend() {
        final Frame frame = FrameCodec.decode(encodedAppend.duplicate());
        final long id = frame.requestId();
        ReferenceCountUtil.release(frame);
        return id;
    }

    /** The sequencer's answer path writes APPEND_OKs back to back into one buffer. */
    @Benchmark
    public int encodeAppendOkInBulk() {
        scratch.clear();
        FrameCodec.writeAppendOk(scratch, 7, 123_456);
        return scratch.writerIndex();
    }

    /** A replication batch of 64 entries: one APPEND_ENTRIES, encoded into one buffer of its exact size. */
    @Benchmark
    public int encodeAppendEntries64() {
        out.clear();
        final AppendEntries frame = new AppendEntries(9, 1, 3, 100, 3, 90, 42, batch);
        FrameCodec.encode(frame, alloc, out);
        int bytes = 0;
        for (final Object part : out) {
            bytes += ((ByteBuf) part).readableBytes();
            ReferenceCountUtil.release(part);
        }
        return bytes;
    }
}
