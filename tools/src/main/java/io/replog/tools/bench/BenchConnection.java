package io.replog.tools.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.replog.protocol.FrameCodec;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.FrameType;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;

/**
 * One load-generating connection. Everything runs on its event loop: requests are encoded straight into one
 * buffer per burst, answers are read without building frame objects (type and request id only), and the send time
 * of each request sits in a ring indexed by request id. Closed loop by default (a new request per answer, up to
 * {@code inflight} outstanding); with a rate, open loop on a fixed schedule, latency measured from the intended
 * send time so that a stall is not hidden (coordinated omission corrected).
 */
final class BenchConnection extends ChannelInboundHandlerAdapter {
    /** Ring of send times; bounds the requests outstanding in open-loop mode. */
    private static final int RING = 1 << 16;
    /**
     * Scheduler tick for paced load. Requests due within a tick leave together at its end, so the tick bounds the
     * latency the pacing itself adds (epoll timers are precise to microseconds; NIO's only to milliseconds).
     */
    private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final BenchSettings settings;
    private final Recorder recorder;
    private final byte[] payload;
    private final long[] sentAt = new long[RING];
    private final long messageQuota;
    private Channel channel;
    private ByteBuf out;
    private long nextRequestId = 1;
    private int outstanding;
    private boolean stopped;
    private boolean recording;
    private long pacedStartNanos;
    private double nanosPerRequest;
    private ScheduledFuture<?> pacer;

    private volatile long ok;
    private volatile long errors;
    private volatile long firstError;
    private volatile String firstErrorText;

    /** @param messageQuota requests this connection sends in all, or {@link Long#MAX_VALUE} for time-bound runs */
    BenchConnection(final BenchSettings settings, final Recorder recorder, final long messageQuota) {
        this.settings = settings;
        this.recorder = recorder;
        this.payload = new byte[settings.size()];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        this.messageQuota = messageQuota;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    /** Starts sending; call on the event loop. */
    void start(final double requestsPerSecond) {
        if (requestsPerSecond > 0) {
            nanosPerRequest = 1e9 / requestsPerSecond;
            pacedStartNanos = System.nanoTime();
            pacer = channel.eventLoop().scheduleAtFixedRate(this::pace, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
        } else {
            while (outstanding < settings.inflight() && send(System.nanoTime())) {
                // fill the window
            }
            flush();
        }
    }

    private void pace() {
        final long now = System.nanoTime();
        final long due = (long) ((now - pacedStartNanos) / nanosPerRequest);
        while (nextRequestId - 1 < due && outstanding < RING) {
            // the request was due at its slot on the schedule: that is where its latency starts
            if (!send(pacedStartNanos + (long) ((nextRequestId - 1) * nanosPerRequest))) {
                break;
            }
        }
        flush();
    }

    private boolean send(final long intendedNanos) {
        if (stopped || nextRequestId > messageQuota) {
            return false;
        }
        final long id = nextRequestId++;
        sentAt[(int) (id & (RING - 1))] = intendedNanos;
        if (out == null) {
            out = channel.alloc().ioBuffer(64 * 1024);
        }
        if (settings.ping()) {
            FrameCodec.writeHeader(out, FrameType.PING, 0, id, 0);
        } else {
            FrameCodec.writeAppendHeader(out, id, settings.w(), 0, payload.length);
            out.writeBytes(payload);
        }
        outstanding++;
        if (out.readableBytes() >= 60 * 1024) {
            flush();
        }
        return true;
    }

    private void flush() {
        if (out != null) {
            channel.writeAndFlush(out, channel.voidPromise());
            out = null;
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        final ByteBuf frame = (ByteBuf) msg;
        try {
            final byte type = frame.getByte(frame.readerIndex() + FrameHeader.TYPE_OFFSET);
            final long id = frame.getLong(frame.readerIndex() + FrameHeader.REQUEST_ID_OFFSET);
            final long latency = System.nanoTime() - sentAt[(int) (id & (RING - 1))];
            outstanding--;
            if (type == FrameType.ERROR) {
                errors++;
                if (firstErrorText == null) {
                    firstError = id;
                    final int textStart = frame.readerIndex() + FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD + 2;
                    firstErrorText = frame.toString(textStart, frame.writerIndex() - textStart,
                        java.nio.charset.StandardCharsets.UTF_8);
                }
            } else {
                ok++;
                if (recording) {
                    recorder.recordValue(Math.max(1, latency));
                }
            }
        } finally {
            frame.release();
        }
        if (pacer == null) {
            send(System.nanoTime());
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) {
        flush();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (firstErrorText == null) {
            firstErrorText = cause.toString();
        }
        ctx.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) {
        stopped = true;
        if (pacer != null) {
            pacer.cancel(false);
        }
        if (out != null) {
            out.release();
            out = null;
        }
        // whatever was outstanding will never be answered: count it
        errors += outstanding;
        outstanding = 0;
    }

    /** Called on the event loop. */
    void setRecording(final boolean on) {
        recording = on;
    }

    /** Called on the event loop: send nothing more. */
    void stop() {
        stopped = true;
        if (pacer != null) {
            pacer.cancel(false);
        }
    }

    int outstanding() {
        return outstanding;
    }

    long ok() {
        return ok;
    }

    long errors() {
        return errors;
    }

    String firstError() {
        return firstErrorText == null ? null : "request " + firstError + ": " + firstErrorText;
    }

    boolean done() {
        return (stopped || nextRequestId > messageQuota) && outstanding == 0;
    }

    Channel channel() {
        return channel;
    }
}
