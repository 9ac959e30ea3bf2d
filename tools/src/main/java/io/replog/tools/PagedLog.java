package io.replog.tools;

import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReadResult;
import io.replog.protocol.client.ReplogClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One node's log read in READ pages for {@link LogDiff}, in bounded memory: the messages not yet passed (at least
 * the page being compared, more only while they stay under the byte budget), one page in flight ahead, and the
 * hashes of the last {@code keepBehind} messages passed.
 */
final class PagedLog implements LogDiff.Window {
    /** Bytes of messages not yet passed past which the look-ahead stops reading (a page may go beyond it once). */
    static final long LOOK_AHEAD_BYTES = 8L << 20;

    /** A READ that failed (no connection, no answer, an error answer, an answer that breaks the protocol). */
    static final class ReadFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient PagedLog log;

        ReadFailure(final PagedLog log, final String message) {
            super(message);
            this.log = log;
        }
    }

    private final NodeLink link;
    private final long limit;
    private final int keepBehind;
    private final int pageSize;
    /** Kept messages; entries.get(k) has msg_id base + k. */
    private final List<LogDiff.Entry> entries = new ArrayList<>();
    private long base = 1;
    /** First msg_id not passed yet. */
    private long position = 1;
    private long unpassedBytes;
    /** The node had nothing after the last kept message when it last answered. */
    private boolean atEnd;
    private CompletableFuture<ReadResult> inFlight;
    private long inFlightFrom;
    private long highestLastId = -1;
    private long shrankTo = -1;

    /**
     * @param limit      read no msg_id past this one (the walk's end on the master; Long.MAX_VALUE on the others)
     * @param keepBehind hashes of passed messages to keep, for the diff's look-behind
     */
    PagedLog(final NodeLink link, final long limit, final int keepBehind, final int pageSize) {
        this.link = link;
        this.limit = limit;
        this.keepBehind = keepBehind;
        this.pageSize = pageSize;
    }

    PagedLog(final NodeLink link, final long limit, final int keepBehind) {
        this(link, limit, keepBehind, ReplogClient.READ_PAGE);
    }

    String server() {
        return link.server();
    }

    private long loadedEnd() {
        return base + entries.size() - 1;
    }

    @Override
    public LogDiff.Entry need(final long id) {
        while (id > loadedEnd()) {
            if (!load(true)) {
                return null;
            }
        }
        if (id < base) {
            throw new IllegalStateException("msg_id " + id + " was passed already");
        }
        return entries.get((int) (id - base));
    }

    @Override
    public LogDiff.Entry peek(final long id) {
        if (id < base) {
            return null;
        }
        while (id > loadedEnd()) {
            if (unpassedBytes >= LOOK_AHEAD_BYTES || !load(false)) {
                return null;
            }
        }
        return entries.get((int) (id - base));
    }

    /**
     * Reads the next page (the one in flight, or asks for it).
     *
     * @param ask whether to ask again past a known end (the node may have received more since)
     * @return whether it brought at least one message
     */
    private boolean load(final boolean ask) {
        final long from = loadedEnd() + 1;
        if (from > limit) {
            return false;
        }
        if (inFlight == null) {
            if (atEnd && !ask) {
                return false;
            }
            send(from);
        }
        final ReadResult page = await();
        final List<Message> messages = page.messages();
        if (!messages.isEmpty() && messages.get(0).msgId() != from) {
            throw new ReadFailure(this, "answered a READ from msg_id " + from + " with msg_id "
                + messages.get(0).msgId());
        }
        for (final Message m : messages) {
            entries.add(new LogDiff.Entry(m.msgId(), m.payload()));
            unpassedBytes += m.payload().length;
        }
        atEnd = messages.isEmpty() || loadedEnd() >= page.lastId();
        prefetch();
        return !messages.isEmpty();
    }

    private void send(final long from) {
        inFlightFrom = from;
        inFlight = link.client().read(from, (int) Math.min(pageSize, limit - from + 1));
    }

    private ReadResult await() {
        final CompletableFuture<ReadResult> answer = inFlight;
        inFlight = null;
        final ReadResult page;
        try {
            page = link.answer(answer, "READ from msg_id " + inFlightFrom);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReadFailure(this, "interrupted");
        } catch (CommandFailure e) {
            throw new ReadFailure(this, e.getMessage());
        } catch (RuntimeException e) {
            throw new ReadFailure(this, e.toString()); // ReplogException: its code and text
        }
        if (page.lastId() < highestLastId) {
            shrankTo = page.lastId();
        }
        highestLastId = Math.max(highestLastId, page.lastId());
        return page;
    }

    /** Keeps one page in flight while the walk has less than the budget ahead of it, so it rarely waits. */
    private void prefetch() {
        final long from = loadedEnd() + 1;
        if (inFlight == null && !atEnd && from <= limit && unpassedBytes < LOOK_AHEAD_BYTES) {
            send(from);
        }
    }

    /** The walk is done with every msg_id before {@code id}: drop their bytes, keep {@code keepBehind} hashes. */
    void passTo(final long id) {
        final long upTo = Math.min(id, loadedEnd() + 1);
        for (long p = Math.max(position, base); p < upTo; p++) {
            final LogDiff.Entry e = entries.get((int) (p - base));
            unpassedBytes -= e.payload.length;
            e.payload = null;
        }
        position = Math.max(position, upTo);
        final long dropBefore = position - keepBehind;
        final int drop = (int) Math.min(entries.size(), dropBefore - base);
        // drop in chunks, not one by one: removing from the front of a list copies the rest
        if (drop > 0 && (drop >= entries.size() / 2 || drop >= 4096)) {
            entries.subList(0, drop).clear();
            base += drop;
        }
        prefetch();
    }

    /** The node's last msg_id now: a READ of nothing, whose answer carries last_id. */
    long lastIdNow() {
        if (inFlight != null) {
            await(); // not cancelled: a cancelled READ's page would never be released
        }
        inFlightFrom = 1;
        inFlight = link.client().read(1, 0);
        return await().lastId();
    }

    /** Its last_id went down while it was read (its log was cut back), to this; -1 if it never did. */
    long shrankTo() {
        return shrankTo;
    }

    /** Highest last_id it answered with. */
    long highestLastId() {
        return highestLastId;
    }
}
