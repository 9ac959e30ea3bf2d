package io.replog.node.history;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that happened in a history run, as Jepsen records it: each client operation with when it was invoked
 * and when (and how) it completed, each read with what it returned, each fault the nemesis caused, and at the end
 * every node's log. Times are milliseconds since the run started, on one clock (the test's). Thread-safe: clients,
 * readers and the nemesis record concurrently. Saved as one JSON object per line, so the checker can be run again
 * on a saved run ({@link #load}).
 */
final class History {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How an operation ended, as the client saw it. */
    enum Outcome {
        /** Answered with a msg_id. */
        OK,
        /** Definitely not stored: every attempt was refused before the node stored anything. */
        FAIL,
        /** Unknown: stored or not (a lost connection, a timeout, a master that stepped down while it waited). */
        INFO
    }

    /**
     * One append, with all its attempts (a tagged append whose outcome was unknown is sent again, with the same tag,
     * to the master of the moment). {@code clientId} 0: untagged.
     */
    record Append(int index, String process, String value, int w, long clientId, long seq, double invokeMs,
                  double completeMs, Outcome outcome, long msgId, int attempts, String lastNode, String error) {
    }

    /**
     * One read that a node answered: {@code values} are the messages from msg_id {@code from} on, in order (a page may
     * hold fewer than were asked for); {@code lastId} the highest msg_id the node said it could serve (null in a
     * history saved before it was recorded).
     */
    record Read(int index, String process, String node, long from, double invokeMs, double completeMs,
                List<String> values, Long lastId) {
    }

    /** A fault the nemesis caused or healed. */
    record Fault(double atMs, String what) {
    }

    /** One node's whole log at the end of the run, or why it could not be read. */
    record FinalLog(String node, List<String> values, String error) {
    }

    /**
     * The whole run, as saved. {@code mode}: the cluster's (null in a history saved before fixed roles had runs of
     * their own: a failover cluster's).
     */
    record Saved(long seed, String brokenRule, HistoryCluster.Mode mode, int nodes, long finalEpoch,
                 List<Append> appends, List<Read> reads, List<Fault> faults, List<FinalLog> finalLogs) {
        Saved {
            mode = mode == null ? HistoryCluster.Mode.FAILOVER : mode;
        }
    }

    private final long startNanos = System.nanoTime();
    private final List<Append> appends = new ArrayList<>();
    private final List<Read> reads = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();

    double nowMs() {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    synchronized int nextIndex() {
        return appends.size() + reads.size() + faults.size();
    }

    synchronized void append(final Append append) {
        appends.add(append);
    }

    synchronized void read(final Read read) {
        reads.add(read);
    }

    synchronized void fault(final String what) {
        faults.add(new Fault(nowMs(), what));
    }

    synchronized List<Append> appends() {
        return List.copyOf(appends);
    }

    synchronized List<Read> reads() {
        return List.copyOf(reads);
    }

    synchronized List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** Writes {@code saved} as JSON lines: the header, then one line per operation, fault and final log. */
    static void save(final Saved saved, final Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(JSON.writeValueAsString(new Saved(saved.seed(), saved.brokenRule(), saved.mode(),
                saved.nodes(), saved.finalEpoch(), List.of(), List.of(), List.of(), List.of())));
            out.newLine();
            for (final Append a : saved.appends()) {
                line(out, "append", a);
            }
            for (final Read r : saved.reads()) {
                line(out, "read", r);
            }
            for (final Fault f : saved.faults()) {
                line(out, "fault", f);
            }
            for (final FinalLog l : saved.finalLogs()) {
                line(out, "final", l);
            }
        }
    }

    private static void line(final BufferedWriter out, final String type, final Object value) throws IOException {
        out.write("{\"type\":\"" + type + "\",\"op\":" + JSON.writeValueAsString(value) + "}");
        out.newLine();
    }

    /** Reads a run {@link #save} wrote. */
    static Saved load(final Path file) throws IOException {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        final Saved header = JSON.readValue(lines.get(0), Saved.class);
        final List<Append> appends = new ArrayList<>();
        final List<Read> reads = new ArrayList<>();
        final List<Fault> faults = new ArrayList<>();
        final List<FinalLog> logs = new ArrayList<>();
        for (final String line : lines.subList(1, lines.size())) {
            final var node = JSON.readTree(line);
            final var op = node.get("op");
            switch (node.get("type").asText()) {
                case "append" -> appends.add(JSON.treeToValue(op, Append.class));
                case "read" -> reads.add(JSON.treeToValue(op, Read.class));
                case "fault" -> faults.add(JSON.treeToValue(op, Fault.class));
                case "final" -> logs.add(JSON.treeToValue(op, FinalLog.class));
                default -> throw new IOException("unknown line in " + file + ": " + line);
            }
        }
        return new Saved(header.seed(), header.brokenRule(), header.mode(), header.nodes(), header.finalEpoch(),
            appends, reads, faults, logs);
    }
}
