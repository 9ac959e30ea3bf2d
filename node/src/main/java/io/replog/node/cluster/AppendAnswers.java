package io.replog.node.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.replog.node.consensus.AppendCallback;
import io.replog.node.consensus.Replica;
import io.replog.node.log.LogFullException;
import io.replog.node.log.LogStore;
import io.replog.node.role.AppendObserver;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.TagCheck;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * A client's append on its way into the {@link Replica} and back: refused before it is queued (not master, w out of
 * range, too large, too many waiting), handed to the replica's thread, and answered in the README's words whatever
 * the engine says of it (stored, stored before under its tag, tag reused, stopping, failed). The engine names
 * entries by log index; every answer names the msg_id readers know.
 */
final class AppendAnswers {
    private final Peers peers;
    private final LogStore log;
    private final ReplicaDriver driver;
    private final RoleState state;
    private final int maxPayload;
    private final AppendObserver observer;
    /** Appends handed to the replica's thread and not answered yet, and their bound (--max-pending-appends). */
    private final AtomicInteger queued = new AtomicInteger();
    private final int maxQueued;
    /** As master, appends stored by w (index w-1; the last counts every higher w too): the metrics' appends. */
    private final AtomicLongArray storedByW;

    AppendAnswers(final Peers peers, final LogStore log, final ReplicaDriver driver, final RoleState state,
                  final int maxPayload, final int maxQueued, final AppendObserver observer) {
        this.peers = peers;
        this.log = log;
        this.driver = driver;
        this.state = state;
        this.maxPayload = maxPayload;
        this.maxQueued = maxQueued;
        this.observer = observer;
        this.storedByW = new AtomicLongArray(peers.size());
    }

    int maxPayload() {
        return maxPayload;
    }

    int maxQueued() {
        return maxQueued;
    }

    /**
     * Refusals are counted in the append errors, as a fixed master counts its own; NOT_MASTER is not: it is not an
     * append this node took, only one sent to the wrong node.
     */
    ErrorFrame check(final long requestId, final int w, final int payloadLength) {
        final ErrorFrame refused = refusal(requestId, w, payloadLength);
        if (refused != null && refused.code() != ErrorCode.NOT_MASTER) {
            observer.failed(refused.code());
        }
        return refused;
    }

    private ErrorFrame refusal(final long requestId, final int w, final int payloadLength) {
        final String storage = state.storageError();
        final RoleState.View view = state.view();
        if (state.staticMaster()) {
            // the same reason the status shows: a failed disk, taking back its tail, no quorum
            final String why = state.staticMasterReadOnly(view, storage);
            if (why != null) {
                return new ErrorFrame(requestId, ErrorCode.READ_ONLY, "read-only: " + why);
            }
        } else if (storage != null) {
            return new ErrorFrame(requestId, ErrorCode.STORAGE_FAILED, RoleState.storageFailed(storage));
        } else if (!view.leads()) {
            return new ErrorFrame(requestId, ErrorCode.NOT_MASTER, state.notMaster());
        }
        if (w < 1 || w > peers.size()) {
            return new ErrorFrame(requestId, ErrorCode.INVALID_REQUEST, "w must be between 1 and " + peers.size()
                + (state.isStatic() ? " (master + " + (peers.size() - 1) + " secondaries)"
                : " (the cluster's nodes)") + ", got " + w);
        }
        if (payloadLength > maxPayload) {
            return new ErrorFrame(requestId, ErrorCode.PAYLOAD_TOO_LARGE,
                "message of " + payloadLength + " bytes exceeds the limit of " + maxPayload);
        }
        return null;
    }

    void append(final AppendRequest request) {
        // only appends that can wait for peers count: a w=1 append waits for this node's own flush alone, so appends
        // stuck on a dead peer never make the master refuse the clients that do not wait for it
        final boolean counted = request.w() > 1;
        if (counted && queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            request.takePayload().release();
            request.fail(ErrorCode.OVERLOADED, "too many appends waiting for their write concern (" + maxQueued
                + ", --max-pending-appends); retry later or use timeout_ms. Nothing stored");
            return;
        }
        if (counted) {
            request.onAnswer(queued::decrementAndGet);
        }
        final ByteBuf payload = request.takePayload();
        final byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(payload);
        } finally {
            payload.release();
        }
        request.observedBy(observer);
        driver.execute(new Answer(request, bytes));
    }

    /**
     * One append on its way through the replica: the task that hands it over (on the replica's thread) and the
     * callback that answers it in the README's words, one object per append (a profile counted the lambda, the
     * callback and two one-element arrays that were here before among the engine's extra allocations).
     */
    private final class Answer implements Consumer<Replica>, AppendCallback {
        private final AppendRequest request;
        private final byte[] bytes;
        /**
         * Set once the replica took it: refused while it takes it, nothing was stored; answered later (the master
         * stepped down while the append waited for its w), it is in this node's log and may or may not survive.
         */
        private boolean taken;
        /** Where the replica put it (-1: not in the log): a failure after that says what is stored where. */
        private long at = -1;

        Answer(final AppendRequest request, final byte[] bytes) {
            this.request = request;
            this.bytes = bytes;
        }

        @Override
        public void accept(final Replica replica) {
            try {
                replica.append(bytes, request.w(), request.tagged() ? request.clientId() : 0,
                    request.tagged() ? request.seq() : 0, request.timeoutNanos(), this);
                taken = true;
            } catch (LogFullException e) {
                // nothing was staged (LogStore's promise) and the replica changes nothing before its log takes the
                // entry: refuse this append and go on serving, as a fixed master does (not a failed storage)
                request.fail(ErrorCode.STORAGE_FULL, e.getMessage());
            } catch (RuntimeException e) {
                request.fail(ErrorCode.STORAGE_FAILED, "the message could not be stored: " + e);
                throw e;
            }
        }

        @Override
        public void stored(final long index) {
            countStored(request.w());
            answerStored(index);
        }

        private void answerStored(final long index) {
            final long msgId = IndexMap.msgIdAt(log.marks(), index); // a message: its own msg_id
            final long now = System.nanoTime();
            request.assigned(msgId, now);
            request.succeed(now);
        }

        @Override
        public void accepted(final long index) {
            at = index;
        }

        @Override
        public boolean abandoned() {
            return request.clientGone();
        }

        @Override
        public void storedBefore(final long index) {
            request.markDuplicate();
            answerStored(index); // stored the first time: not counted again
        }

        @Override
        public void tagReused(final long clientId, final long seq, final long firstIndex, final int masterId) {
            // the engine names the first append by its log index: readers know it by its msg_id
            request.fail(ErrorCode.TAG_REUSED, TagCheck.reused(clientId, seq,
                IndexMap.msgIdAt(log.marks(), firstIndex)));
        }

        @Override
        public void stopping(final long index, final int w) {
            countStored(w);
            if (!state.isStatic()) {
                AppendCallback.super.stopping(index, w);
                return;
            }
            // fixed roles' words (README): the master restarts with its log, the message is kept
            request.fail(ErrorCode.SHUTTING_DOWN, "the master is shutting down; the message is stored as "
                + "msg_id " + IndexMap.msgIdAt(log.marks(), index) + " but w=" + w + " was not reached yet");
        }

        @Override
        public void failed(final short code, final String why, final int masterId) {
            if (code == ErrorCode.TIMEOUT) {
                countStored(request.w()); // stored, its w not reached in time
            }
            final long msgId = at < 0 ? -1 : IndexMap.msgIdAt(log.marks(), at);
            if (code == ErrorCode.STORAGE_FAILED && msgId > 0) {
                request.fail(code, "msg_id " + msgId + " was written but could not be made durable: "
                    + why + "; it may be lost (or found again when the node restarts)");
            } else if (code == ErrorCode.STORAGE_FAILED && state.staticMaster()) {
                // not stored, queued as the disk failed: what every later append to this master gets
                final String storage = state.storageError();
                request.fail(ErrorCode.READ_ONLY, "read-only: "
                    + state.staticMasterReadOnly(state.view(), storage != null ? storage : why));
            } else if (code != ErrorCode.NOT_MASTER) {
                request.fail(code, why);
            } else if (taken) {
                request.fail(code, why + "; the message is in this node's log and may or may not "
                    + "survive (send it again tagged); " + state.notMaster());
            } else {
                request.fail(code, state.notMaster());
            }
        }
    }

    /** One more append stored with write concern {@code w} (on the replica's thread). */
    private void countStored(final int w) {
        storedByW.incrementAndGet(Math.min(Math.max(w, 1), storedByW.length()) - 1);
    }

    /** Appends stored so far by w (index w-1), for the status. */
    List<Long> storedCounts() {
        final List<Long> counts = new ArrayList<>(storedByW.length());
        for (int i = 0; i < storedByW.length(); i++) {
            counts.add(storedByW.get(i));
        }
        return counts;
    }
}
