package io.replog.node.replication;

import io.netty.buffer.Unpooled;
import io.replog.node.log.CorruptLogException;
import io.replog.node.log.EntryRange;
import io.replog.node.log.LogStore;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.Replicate;
import io.replog.protocol.Truncate;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * What the master sends one secondary, and what it makes of the answers: the cursor {@code nextId}, the window of
 * REPLICATE frames in flight, the acknowledged position, retries. The log is the source of truth: on every
 * connection the stream first asks the secondary where it is (an empty REPLICATE, the probe) and streams from
 * there, so catch-up after a restart and live replication are one path. ACKs are cumulative.
 *
 * <p>Event-loop confined and free of Netty channels: it talks through a {@link ReplicationLink}, reads time from
 * an injected clock and schedules through {@link Timers}, so tests drive it directly. The owner
 * ({@link SecondarySender}) makes connections and reports what happens to them.
 */
public final class ReplicationStream {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationStream.class);
    /** REPLICATE frames sent and not yet answered, at most. */
    static final int MAX_IN_FLIGHT = 16;
    /** Entries per REPLICATE frame, at most. */
    static final int MAX_BATCH_ENTRIES = 8192;
    /** Bytes of entries per REPLICATE frame, at most (and never more than the frame limit allows). */
    static final int MAX_BATCH_BYTES = 1024 * 1024;

    private final String name;
    private final LogStore log;
    private final NanoClock clock;
    private final Timers timers;
    private final HealthTracker health;
    private final RetryBackoff backoff;
    private final LongConsumer positionListener;
    private final int maxBatchBytes;
    private final long heartbeatNanos;
    private final long replicationTimeoutNanos;
    private final boolean debug = LOG.isDebugEnabled();

    // event-loop confined
    private ReplicationLink link;
    private long nextId = 1;
    /** Highest msg_id ever sent to this secondary: an ACK beyond it is a lie, refused. */
    private long highestSent;
    private int inFlight;
    private final long[] sentAt = new long[MAX_IN_FLIGHT];
    private long dataRequestId;
    /** REPLICATE frames with entries sent so far (resends included), published for metrics. */
    private volatile long batchesSent;
    private long probeRequestId;
    /** Consecutive failed attempts (connects, deliveries); paces retries and their log lines. */
    private int failures;
    private long lastSendNanos;
    /** Last answer on the current link, or when it was made: silence from then on means half-open. */
    private long lastAnswerNanos;
    /** The pause after a failed delivery; bound to the link it was made for. */
    private Future<?> resume;
    /** Set when this side closed the link after an error, already counted as a failed attempt. */
    private long reconnectAfterErrorMs = -1;

    private volatile long ackedId;
    private volatile SenderState state = SenderState.CONNECTING;

    /**
     * @param positionListener told every acknowledged position the secondary confirms (it may go down: a
     *                         secondary that restarted empty holds less than before)
     */
    public ReplicationStream(final String name, final LogStore log, final NanoClock clock, final Timers timers,
                             final HealthTracker health, final RetryBackoff backoff,
                             final LongConsumer positionListener, final int maxFrameLength, final long heartbeatMs,
                             final long replicationTimeoutMs) {
        this.name = name;
        this.log = log;
        this.clock = clock;
        this.timers = timers;
        this.health = health;
        this.backoff = backoff;
        this.positionListener = positionListener;
        this.maxBatchBytes = Math.min(MAX_BATCH_BYTES, FrameHeader.maxPayload(maxFrameLength));
        this.heartbeatNanos = heartbeatMs * 1_000_000L;
        this.replicationTimeoutNanos = replicationTimeoutMs * 1_000_000L;
    }

    /** Highest msg_id the secondary confirmed holding (with everything before it). */
    public long ackedId() {
        return ackedId;
    }

    /** REPLICATE frames with entries sent so far, resends included. Any thread. */
    public long batchesSent() {
        return batchesSent;
    }

    public SenderState state() {
        return state;
    }

    // ---- what happens to connections (reported by the owner) ----

    /** A new connection is up: ask the secondary where it is. */
    public void connected(final ReplicationLink newLink) {
        link = newLink;
        inFlight = 0;
        reconnectAfterErrorMs = -1;
        lastAnswerNanos = clock.nanoTime();
        state = SenderState.PROBING;
        sendProbe();
    }

    /** A connection attempt failed; returns the pause before the next one. */
    public long connectFailed(final String why) {
        state = SenderState.CONNECTING;
        return failedAttempt("cannot connect: " + why);
    }

    /** The connection closed; returns the pause before reconnecting, or -1 once the stream is closed. */
    public long disconnected(final String why) {
        final int lost = inFlight;
        link = null;
        inFlight = 0;
        cancelResume();
        if (state == SenderState.CLOSED) {
            return -1;
        }
        state = SenderState.CONNECTING;
        if (reconnectAfterErrorMs >= 0) {
            final long delay = reconnectAfterErrorMs; // this side closed it; the attempt is already counted
            reconnectAfterErrorMs = -1;
            return delay;
        }
        if (lost > 0) {
            health.failed("connection lost with " + lost + " replication request(s) unanswered");
        }
        return failedAttempt("connection lost (" + why + "); acknowledged up to " + ackedId);
    }

    /** Stops for good. */
    public void close() {
        state = SenderState.CLOSED;
        cancelResume();
        if (link != null) {
            link.close();
        }
    }

    // ---- answers from the secondary ----

    /**
     * An ACK: cumulative durable position {@code position}, whose entry has epoch {@code lastEpoch}; a negative
     * request id answers a probe or heartbeat.
     */
    public void ack(final long requestId, final long position, final long lastEpoch) {
        answered();
        if (requestId < 0 && !sameHistory(position, lastEpoch)) {
            return;
        }
        if (position > log.lastId() || (requestId > 0 && position > highestSent)) {
            // a secondary cannot hold what it was never sent: a bug or an impostor; never count it
            health.failed("acknowledged msg_id " + position + ", beyond what was sent (" + highestSent + ")");
            closeAfterError("refusing an ACK of msg_id " + position + ", beyond what was sent ("
                + highestSent + ")");
            return;
        }
        health.acceptedLog();
        if (requestId < 0) {
            probeAnswered(position);
        } else {
            dataAcked(position);
        }
        drain();
    }

    /** An ERROR answer; request id 0 means the secondary refused the frame itself and closes the connection. */
    public void error(final long requestId, final short code, final String text) {
        answered();
        final String what = ErrorCode.name(code) + ": " + text;
        if (code == ErrorCode.UNAUTHORIZED) {
            health.unauthorized("it refuses replication from this master (" + text + ")");
            closeAfterError("the secondary refuses replication without the cluster key (" + text + ")");
            return;
        }
        if (code == ErrorCode.LOG_MISMATCH) {
            health.refusedLog(text);
            moveTo(0); // it holds none of this log
            closeAfterError("the secondary holds another log and refuses this one (" + text + ")");
            return;
        }
        health.failed(what);
        if (ErrorCode.isFraming(code)) {
            closeAfterError("the secondary refused a frame (" + what + ")");
            return;
        }
        if (requestId > 0) {
            inFlight--;
        }
        // go back to the first entry not acknowledged and resend after a pause; what the secondary already
        // stored is ignored there as a duplicate
        final long delay = failedAttempt("delivery failed (" + what + "), resending from " + (ackedId + 1));
        nextId = ackedId + 1;
        if (resume == null) {
            final ReplicationLink pausedLink = link;
            resume = timers.schedule(() -> resumeAfterPause(pausedLink), delay, TimeUnit.MILLISECONDS);
        }
    }

    // ---- time ----

    /**
     * Called every heartbeat interval: sends a heartbeat on an idle link, and drops a link on which a request or
     * anything at all went unanswered for the replication timeout (half-open after a network cut, a stopped
     * process), so that a new connection resends from the acknowledged position.
     */
    public void tick() {
        if (link == null) {
            return;
        }
        final long now = clock.nanoTime();
        if (inFlight > 0 && now - sentAt[(int) ((dataRequestId - inFlight + 1) % MAX_IN_FLIGHT)]
            > replicationTimeoutNanos) {
            closeAfterError("no answer to a replication request for " + replicationTimeoutNanos / 1_000_000
                + " ms; reconnecting to resend from " + (ackedId + 1));
            return;
        }
        if (now - lastAnswerNanos > replicationTimeoutNanos) {
            closeAfterError("no answer to anything for " + (now - lastAnswerNanos) / 1_000_000 + " ms; reconnecting");
            return;
        }
        if (now - lastSendNanos >= heartbeatNanos / 2) {
            sendProbe();
        }
    }

    /** The log grew (or the link became writable): send what the window allows. */
    public void drain() {
        final ReplicationLink l = link;
        if (l == null || state != SenderState.STREAMING || resume != null) {
            return;
        }
        boolean wrote = false;
        // only what the master holds durably: a secondary never holds what a crash of the master could take back
        long durable;
        while (inFlight < MAX_IN_FLIGHT && l.isWritable() && nextId <= (durable = log.durableId())) {
            final EntryRange range;
            try {
                range = log.read(nextId, (int) Math.min(MAX_BATCH_ENTRIES, durable - nextId + 1), maxBatchBytes);
            } catch (CorruptLogException e) {
                cannotRead(e);
                break;
            }
            final long now = clock.nanoTime();
            sentAt[(int) (++dataRequestId % MAX_IN_FLIGHT)] = now;
            lastSendNanos = now;
            l.send(new Replicate(dataRequestId, log.logId(), range.firstId(), range.count(), range.epoch(),
                range.run()));
            if (debug) {
                LOG.debug("{}: REPLICATE msg_id {}..{}", name, range.firstId(), range.lastId());
            }
            batchesSent = dataRequestId;
            nextId += range.count();
            highestSent = Math.max(highestSent, nextId - 1);
            inFlight++;
            wrote = true;
        }
        if (wrote) {
            l.flush();
        }
    }

    // ---- inside ----

    /** This master's own log is damaged at the cursor: it never sends that; it says so and tries again later. */
    private void cannotRead(final CorruptLogException e) {
        final String what = "cannot read msg_id " + nextId + " from this master's log: " + e.getMessage();
        health.failed(what);
        final long delay = failedAttempt(what);
        if (resume == null) {
            final ReplicationLink pausedLink = link;
            resume = timers.schedule(() -> resumeAfterPause(pausedLink), delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Whether the secondary's copy is a prefix of this log: its last entry exists here with the same epoch (an
     * epoch has one master, so the same msg_id and epoch mean the same entries up to there). When it is not, none of
     * its copies count and it is told to cut its log back to where the two histories last agree (Kafka's
     * leader-epoch rule); its answer is checked again, until they agree.
     */
    private boolean sameHistory(final long position, final long lastEpoch) {
        if (position <= log.lastId() && (position == 0 || log.epochAt(position) == lastEpoch)) {
            return true;
        }
        // this log's entries of epochs up to the secondary's last one end here: anything the secondary holds after
        // it was written by a master whose entries this log does not have
        long keep = Math.min(position, log.endOfEpoch(lastEpoch));
        if (keep >= position) {
            keep = position - 1; // the histories differ at position itself: one step back, then check again
        }
        final String why = position > log.lastId()
            ? "it holds msg_ids up to " + position + " (epoch " + lastEpoch + "), past this master's log (" + log.lastId()
                + ")"
            : "its msg_id " + position + " was written in epoch " + lastEpoch + ", this master's in epoch "
                + log.epochAt(position);
        LOG.warn("{}: its log differs from this master's: {}; telling it to keep msg_ids up to {} and cut the rest "
            + "(it keeps what it cuts in a rollback file)", name, why, keep);
        health.refusedLog(why + "; truncating it after " + keep);
        moveTo(0);
        lastSendNanos = clock.nanoTime();
        link.send(new Truncate(--probeRequestId, log.logId(), keep));
        link.flush();
        return false;
    }

    private void answered() {
        health.contact(); // QuorumMonitor logs the resulting state changes
        lastAnswerNanos = clock.nanoTime();
    }

    private void sendProbe() {
        lastSendNanos = clock.nanoTime();
        // probes and heartbeats use negative request ids, so their ACKs are never counted as data ACKs
        link.send(new Replicate(--probeRequestId, log.logId(), log.lastId() + 1, 0, log.epoch(),
            Unpooled.EMPTY_BUFFER));
        link.flush();
    }

    private void probeAnswered(final long position) {
        final long masterLast = log.lastId();
        if (state == SenderState.STREAMING) {
            // a heartbeat: the position is cumulative, so it can only confirm more
            if (position > ackedId) {
                moveTo(position);
            }
            if (position >= masterLast && inFlight == 0) {
                health.delivered();
            }
            return;
        }
        if (state != SenderState.PROBING) {
            return;
        }
        state = SenderState.STREAMING;
        nextId = position + 1;
        moveTo(position);
        if (failures > 0 || position < masterLast) {
            LOG.info("{}: connected after {} attempt(s); secondary has {} of {} messages, catching up {}", name,
                failures + 1, position, masterLast, masterLast - position);
        } else {
            LOG.info("{}: connected; secondary is up to date at {}", name, position);
        }
        if (position >= masterLast) {
            // nothing to deliver, so nothing failing; a lagging one proves itself with its first data ACK
            health.delivered();
            failures = 0;
        }
    }

    private void dataAcked(final long position) {
        inFlight--;
        if (position > ackedId) {
            moveTo(position);
        }
        health.delivered();
        if (resume == null) {
            failures = 0; // a delivery succeeded: the next failure starts the backoff from the beginning
        }
        if (debug) {
            LOG.debug("{}: ACK up to msg_id={}", name, position);
        }
        // ackedId, not this ACK's position: ACKs held for the disk may arrive after later ones
        if (inFlight == 0 && ackedId < nextId - 1 && resume == null) {
            // everything sent was answered yet the secondary is missing some: go back and resend from there
            LOG.info("{}: secondary acknowledged {} of {} sent entries, resending from {}", name, position,
                nextId - 1, position + 1);
            nextId = position + 1;
        }
    }

    private void moveTo(final long position) {
        ackedId = position;
        positionListener.accept(position);
    }

    /** Counts a failed attempt, logs it on the 1st and every 10th in a row, returns the pause before the next. */
    private long failedAttempt(final String what) {
        failures++;
        final SecondaryHealth status = health.status();
        final long delay = backoff.delayMs(failures, !status.isUp());
        if (failures == 1 || failures % 10 == 0) {
            LOG.info("{}: {} (attempt {}, {}); retrying in {} ms", name, what, failures, status, delay);
        }
        return delay;
    }

    /** Closes the link after a failure on it; the disconnect that follows reconnects after the backoff. */
    private void closeAfterError(final String what) {
        final ReplicationLink l = link;
        if (l == null) {
            return; // already closing
        }
        link = null; // nothing more is sent on it, and what it still delivers is ignored
        reconnectAfterErrorMs = failedAttempt(what);
        l.close();
    }

    private void resumeAfterPause(final ReplicationLink pausedLink) {
        if (pausedLink != link) {
            return; // the timer of a link that is gone (cancelled too late): the current link has its own pause
        }
        resume = null;
        nextId = Math.max(nextId, ackedId + 1);
        drain();
    }

    private void cancelResume() {
        if (resume != null) {
            resume.cancel(false);
            resume = null;
        }
    }
}
