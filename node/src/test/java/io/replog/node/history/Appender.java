package io.replog.node.history;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client of a history run: appends unique messages one at a time, each with a random w (1..cluster size),
 * tagged or not, to the node it believes is master, following {@code NOT_MASTER}. An append refused before anything
 * was stored (NOT_MASTER from a node that is not master, OVERLOADED, a node that refused the connection; with fixed
 * roles READ_ONLY from the master, which stays master, without a quorum or still taking back its tail) is sent
 * again, as nothing can double. An append whose outcome is unknown (a lost connection, no answer in time, TIMEOUT:
 * stored but w not reached, a master that stepped down while it waited) is sent again with the same tag to the
 * master of the moment when it is tagged, and recorded as unknown when it is not. Every answer a client is not
 * supposed to get (INVALID_REQUEST, an unknown code) is recorded as such: the checker reports it.
 */
final class Appender implements Runnable {
    /** "(node 2, epoch 7)" in a NOT_MASTER text: the master by id (its address there is a proxy's). */
    private static final Pattern MASTER_ID = Pattern.compile("\\(node (\\d+), epoch \\d+\\)");
    /** The NOT_MASTER a waiting append gets when its master steps down: it is stored, its fate unknown. */
    private static final String STEPPED_DOWN = "may or may not survive";
    /** Tagged appends give up after this many attempts (recorded as unknown). */
    private static final int MAX_ATTEMPTS = 40;
    /** The node's own bound on the wait for w (TIMEOUT past it: stored, w not reached). */
    static final long SERVER_TIMEOUT_MS = 1_500;
    /** The client's bound: longer than the node's, so past it the node is paused, cut off or gone. */
    static final long CLIENT_TIMEOUT_MS = 4_000;

    private final HistoryCluster cluster;
    private final History history;
    private final String process;
    private final long clientId;
    private final Random random;
    private final Map<Integer, ReplogClient> clients = new HashMap<>();
    private volatile boolean stop;
    private int target;
    private long seq;

    Appender(final HistoryCluster cluster, final History history, final int number, final long seed) {
        this.cluster = cluster;
        this.history = history;
        this.process = "client-" + number;
        this.clientId = 1_000_000L * (seed & 0xFFFF) + number + 1;
        this.random = new Random(seed * 31 + number);
        this.target = cluster.ids().get(number % cluster.size());
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                appendOne();
            }
        } finally {
            clients.values().forEach(ReplogClient::close);
        }
    }

    private void appendOne() {
        seq++;
        final String value = process + "-" + seq;
        final int w = 1 + random.nextInt(cluster.size());
        final boolean tagged = random.nextBoolean();
        final int index = history.nextIndex();
        final double invoked = history.nowMs();
        boolean unknown = false;
        String error = null;
        int attempts = 0;
        while (true) {
            attempts++;
            final int node = target;
            final Attempt attempt = attempt(node, value, w, tagged);
            if (attempt.msgId > 0) {
                record(index, value, w, tagged, invoked, History.Outcome.OK, attempt.msgId, attempts, node, null);
                return;
            }
            error = attempt.error;
            unknown |= attempt.unknown;
            if (attempt.unexpected) {
                record(index, value, w, tagged, invoked, unknown ? History.Outcome.INFO : History.Outcome.FAIL, 0,
                    attempts, node, "UNEXPECTED " + error);
                return;
            }
            if (attempt.unknown && !tagged) {
                break; // not safe to send again: it could be stored twice
            }
            if (stop || attempts >= MAX_ATTEMPTS) {
                break;
            }
            target = attempt.redirect != 0 ? attempt.redirect : next(node);
            if (attempt.redirect == 0 || attempt.redirect == node) {
                pause(20 + random.nextInt(30));
            }
        }
        record(index, value, w, tagged, invoked, unknown ? History.Outcome.INFO : History.Outcome.FAIL, 0, attempts,
            target, error);
    }

    private void record(final int index, final String value, final int w, final boolean tagged, final double invoked,
                        final History.Outcome outcome, final long msgId, final int attempts, final int node,
                        final String error) {
        history.append(new History.Append(index, process, value, w, tagged ? clientId : 0, tagged ? seq : 0, invoked,
            history.nowMs(), outcome, msgId, attempts, cluster.address(node), error));
    }

    /**
     * One attempt's result: a msg_id, or why not, whether it may be stored, and where the master is said to be (the
     * node itself: it is master but refused for now).
     */
    private record Attempt(long msgId, String error, boolean unknown, boolean unexpected, int redirect) {
        static Attempt ok(final long msgId) {
            return new Attempt(msgId, null, false, false, 0);
        }
    }

    private Attempt attempt(final int node, final String value, final int w, final boolean tagged) {
        final ReplogClient client;
        try {
            client = client(node);
        } catch (ReplogException e) {
            return new Attempt(0, "cannot connect: " + e.getMessage(), false, false, 0);
        }
        try {
            return Attempt.ok(client.append(value.getBytes(StandardCharsets.UTF_8), w, SERVER_TIMEOUT_MS,
                tagged ? clientId : 0, tagged ? seq : 0).get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            drop(node);
            return new Attempt(0, "no answer within " + CLIENT_TIMEOUT_MS + " ms", true, false, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop = true;
            return new Attempt(0, "interrupted", true, false, 0);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof ReplogException r)) {
                drop(node);
                return new Attempt(0, String.valueOf(e.getCause()), true, true, 0);
            }
            return answered(node, r);
        }
    }

    private Attempt answered(final int node, final ReplogException r) {
        final String error = ErrorCode.name(r.code()) + ": " + r.getMessage();
        switch (r.code()) {
            case ErrorCode.NOT_MASTER -> {
                final Matcher at = MASTER_ID.matcher(r.getMessage());
                final int master = at.find() ? Integer.parseInt(at.group(1)) : 0;
                final boolean stored = r.getMessage().contains(STEPPED_DOWN);
                return new Attempt(0, error, stored, false, master != node ? master : 0);
            }
            case ErrorCode.OVERLOADED -> {
                return new Attempt(0, error, false, false, 0);
            }
            case ErrorCode.READ_ONLY -> {
                // a static master refuses before it stores anything; a failover master steps down instead
                final boolean fixed = cluster.mode() == HistoryCluster.Mode.FIXED_ROLES;
                return new Attempt(0, error, false, !fixed, fixed ? node : 0);
            }
            case ErrorCode.TIMEOUT, ErrorCode.SHUTTING_DOWN, ErrorCode.STORAGE_FAILED -> {
                return new Attempt(0, error, true, false, 0);
            }
            case ReplogException.CONNECTION_LOST -> {
                drop(node);
                return new Attempt(0, error, true, false, 0);
            }
            default -> {
                drop(node);
                return new Attempt(0, error, true, true, 0);
            }
        }
    }

    private ReplogClient client(final int node) {
        ReplogClient client = clients.get(node);
        if (client != null && !client.isConnected()) {
            client.close();
            client = null;
        }
        if (client == null) {
            client = cluster.connect(node);
            clients.put(node, client);
        }
        return client;
    }

    private void drop(final int node) {
        final ReplogClient client = clients.remove(node);
        if (client != null) {
            client.close();
        }
    }

    private int next(final int node) {
        final List<Integer> ids = cluster.ids();
        return ids.get((ids.indexOf(node) + 1 + random.nextInt(ids.size() - 1)) % ids.size());
    }

    private static void pause(final long ms) {
        try {
            Thread.sleep(ms); // pacing a client's retries, not waiting for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
