package io.replog.node.master;

import io.replog.node.role.AppendRequest;
import io.replog.node.role.TagCheck;
import io.netty.buffer.ByteBuf;
import io.replog.node.log.LogFullException;
import io.replog.node.log.LogStore;
import io.replog.protocol.ErrorCode;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.NanoClock;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The single writer of the master's log. Client event loops hand appends over through a lock-free MPSC queue
 * (JCTools); this agent assigns msg_ids and stages what it drained in one duty cycle into the log, commits it as one
 * batch, answers the w=1 appends the log already holds durably and hands the rest to the {@link WriteConcernTracker},
 * which answers them as the log's flusher and the secondaries' ACKs report durable copies (this agent still expires
 * their timeouts). The append path takes no lock.
 */
public final class Sequencer implements Agent {
    private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);
    /** Appends taken per duty cycle before the senders are woken: bounds the latency one burst adds to another. */
    private static final int DRAIN_LIMIT = 4096;

    private final LogStore log;
    private final MpscUnboundedXaddArrayQueue<AppendRequest> queue = new MpscUnboundedXaddArrayQueue<>(1024);
    private final ParkingIdleStrategy idle;
    /** Appends of the current duty cycle with their msg_id: answered or handed over once the batch is committed. */
    private final List<AppendRequest> batch = new ArrayList<>();
    /** Appends waiting for durable copies, handed to the tracker in one go. */
    private final List<AppendRequest> awaiting = new ArrayList<>();
    private final IdempotenceTable tags = new IdempotenceTable();
    /** Appends stored, per w (index w; w above the array's end counted at its end): this thread's own counts. */
    private final long[] storedByW = new long[16];
    /** The same, published once per duty cycle for metrics (lazySet: no fence per append). */
    private final AtomicLongArray publishedByW = new AtomicLongArray(16);
    private long fullRefusals;
    private final boolean debug = LOG.isDebugEnabled();
    private final WriteConcernTracker tracker;
    private final NanoClock clock;
    private AgentRunner runner;
    private volatile boolean running = true;
    private volatile short closeCode = ErrorCode.SHUTTING_DOWN;
    private volatile String closeText = "the master is shutting down";
    /** Why the sequencer thread ended on an Error (out of memory, …), null while it runs. */
    private volatile String failure;
    /** The append being sequenced, until it is answered or in the batch: one an Error interrupts is answered too. */
    private AppendRequest sequencing;
    /** Submits between their check of {@link #running} and their offer: close waits for them to finish. */
    private final AtomicInteger submitting = new AtomicInteger();

    /** @param tracker answers the w&gt;1 appends this sequencer hands over */
    public Sequencer(final LogStore log, final WriteConcernTracker tracker, final NanoClock clock) {
        this.log = log;
        this.tracker = tracker;
        this.clock = clock;
        this.idle = new ParkingIdleStrategy(this::hasWork, this::nanosToNextDeadline);
    }

    /** Appends stored with write concern {@code w} so far (w of 15 and more counted together at 15). Any thread. */
    public long storedWithW(final int w) {
        return publishedByW.get(Math.min(w, publishedByW.length() - 1));
    }

    public void start(final ThreadFactory threads) {
        runner = new AgentRunner(idle, this::failed, null, this);
        AgentRunner.startOnThread(runner, threads);
    }

    /**
     * From any thread: queue an append. Never blocks. Every submitted request is answered: one that arrives after
     * {@link #close()} began is refused here, one that got past the check is still queued before close drains.
     */
    public void submit(final AppendRequest request) {
        submitting.incrementAndGet(); // before reading running: close() reads this after writing running
        try {
            if (!running) {
                refuse(request);
                return;
            }
            queue.offer(request);
        } finally {
            submitting.decrementAndGet();
        }
        idle.wake();
    }

    private void refuse(final AppendRequest request) {
        request.takePayload().release();
        request.fail(closeCode, closeText + "; the message was not stored");
    }

    @Override
    public int doWork() {
        final int work = queue.drain(this::sequence, DRAIN_LIMIT);
        if (!batch.isEmpty()) {
            commitBatch();
        }
        handOverAwaiting();
        if (work > 0) {
            for (int w = 1; w < storedByW.length; w++) {
                publishedByW.lazySet(w, storedByW[w]);
            }
        }
        return work + tracker.expire(clock.nanoTime());
    }

    private void sequence(final AppendRequest request) {
        sequencing = request;
        sequenceOne(request);
        sequencing = null;
    }

    private void sequenceOne(final AppendRequest request) {
        int checksum = 0;
        if (request.tagged()) {
            checksum = TagCheck.checksum(request.payload());
            final long known = tags.lookup(request.clientId(), request.seq());
            if (known != IdempotenceTable.NEW) {
                answerResent(request, known, checksum);
                return;
            }
        }
        final ByteBuf payload = request.takePayload();
        final long id;
        final int bytes = payload.readableBytes();
        try {
            id = log.append(payload);
        } catch (LogFullException e) {
            if (fullRefusals++ % 10_000 == 0) {
                LOG.warn("master: refusing appends: {} ({} refused so far)", e.getMessage(), fullRefusals);
            }
            request.fail(ErrorCode.STORAGE_FULL, e.getMessage());
            return;
        } finally {
            payload.release();
        }
        request.assigned(id, clock.nanoTime());
        if (request.tagged()) {
            // now: a duplicate in this very batch finds it
            tags.record(request.clientId(), request.seq(), id, checksum);
        }
        if (debug) {
            LOG.debug("append msg_id={} w={} bytes={}", id, request.w(), bytes);
        }
        storedByW[Math.min(request.w(), storedByW.length - 1)]++;
        batch.add(request);
    }

    /**
     * Commits what this duty cycle staged as one batch; the log's durability listener tells the tracker and the
     * senders. A w=1 append already durable (a log that counts what is written) is answered here, saving the
     * tracker's bookkeeping; every other append waits for enough durable copies.
     */
    private void commitBatch() {
        final long committedBefore = log.lastId();
        try {
            log.commit();
        } catch (LogFullException | UncheckedIOException e) {
            failBatch(committedBefore, e);
            return;
        }
        final long durable = log.durableId();
        final long now = System.nanoTime(); // one clock reading for the batch's answers (latency metrics)
        for (final AppendRequest request : batch) {
            if (request.w() <= 1 && request.msgId() <= durable) {
                request.succeed(now);
            } else {
                awaiting.add(request);
            }
        }
        batch.clear();
    }

    /** The batch did not reach the log: its new appends were not stored (re-sent ones of earlier batches were). */
    private void failBatch(final long committedBefore, final RuntimeException e) {
        LOG.error("master: cannot write to the log, {} append(s) refused: {}", batch.size(), e.getMessage());
        failUncommitted(committedBefore, e instanceof LogFullException ? ErrorCode.STORAGE_FULL : ErrorCode.STORAGE_FAILED,
            "cannot store: " + e.getMessage() + "; the message was not stored");
    }

    /**
     * The batch's appends past {@code committed} (not in the log) are answered {@code code}; the others (re-sent
     * ones of earlier batches) still wait for their w. The batch is empty afterwards.
     */
    private void failUncommitted(final long committed, final short code, final String text) {
        for (final AppendRequest request : batch) {
            if (request.msgId() <= committed) {
                awaiting.add(request);
                continue;
            }
            if (request.tagged()) {
                tags.unrecord(request.clientId(), request.seq());
            }
            request.fail(code, text);
        }
        batch.clear();
    }

    /** Hands the appends that wait for their w to the tracker. */
    private void handOverAwaiting() {
        if (!awaiting.isEmpty()) {
            try {
                tracker.await(awaiting);
            } finally {
                awaiting.clear(); // never handed over twice: two copies could be answered by two threads
            }
        }
    }

    /** Queued appends get the close answer (not stored), waiting ones too (stored, w unknown). */
    private void answerTheRest() {
        queue.drain(this::refuse);
        tracker.failAll(closeCode, closeText);
    }

    /** No new append gets in after this (submit refuses); one already between its check and its offer is queued. */
    private void stopTakingAppends(final short code, final String text) {
        closeCode = code;
        closeText = text;
        running = false;
        while (submitting.get() > 0) {
            Thread.yield(); // a submit is between its check and its offer: a few instructions
        }
    }

    /**
     * A tagged append seen before: not stored again; answered with its first msg_id (flagged duplicate) once its w
     * is met, or refused with TAG_REUSED when it carries other bytes than the first time.
     */
    private void answerResent(final AppendRequest request, final long knownId, final int checksum) {
        request.takePayload().release();
        if (knownId == IdempotenceTable.TOO_OLD) {
            request.fail(ErrorCode.INVALID_REQUEST, "seq " + request.seq() + " of client " + request.clientId()
                + " is older than the last " + IdempotenceTable.WINDOW + " remembered; it may or may not be stored");
            return;
        }
        if (tags.checksum(request.clientId(), request.seq()) != checksum) {
            request.fail(ErrorCode.TAG_REUSED, TagCheck.reused(request.clientId(), request.seq(), knownId));
            return;
        }
        request.markDuplicate();
        LOG.debug("duplicate append client={} seq={} answered with msg_id={}", request.clientId(), request.seq(),
            knownId);
        request.assigned(knownId, clock.nanoTime());
        batch.add(request); // its first copy may be in this very batch: answered once the batch is committed
    }

    private boolean hasWork() {
        return !queue.isEmpty();
    }

    private long nanosToNextDeadline() {
        final long next = tracker.nextDeadline();
        return next == Long.MAX_VALUE ? Long.MAX_VALUE : next - clock.nanoTime();
    }

    /**
     * On the sequencer's thread, from its runner: an exception is logged and the next duty cycle goes on; an Error
     * ends the thread, so nothing would answer appends any more: every one queued, staged or waiting is answered
     * now, and new ones are refused, until the master is restarted.
     */
    private void failed(final Throwable t) {
        LOG.error("sequencer failed", t);
        if (!(t instanceof Error)) {
            return;
        }
        failure = t.toString();
        stopTakingAppends(ErrorCode.SHUTTING_DOWN, "the master's sequencer failed (" + failure
            + "); restart the master");
        final String notStored = closeText + "; the message was not stored";
        if (sequencing != null && !batch.contains(sequencing)) {
            sequencing.fail(closeCode, notStored);
        }
        sequencing = null;
        failUncommitted(log.lastId(), closeCode, notStored);
        handOverAwaiting();
        answerTheRest();
    }

    /** Why the sequencer stopped for good (an Error on its thread), or null while it runs. */
    public String failure() {
        return failure;
    }

    /** Appends waiting for their write concern. */
    public int pendingCount() {
        return tracker.waiting();
    }

    @Override
    public void onClose() {
        if (!batch.isEmpty()) {
            commitBatch(); // a duty cycle cut short: what it staged is still stored and answered
            handOverAwaiting();
        }
        answerTheRest();
    }

    @Override
    public String roleName() {
        return "sequencer";
    }

    /**
     * Stops taking appends. Every one not yet answered gets {@code code}: queued ones were not stored, waiting ones
     * were (their answer says so) but their write concern is unknown.
     */
    public void close(final short waitingCode, final String waitingText) {
        stopTakingAppends(waitingCode, waitingText);
        if (runner != null) {
            runner.close(); // onClose drains the queue on the agent's thread
        } else {
            onClose();
        }
    }
}
