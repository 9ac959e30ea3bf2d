package io.replog.tools;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Compares one node's log with the master's, streaming, in bounded memory: the heart of {@code logctl verify}.
 *
 * <p>The caller walks the master's msg_ids 1, 2, 3, … and calls {@link #step} once for each; the diff keeps its own
 * position in the node's log. While the two agree both positions move together, and the node holds a prefix of
 * the master's log. The first msg_id where the node holds other bytes than the master is the
 * {@linkplain #firstDifference() first difference}: that alone makes the node diverged, compared byte by byte.
 *
 * <p>From there the diff tries to re-align the two logs, to tell the operator what kind of damage it is. Looking at
 * most {@link #window} messages ahead and behind in either log, each master message and each node message lands in
 * exactly one bucket:
 * <ul>
 *   <li><b>gap</b>: a master message the node does not hold (it holds later master messages after the hole);</li>
 *   <li><b>duplicate</b>: a node message that repeats a master message the node already holds (or holds again
 *       at its own place later);</li>
 *   <li><b>reordered</b>: a master message the node holds at another position (within the window);</li>
 *   <li><b>changed</b>: at a position where no re-alignment is found, the node holds a message the master does not
 *       have within the window, in place of the master's;</li>
 *   <li><b>extra</b>: a node message, inserted between messages the two logs share, that the master does not have
 *       within the window.</li>
 * </ul>
 * Re-alignment is greedy: at a mismatch it takes the nearest point where the two logs meet again, preferring to
 * call master messages missing over calling node messages extra when both are as near. Isolated faults (a message
 * lost, stored twice, two swapped, a lost or repeated batch of up to {@code window} messages) are counted exactly;
 * faults closer together than the window, or messages that repeat in the log itself, are counted as the greedy
 * alignment sees them. After {@code window} master messages in a row without any re-alignment the logs are taken to
 * be unrelated from there ({@link #unrelatedFrom()}) and the node is compared no further.
 *
 * <p>Positions compared while the logs are aligned are compared byte by byte. Lookups in the window compare
 * 64-bit hashes of the messages (the master's messages already passed keep only their hash), so a hash collision
 * (about one in 2^64 per pair) could put a message into the wrong bucket, never make two different aligned messages
 * equal.
 */
final class LogDiff {
    /**
     * Default look-around, in messages: the largest batch a master's sender ships in one APPEND_ENTRIES, so that a batch
     * lost or stored twice is still recognised as such.
     */
    static final int DEFAULT_WINDOW = 8192;

    /** One message as the diff sees it. */
    static final class Entry {
        final long id;
        final long hash;
        /** The message's bytes; null once its log's reader passed it (only the hash is kept behind). */
        byte[] payload;

        Entry(final long id, final byte[] payload) {
            this.id = id;
            this.payload = payload;
            this.hash = hash(payload);
        }
    }

    /** A log as the diff reads it: messages by msg_id, within a bounded window around where the walk is. */
    interface Window {
        /** The message at {@code id}, loaded if need be; null when the log holds nothing at {@code id}. */
        Entry need(long id);

        /**
         * The message at {@code id} if it is within reach without holding more than the reader's memory bound, or
         * still kept behind the walk (hash only); null otherwise (also past the log's end).
         */
        Entry peek(long id);
    }

    private final int window;
    /** The node's next msg_id not yet accounted for. */
    private long next = 1;
    private long firstDifference;
    private long unrelatedFrom;
    private boolean nodeEnded;
    private long aligned;
    private long gaps;
    private long duplicates;
    private long reordered;
    private long changed;
    private long extra;
    /** Master positions in a row with no re-alignment. */
    private int lostSteps;
    /** Master messages the node skipped, oldest first; a gap once the walk is {@code window} past them. */
    private final ArrayDeque<Entry> missing = new ArrayDeque<>();
    /** Master msg_id → copies of it the node held before the walk reached it. */
    private final Map<Long, Integer> early = new HashMap<>();

    LogDiff(final int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1");
        }
        this.window = window;
    }

    /**
     * Accounts for the master's message {@code i} (the walk calls this for i = 1, 2, 3, … in order, each once while
     * {@link #active()}), consuming the node's messages that go with it.
     *
     * @param master the master's log; must hold {@code i}
     */
    void step(final long i, final Window master, final Window node) {
        if (!active()) {
            return;
        }
        final Entry n = node.need(next);
        if (n == null) {
            // the node holds nothing more: the rest of the master's log is lag, not gaps
            nodeEnded = true;
            finish();
            return;
        }
        final Entry m = master.need(i);
        if (m == null) {
            throw new IllegalStateException("the master's log ends before msg_id " + i);
        }
        expireMissing(i);
        if (same(m, n)) {
            align(i);
            next++;
            return;
        }
        if (firstDifference == 0) {
            firstDifference = i; // every position before matched, so the node's position is i too
        }
        final Integer heldEarly = early.remove(i);
        if (heldEarly != null) {
            // the node held this message before the place the master has it
            reordered++;
            duplicates += heldEarly - 1;
            lostSteps = 0;
            return;
        }
        final int skip = findInMaster(master, i, n);
        final int insert = findInNode(node, m);
        if (skip > 0 && (insert == 0 || skip <= insert)) {
            // the node's message comes later in the master's log: the master's message i is not here
            missing.addLast(m);
            lostSteps = 0;
            return;
        }
        if (insert > 0) {
            // the node holds `insert` messages here that the master has not, then the master's message i
            for (int k = 0; k < insert; k++) {
                if (classify(node.need(next + k), i, master) == Kind.UNKNOWN) {
                    extra++;
                }
            }
            next += insert;
            align(i);
            next++;
            return;
        }
        // no re-alignment: the node holds another message in place of the master's
        if (classify(n, i, master) == Kind.UNKNOWN) {
            changed++;
        } else {
            missing.addLast(m); // the master's own may still turn up later in the node
        }
        next++;
        if (++lostSteps > window) {
            unrelatedFrom = i - window;
            finish();
        }
    }

    /** Ends the comparison (the walk is over, or the node ended): what is still pending gets its final bucket. */
    void finish() {
        gaps += missing.size(); // skipped while the node went on with later master messages
        missing.clear();
        for (final int copies : early.values()) {
            reordered++; // the node holds it, before the master's place for it (the walk stopped first)
            duplicates += copies - 1;
        }
        early.clear();
    }

    private enum Kind { REORDERED, EARLY, DUPLICATE, UNKNOWN }

    /** Puts the node message {@code x}, which has no aligned counterpart, into its bucket (UNKNOWN: the caller's). */
    private Kind classify(final Entry x, final long i, final Window master) {
        for (final Iterator<Entry> it = missing.iterator(); it.hasNext(); ) {
            if (same(it.next(), x)) {
                it.remove();
                reordered++;
                return Kind.REORDERED;
            }
        }
        for (int s = 1; s <= window; s++) {
            final Entry ahead = master.peek(i + s);
            if (ahead == null) {
                break;
            }
            if (same(ahead, x)) {
                early.merge(i + s, 1, Integer::sum);
                return Kind.EARLY;
            }
        }
        for (int s = 1; s <= window && i - s >= 1; s++) {
            final Entry behind = master.peek(i - s);
            if (behind == null) {
                break;
            }
            if (same(behind, x)) {
                duplicates++;
                return Kind.DUPLICATE;
            }
        }
        return Kind.UNKNOWN;
    }

    private void align(final long i) {
        aligned++;
        lostSteps = 0;
        final Integer heldEarly = early.remove(i);
        if (heldEarly != null) {
            duplicates += heldEarly; // it is here as well: the earlier copies were extra ones
        }
    }

    private void expireMissing(final long i) {
        while (!missing.isEmpty() && missing.peekFirst().id < i - window) {
            missing.pollFirst();
            gaps++;
        }
    }

    /** Smallest s in 1..window with master message i+s equal to {@code n}; 0 if none in reach. */
    private int findInMaster(final Window master, final long i, final Entry n) {
        for (int s = 1; s <= window; s++) {
            final Entry e = master.peek(i + s);
            if (e == null) {
                return 0;
            }
            if (same(e, n)) {
                return s;
            }
        }
        return 0;
    }

    /** Smallest s in 1..window with node message next+s equal to {@code m}; 0 if none in reach. */
    private int findInNode(final Window node, final Entry m) {
        for (int s = 1; s <= window; s++) {
            final Entry e = node.peek(next + s);
            if (e == null) {
                return 0;
            }
            if (same(e, m)) {
                return s;
            }
        }
        return 0;
    }

    /** Byte for byte when both still hold their bytes (always so for aligned positions), else by hash. */
    static boolean same(final Entry a, final Entry b) {
        if (a.hash != b.hash) {
            return false;
        }
        return a.payload == null || b.payload == null || Arrays.equals(a.payload, b.payload);
    }

    /** False once the node ended or the logs were found unrelated: no more steps needed. */
    boolean active() {
        return !nodeEnded && unrelatedFrom == 0;
    }

    /** The node's next msg_id not yet accounted for: its reader may forget everything before it. */
    long nextNodeId() {
        return next;
    }

    /** First msg_id at which the node holds other bytes than the master; 0 if none (so far). */
    long firstDifference() {
        return firstDifference;
    }

    /** First master msg_id of the run after which nothing re-aligned; 0 if the logs never looked unrelated. */
    long unrelatedFrom() {
        return unrelatedFrom;
    }

    boolean nodeEnded() {
        return nodeEnded;
    }

    long aligned() {
        return aligned;
    }

    long gaps() {
        return gaps;
    }

    long duplicates() {
        return duplicates;
    }

    long reordered() {
        return reordered;
    }

    long changed() {
        return changed;
    }

    long extra() {
        return extra;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
        ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    /** A 64-bit hash of a message (MurmurHash3's mixing, 8 bytes at a time); stable, not cryptographic. */
    static long hash(final byte[] b) {
        long h = 0x9E3779B97F4A7C15L;
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            h ^= mix((long) LONGS.get(b, i));
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        long tail = 0;
        for (int shift = 0; i < b.length; i++, shift += 8) {
            tail |= (b[i] & 0xffL) << shift;
        }
        h ^= mix(tail);
        return fmix(h ^ b.length);
    }

    private static long mix(final long k) {
        return Long.rotateLeft(k * C1, 31) * C2;
    }

    private static long fmix(final long k) {
        long h = k;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9a53fe1a85bL;
        h ^= h >>> 33;
        return h;
    }
}
