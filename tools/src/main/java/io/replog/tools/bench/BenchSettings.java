package io.replog.tools.bench;

/** What {@code logctl bench} was asked to do. */
public record BenchSettings(String op, int w, int size, int inflight, int connections, double rate,
                            long durationNanos, long messages, long warmupNanos) {

    public BenchSettings {
        if (!"append".equals(op) && !"ping".equals(op)) {
            throw new IllegalArgumentException("--op must be append or ping, got " + op);
        }
        if (inflight < 1 || inflight > 60_000 || connections < 1 || size < 0 || rate < 0 || messages < 0) {
            throw new IllegalArgumentException("need 1 <= inflight <= 60000, connections >= 1, size >= 0, "
                + "rate >= 0, messages >= 0");
        }
    }

    boolean ping() {
        return "ping".equals(op);
    }

    /** "10s", "500ms", "2m", or plain seconds, in nanoseconds. */
    public static long parseDuration(final String text) {
        final String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Long.parseLong(t.substring(0, t.length() - 2)) * 1_000_000L;
            }
            if (t.endsWith("s")) {
                return (long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9);
            }
            if (t.endsWith("m")) {
                return (long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 60e9);
            }
            return (long) (Double.parseDouble(t) * 1e9);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (try 10s, 500ms, 1m)");
        }
    }
}
