package io.replog.node.server;

import io.replog.node.role.NodeRole;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.ReferenceCountUtil;
import io.replog.node.log.EntryRange;
import io.replog.node.metrics.ErrorCounts;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.ReplySink;
import io.replog.protocol.Append;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.FrameCodec;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.FrameType;
import io.replog.protocol.HealthOk;
import io.replog.protocol.Pong;
import io.replog.protocol.Read;
import io.replog.protocol.ReadOk;
import io.replog.node.log.CorruptLogException;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves one connection of the binary port: appends go to the role (the master's replica thread), reads and
 * pings are answered right here on the event loop, replication goes to the role. Answers arrive from the replica's
 * thread and the log's flusher through a lock-free MPSC outbox and are written back in one buffer per burst.
 */
public final class FrameRequestHandler extends SimpleChannelInboundHandler<Frame> implements ReplySink {
    /** Appends a connection may have waiting before we stop reading from it (back-pressure, bounded memory). */
    static final int MAX_OUTSTANDING = 16_384;
    /** Messages per READ_OK frame at most, whatever the client asks. */
    static final int MAX_READ_ENTRIES = 65_536;

    private final ErrorCounts rejected;
    private final ReadWaiters readers;
    /** This connection's READ waiting for the node to serve its from_id, or null: one at a time. */
    private ReadWaiters.Waiter waitingRead;
    private ScheduledFuture<?> waitingReadTimeout;
    private final NodeRole role;
    private final int maxReadBytes;
    private final ReadGate gate;
    /** Filled by the threads that decide answers (the replica's, the log's flusher). */
    private final MpscUnboundedXaddArrayQueue<AppendRequest> outbox = new MpscUnboundedXaddArrayQueue<>(256);
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private ChannelHandlerContext ctx;
    /** When the read burst being handled began, read at its first append; 0 between bursts. */
    private long burstNanos;
    private int outstanding;
    /** The master's link to this secondary: its own heartbeats and half-open detection look after it. */
    private boolean replicationLink;

    /** @param gate the connection's read gate: this handler pauses it while too many appends wait */
    public FrameRequestHandler(final NodeRole role, final int maxFrameLength, final ReadGate gate,
                               final ErrorCounts rejected, final ReadWaiters readers) {
        super(Frame.class, false);
        this.rejected = rejected;
        this.readers = readers;
        this.role = role;
        this.gate = gate;
        this.maxReadBytes = maxFrameLength - FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD - ReadOk.FIXED_BODY_LENGTH;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext context, final Frame frame) {
        switch (frame.type()) {
            case FrameType.APPEND -> onAppend((Append) frame);
            case FrameType.READ -> onRead((Read) frame);
            case FrameType.PING -> context.write(new Pong(frame.requestId()), context.voidPromise());
            case FrameType.HEALTH -> context.write(new HealthOk(frame.requestId(),
                HealthJson.render(role.health())), context.voidPromise());
            case FrameType.VOTE_REQUEST, FrameType.VOTE_REPLY, FrameType.APPEND_ENTRIES,
                FrameType.APPEND_ENTRIES_REPLY, FrameType.TAIL_REQUEST, FrameType.TAIL_REPLY -> {
                replicationLink = true;
                role.peer(context, frame);
            }
            default -> {
                ReferenceCountUtil.release(frame);
                rejected.count(ErrorCode.UNEXPECTED_FRAME);
                context.write(new ErrorFrame(frame.requestId(), ErrorCode.UNEXPECTED_FRAME,
                    FrameType.name(frame.type()) + " is not a request this node accepts"), context.voidPromise());
            }
        }
    }

    /** True while the connection waits for something: answers to appends or a READ, or it is a replication link. */
    boolean busy() {
        return outstanding > 0 || replicationLink || waitingRead != null;
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context) throws Exception {
        final ReadWaiters.Waiter waiter = waitingRead;
        if (waiter != null && waiter.claim()) {
            endWait(waiter);
        }
        super.channelInactive(context);
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext context) {
        burstNanos = 0;
        // one flush for everything answered while reading this burst
        context.flush();
    }

    private void onAppend(final Append append) {
        final ErrorFrame refused = role.checkAppend(append.requestId(), append.w(), append.payload().readableBytes());
        if (refused != null) {
            append.release();
            ctx.write(refused, ctx.voidPromise());
            return;
        }
        outstanding++;
        if (outstanding >= MAX_OUTSTANDING) {
            gate.pause(ReadGate.TOO_MANY_OUTSTANDING);
        }
        final AppendRequest request = new AppendRequest(this, append.requestId(), append.w(), append.timeoutMs(),
            append.clientId(), append.seq(), append.payload());
        if (burstNanos == 0) {
            burstNanos = System.nanoTime(); // every append of this read burst arrived now, near enough
        }
        request.arrivedAt(burstNanos);
        role.append(request);
    }

    private void onRead(final Read read) {
        if (read.fromId() < 1 || read.maxCount() < 0) {
            ctx.write(new ErrorFrame(read.requestId(), ErrorCode.INVALID_REQUEST,
                "from_id must be >= 1 and max_count >= 0"), ctx.voidPromise());
            return;
        }
        if (read.waits() && read.maxCount() > 0 && role.readableId() < read.fromId()) {
            waitFor(read);
            return;
        }
        answerRead(read);
    }

    /** Parks a READ (flag WAIT) of what the node does not serve yet: answered when it does, or after its wait. */
    private void waitFor(final Read read) {
        if (read.waitMs() > Read.MAX_WAIT_MS || waitingRead != null) {
            ctx.write(new ErrorFrame(read.requestId(), ErrorCode.INVALID_REQUEST, waitingRead != null
                ? "this connection already has a READ waiting: one at a time"
                : "wait_ms must be at most " + Read.MAX_WAIT_MS + ", got " + read.waitMs()), ctx.voidPromise());
            return;
        }
        final ReadWaiters.Waiter waiter = readers.park(read.fromId(),
            () -> ctx.executor().execute(() -> answerWaiting(read)));
        waitingRead = waiter;
        waitingReadTimeout = ctx.executor().schedule(() -> {
            if (waiter.claim()) {
                answerWaiting(read);
            }
        }, read.waitMs(), TimeUnit.MILLISECONDS);
        // the position may have moved between the check and the park: see ReadWaiters
        if (role.readableId() >= read.fromId() && waiter.claim()) {
            answerWaiting(read);
        }
    }

    /** On the event loop, by whoever claimed the waiter: the READ is answered with what the node serves now. */
    private void answerWaiting(final Read read) {
        endWait(waitingRead);
        if (ctx.channel().isActive()) {
            answerRead(read);
            ctx.flush();
        }
    }

    private void endWait(final ReadWaiters.Waiter waiter) {
        readers.remove(waiter);
        if (waitingReadTimeout != null) {
            waitingReadTimeout.cancel(false);
        }
        waitingRead = null;
        waitingReadTimeout = null;
    }

    private void answerRead(final Read read) {
        final long last = role.readableId();
        final long available = Math.max(0, last - read.fromId() + 1);
        final EntryRange range;
        try {
            range = role.log().read(read.fromId(),
                (int) Math.min(available, Math.min(read.maxCount(), MAX_READ_ENTRIES)), maxReadBytes);
        } catch (CorruptLogException e) {
            ctx.write(new ErrorFrame(read.requestId(), ErrorCode.LOG_DAMAGED, "the log is damaged at msg_id "
                + read.fromId() + " (" + e.getMessage() + "); this node does not serve it"), ctx.voidPromise());
            return;
        }
        // the node's position, never the requested one: past the end a READ gets count 0 and the true last id
        final long lastId = range.count() > 0 ? Math.max(last, range.lastId()) : last;
        ctx.write(new ReadOk(read.requestId(), range.firstId(), range.count(), lastId, range.run()),
            ctx.voidPromise());
    }

    // ---- answers from the threads that decide them ----

    @Override
    public void appended(final AppendRequest request) {
        outbox.offer(request);
        scheduleFlush();
    }

    @Override
    public void failed(final AppendRequest request) {
        outbox.offer(request);
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled.getAndSet(true)) {
            ctx.executor().execute(this::writeAnswers);
        }
    }

    @Override
    public boolean gone() {
        final ChannelHandlerContext context = ctx;
        return context != null && !context.channel().isActive();
    }

    private void writeAnswers() {
        flushScheduled.set(false);
        final Channel channel = ctx.channel();
        final ByteBuf out = channel.isActive() ? ctx.alloc().buffer(64 * Math.min(outbox.size() + 1, 4096)) : null;
        AppendRequest r;
        int answered = 0;
        while ((r = outbox.poll()) != null) {
            answered++;
            if (out == null) {
                continue; // the client left; its messages are in the log all the same
            }
            if (r.errorCode() == 0) {
                FrameCodec.writeAppendOk(out, r.requestId(), r.msgId(), r.duplicate());
            } else {
                FrameCodec.writeError(out, r.requestId(), r.errorCode(), r.errorText());
            }
        }
        if (out != null && out.isReadable()) {
            ctx.writeAndFlush(out, ctx.voidPromise());
        } else if (out != null) {
            out.release();
        }
        outstanding -= answered;
        if (outstanding < MAX_OUTSTANDING / 2) {
            gate.resume(ReadGate.TOO_MANY_OUTSTANDING);
        }
    }
}
