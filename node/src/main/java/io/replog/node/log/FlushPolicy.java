package io.replog.node.log;

import java.util.Locale;

/**
 * When a {@link FileLogStore} forces its writes to disk, and so when an entry counts as stored
 * ({@link LogStore#durableId()}):
 * <ul>
 *   <li>{@code batch} (the default): an entry is durable once an fsync covered it; one flusher thread fsyncs for
 *       every commit made while the previous fsync ran (group commit, as BookKeeper's journal).</li>
 *   <li>{@code interval:MS}: durable once committed; a timer fsyncs every MS milliseconds (Kafka's
 *       {@code flush.ms}). A machine crash loses up to MS ms of acknowledged entries.</li>
 *   <li>{@code never}: durable once committed; the OS writes the pages back when it likes (Kafka's default).</li>
 * </ul>
 * {@link FileLogStore#close()} fsyncs under every policy.
 *
 * @param kind       which policy
 * @param intervalMs the timer's period for {@link Kind#INTERVAL}, 0 otherwise
 */
public record FlushPolicy(Kind kind, long intervalMs) {
    /** The policies. */
    public enum Kind { BATCH, INTERVAL, NEVER }

    public static final FlushPolicy BATCH = new FlushPolicy(Kind.BATCH, 0);
    public static final FlushPolicy NEVER = new FlushPolicy(Kind.NEVER, 0);

    public FlushPolicy {
        if (kind == null) {
            throw new IllegalArgumentException("flush policy kind is null");
        }
        if (kind == Kind.INTERVAL ? intervalMs < 1 : intervalMs != 0) {
            throw new IllegalArgumentException("flush interval " + intervalMs + " ms for " + kind
                + " (interval needs 1 ms or more, the others none)");
        }
    }

    /** Fsync every {@code ms} milliseconds. */
    public static FlushPolicy interval(final long ms) {
        return new FlushPolicy(Kind.INTERVAL, ms);
    }

    /**
     * Parses {@code batch}, {@code interval:MS} or {@code never} (case-insensitive), the form {@link #toString()}
     * gives.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static FlushPolicy parse(final String text) {
        final String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if ("batch".equals(t)) {
            return BATCH;
        }
        if ("never".equals(t)) {
            return NEVER;
        }
        if (t.startsWith("interval:")) {
            final long ms;
            try {
                ms = Long.parseLong(t.substring("interval:".length()));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
            if (ms < 1) {
                throw invalid(text);
            }
            return interval(ms);
        }
        throw invalid(text);
    }

    private static IllegalArgumentException invalid(final String text) {
        return new IllegalArgumentException("invalid flush policy '" + text
            + "': expected batch, interval:MS (MS a whole number of milliseconds, 1 or more) or never");
    }

    @Override
    public String toString() {
        return kind == Kind.INTERVAL ? "interval:" + intervalMs : kind.name().toLowerCase(Locale.ROOT);
    }
}
