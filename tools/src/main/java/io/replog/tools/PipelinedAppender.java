package io.replog.tools;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.io.IOException;

/**
 * Sends appends pipelined, up to {@link #WINDOW} unanswered, and prints their msg_ids in input order, each as soon
 * as it (and every one before it) is answered. Every append
 * is tagged (a random client id, the line number as seq), so after a lost connection the unanswered ones can be
 * sent again without any being stored twice.
 *
 * <p>What happens to a line that fails depends on whether trying again can help. Lost connections and
 * SHUTTING_DOWN (the request was not carried out) are retried: reconnect, re-send, for up to --reconnect-for-ms
 * without an answer. Anything the node refused (PAYLOAD_TOO_LARGE, INVALID_REQUEST, TIMEOUT, READ_ONLY, …) is
 * reported for its line and counted; logctl goes on with the next line and exits 1 at the end. A framing error
 * means the node cannot read what logctl sends: it stops there. Lines the node would refuse anyway (larger than
 * its max_message_bytes, or not UTF-8 text) are reported without being sent.
 *
 * <p>With {@code --server a,b,c} (a failover cluster) it first finds the master ({@link MasterFinder}) and follows
 * it: NOT_MASTER, a lost connection, SHUTTING_DOWN, or a master that stops answering (no append answered and no
 * HEALTH answer within --answer-timeout-ms) all mean "find the master again and re-send every unanswered append,
 * same tags", which the new master answers with the original msg_id when it holds the first copy. It gives up
 * after --reconnect-for-ms without an answer.
 */
final class PipelinedAppender implements AutoCloseable {
    /** Appends in flight at once: deep enough to hide round trips, well inside the master's dedup window (4096). */
    static final int WINDOW = 1024;

    /** One line until its answer is printed; re-sent, same seq, after a reconnect. */
    private static final class Attempt {
        final long seq;
        final String label;
        final byte[] payload;
        /** Why it was not sent at all, or null. */
        final String refusal;
        CompletableFuture<Long> answer;

        Attempt(final long seq, final String label, final byte[] payload, final String refusal) {
            this.seq = seq;
            this.label = label;
            this.payload = payload;
            this.refusal = refusal;
        }
    }

    private final Logctl options;
    private final int w;
    private final long timeoutMs;
    private final PrintWriter out;
    private final PrintWriter err;
    private final long clientId = new SecureRandom().nextLong() | 1;
    private final ArrayDeque<Attempt> window = new ArrayDeque<>();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer decoded = CharBuffer.allocate(256);
    private final LinkRecovery recovery;
    private NodeLink link;
    /** Told whenever an answer arrives (any thread): the input loop then prints it at once. */
    private final Runnable answered;
    private int failures;
    private long printed;
    /** When the last answer arrived, or the oldest waiting append was sent into an empty window (nanoTime). */
    private long lastAnswerNanos = System.nanoTime();

    PipelinedAppender(final Logctl options, final int w, final long timeoutMs, final PrintWriter out,
                      final PrintWriter err, final Runnable answered) throws InterruptedException {
        this.answered = answered;
        this.options = options;
        this.w = w;
        this.timeoutMs = timeoutMs;
        this.out = out;
        this.err = err;
        this.recovery = new LinkRecovery(options, err);
        this.link = recovery.open();
    }

    /** The largest message the node takes; lines longer than this are refused without being sent. */
    int maxMessageBytes() {
        final long max = link.maxMessageBytes();
        return max < 0 || max > Integer.MAX_VALUE - 16 ? Integer.MAX_VALUE - 16 : (int) max;
    }

    /** Sends one message (refused here if it is too long or not UTF-8), first waiting for room in the window. */
    void submit(final long seq, final String label, final byte[] payload, final long length)
        throws InterruptedException {
        if (window.size() >= WINDOW) {
            settleOldest();
        }
        final String refusal = refusal(payload, length);
        final Attempt attempt = new Attempt(seq, label, payload, refusal);
        if (window.isEmpty()) {
            lastAnswerNanos = System.nanoTime();
        }
        window.add(attempt);
        if (refusal == null) {
            send(attempt);
        }
    }

    /** Whether the window of unanswered appends is full: the next line waits until the oldest is answered. */
    boolean full() {
        return window.size() >= WINDOW;
    }

    /** Whether some append waits for its answer. */
    boolean waiting() {
        return !window.isEmpty();
    }

    /** How long no answer arrived while appends wait (0 when none waits). */
    long silentMs() {
        return window.isEmpty() ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAnswerNanos);
    }

    /** Appends answered so far (stored or refused), for the progress line. */
    long settled() {
        return printed + failures;
    }

    /**
     * Prints every answer that arrived, oldest first, without waiting for one that did not (a lost connection at the
     * front is handled at once: reconnect and re-send).
     */
    void printAnswered() throws InterruptedException {
        while (!window.isEmpty() && (window.peek().refusal != null || window.peek().answer.isDone())) {
            settleOldest();
            lastAnswerNanos = System.nanoTime();
        }
        out.flush();
    }

    /**
     * The oldest append, waited for: nothing arrived for --answer-timeout-ms, so the node must show it is alive
     * (HEALTH, as the master) or is treated as lost.
     */
    void awaitOldest() throws InterruptedException {
        if (!window.isEmpty()) {
            settleOldest();
            lastAnswerNanos = System.nanoTime();
            out.flush();
        }
    }

    /** Waits for every answer; 0 when every message was stored, else {@link Logctl#EXIT_FAILED}. */
    int finish() throws InterruptedException {
        while (!window.isEmpty()) {
            settleOldest();
        }
        out.flush();
        return failures == 0 ? 0 : Logctl.EXIT_FAILED;
    }

    private String refusal(final byte[] payload, final long length) {
        if (length > maxMessageBytes()) {
            return ErrorCode.name(ErrorCode.PAYLOAD_TOO_LARGE) + ": message of " + length + " bytes exceeds the limit"
                + " of " + maxMessageBytes() + " bytes (max_message_bytes of " + link.server() + "); not sent";
        }
        final int bad = firstNonUtf8(payload);
        return bad < 0 ? null : "not valid UTF-8 (at byte " + (bad + 1) + " of " + payload.length + "); not sent";
    }

    /** Offset of the first byte that is not part of valid UTF-8, or -1. */
    private int firstNonUtf8(final byte[] payload) {
        if (decoded.capacity() < payload.length) {
            decoded = CharBuffer.allocate(payload.length);
        }
        decoded.clear();
        utf8.reset();
        final ByteBuffer in = ByteBuffer.wrap(payload);
        final CoderResult result = utf8.decode(in, decoded, true);
        return result.isError() ? in.position() : -1;
    }

    private void send(final Attempt attempt) {
        attempt.answer = link.client().append(attempt.payload, w, timeoutMs, clientId, attempt.seq);
        attempt.answer.whenComplete((id, error) -> answered.run());
    }

    /** Prints the oldest line's msg_id or its error; reconnects and re-sends first when that is what it takes. */
    private void settleOldest() throws InterruptedException {
        final Attempt oldest = window.peek();
        if (oldest.refusal != null) {
            report(oldest, oldest.refusal);
            return;
        }
        while (true) {
            try {
                out.println(awaitWatchingMaster(oldest.answer));
                printed++;
                window.poll();
                recovery.answered();
                return;
            } catch (CompletionException e) {
                final ReplogException r = e.getCause() instanceof ReplogException x ? x
                    : new ReplogException(ReplogException.CONNECTION_LOST, String.valueOf(e.getCause()));
                if (retry(r)) {
                    recoverAndResend(r);
                } else if (ErrorCode.isFraming(r.code()) || r.code() == ReplogException.NOT_REPLOG_PEER) {
                    out.flush();
                    throw new CommandFailure(oldest.label + ": " + r + "; the node cannot read what logctl sends, so "
                        + "nothing more is sent (" + unconfirmed() + ")");
                } else {
                    recovery.answered();
                    report(oldest, r.toString());
                    return;
                }
            }
        }
    }

    private void report(final Attempt attempt, final String why) {
        window.poll();
        failures++;
        out.flush();
        Logctl.fail(err, attempt.label + ": " + why);
    }

    /** Lost connections, and a master that is stopping (it did not carry the request out), are worth retrying. */
    static boolean retryable(final ReplogException e) {
        return e.code() == ReplogException.CONNECTION_LOST || e.code() == ErrorCode.SHUTTING_DOWN;
    }

    /** The same, and with a list of nodes NOT_MASTER too: the master changed, so send it to the new one. */
    private boolean retry(final ReplogException e) {
        return retryable(e) || recovery.followsMaster() && e.code() == ErrorCode.NOT_MASTER;
    }

    /**
     * The answer, waited for as long as it takes while the master shows it is alive: each time no answer came for
     * --answer-timeout-ms, logctl asks the master for its HEALTH; no answer to that either (a paused or cut-off
     * node, a half-open connection), or an answer that it is no longer the master, fails the wait as a lost
     * connection. A master that answers HEALTH is waited for without limit: a w=3 append may wait for a secondary.
     */
    private long awaitWatchingMaster(final CompletableFuture<Long> answer) throws InterruptedException {
        while (true) {
            try {
                return answer.get(options.answerTimeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new CompletionException(e.getCause());
            } catch (TimeoutException e) {
                final String dead = masterGone();
                if (dead != null) {
                    throw new CompletionException(new ReplogException(ReplogException.CONNECTION_LOST, dead));
                }
            }
        }
    }

    /** Why the current master is no longer worth waiting for, or null when it answers HEALTH as the master. */
    private String masterGone() throws InterruptedException {
        try {
            final String health = link.client().health().get(options.answerTimeoutMs, TimeUnit.MILLISECONDS);
            final String role = NodeLink.JSON.readTree(health).path("role").asText();
            return "master".equals(role) ? null : link.server() + " is no longer the master (role " + role + ")";
        } catch (TimeoutException e) {
            return link.server() + " answered neither an append nor HEALTH within " + options.answerTimeoutMs
                + " ms (--answer-timeout-ms)";
        } catch (ExecutionException | IOException e) {
            return link.server() + ": " + (e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    private boolean mustResend(final Attempt a) {
        if (a.answer == null) {
            return false;
        }
        if (!a.answer.isCompletedExceptionally()) {
            return !a.answer.isDone();
        }
        try {
            a.answer.join();
            return false;
        } catch (CompletionException e) {
            return !(e.getCause() instanceof ReplogException r) || retry(r);
        }
    }

    /**
     * Gets a link again ({@link LinkRecovery}: the same server, or the master of the list) and re-sends what was not
     * answered, same tags, so the node answers those it holds with their original msg_ids.
     */
    private void recoverAndResend(final ReplogException why) throws InterruptedException {
        link.close();
        out.flush();
        final LinkRecovery.Recovered recovered = recovery.recover(link, why, window.peek().label, this::unconfirmed);
        link = recovered.link();
        int resent = 0;
        for (final Attempt a : window) {
            if (mustResend(a)) {
                send(a);
                resent++;
            }
        }
        Logctl.fail(err, recovered.how() + "; re-sent " + resent
            + " unanswered append(s) with their original ids, so none is stored twice");
    }

    /** Which lines are still without an answer, for a message that ends the run. */
    private String unconfirmed() {
        final Attempt first = window.peekFirst();
        final Attempt last = window.peekLast();
        return first == last ? first.label + " was not confirmed"
            : "lines " + first.seq + " to " + last.seq + " were not confirmed";
    }

    @Override
    public void close() {
        link.close();
    }
}
