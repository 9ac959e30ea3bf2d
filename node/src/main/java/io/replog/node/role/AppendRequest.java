package io.replog.node.role;

import io.netty.buffer.ByteBuf;

/**
 * One append on its way through the master: created on an event loop, handed to the replica's thread through its
 * MPSC queue, then owned by the master's single writer (or its write-concern waiters) until answered. The
 * payload is released as soon as the log has copied it. Answered exactly once.
 */
public final class AppendRequest {
    private final ReplySink sink;
    private final long requestId;
    private final int w;
    private final long timeoutNanos;
    private final long clientId;
    private final long seq;
    private ByteBuf payload;
    private long msgId;
    private long deadlineNanos;
    private boolean answered;
    /** A tagged append sent again: it was stored before, and is answered with the msg_id of then. */
    private boolean duplicate;
    private short errorCode;
    private String errorText;
    /** Run once when the request is answered: gives back its place under the node's bound on waiting appends. */
    private Runnable onAnswer;
    private AppendObserver observer;
    /** When it arrived (System.nanoTime()), or {@link #UNKNOWN} until someone says. */
    private long arrivedNanos = UNKNOWN;
    private static final long UNKNOWN = Long.MIN_VALUE;

    /**
     * A tagged append when {@code clientId != 0}: a re-sent (clientId, seq) gets its first msg_id.
     *
     * @param timeoutMs how long to wait for the write concern; 0 waits without limit
     */
    public AppendRequest(final ReplySink sink, final long requestId, final int w, final long timeoutMs,
                         final long clientId, final long seq, final ByteBuf payload) {
        this.sink = sink;
        this.requestId = requestId;
        this.w = w;
        this.timeoutNanos = timeoutMs * 1_000_000L;
        this.clientId = clientId;
        this.seq = seq;
        this.payload = payload;
    }

    /** An untagged append. */
    public AppendRequest(final ReplySink sink, final long requestId, final int w, final long timeoutMs,
                         final ByteBuf payload) {
        this(sink, requestId, w, timeoutMs, 0, 0, payload);
    }

    public boolean tagged() {
        return clientId != 0;
    }

    public long clientId() {
        return clientId;
    }

    public long seq() {
        return seq;
    }

    public long requestId() {
        return requestId;
    }

    public int w() {
        return w;
    }

    /** The msg_id the master assigned, 0 before. */
    public long msgId() {
        return msgId;
    }

    public short errorCode() {
        return errorCode;
    }

    public String errorText() {
        return errorText;
    }

    /** 0 when the append waits for its write concern without limit. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    public boolean answered() {
        return answered;
    }

    /** The client that sent it is gone: nobody waits for the answer ({@link ReplySink#gone}). */
    public boolean clientGone() {
        return sink.gone();
    }

    /** The payload, still the request's (null once taken). */
    public ByteBuf payload() {
        return payload;
    }

    /** Hands the payload over (once); the taker releases it. */
    public ByteBuf takePayload() {
        final ByteBuf p = payload;
        payload = null;
        return p;
    }

    /** Before the request is queued: what to run once it is answered. */
    public void onAnswer(final Runnable action) {
        this.onAnswer = action;
    }

    /**
     * When the request arrived (System.nanoTime()): a connection reading a burst of appends reads the clock once for
     * all of them.
     */
    public void arrivedAt(final long nanos) {
        this.arrivedNanos = nanos;
    }

    /** Before the request is queued: who is told how it ends (and when it arrived, if nobody said). */
    public void observedBy(final AppendObserver value) {
        this.observer = value;
        if (arrivedNanos == UNKNOWN) {
            arrivedNanos = System.nanoTime();
        }
    }

    /** The tag was stored before, with the same bytes: answered with that msg_id, nothing new stored. */
    public void markDuplicate() {
        this.duplicate = true;
    }

    public boolean duplicate() {
        return duplicate;
    }

    /** The master stored the message as {@code id}; its timeout counts from {@code nowNanos}. */
    public void assigned(final long id, final long nowNanos) {
        this.msgId = id;
        this.deadlineNanos = nowNanos + timeoutNanos;
    }

    /** Answered with success at {@code nowNanos} (System.nanoTime()): who answers a batch reads the clock once. */
    public void succeed(final long nowNanos) {
        if (markAnswered()) {
            if (observer != null) {
                observer.succeeded(this, nowNanos - arrivedNanos);
            }
            sink.appended(this);
        }
    }

    public void fail(final short code, final String text) {
        if (markAnswered()) {
            errorCode = code;
            errorText = text;
            if (observer != null) {
                observer.failed(code);
            }
            sink.failed(this);
        }
    }

    private boolean markAnswered() {
        if (answered) {
            return false;
        }
        answered = true;
        if (onAnswer != null) {
            onAnswer.run();
        }
        return true;
    }
}
