package io.replog.tools;

import io.netty.handler.ssl.SslContext;
import io.replog.protocol.ReplogException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the master of a failover cluster from {@code --server a,b,c}: asks each node for its HEALTH, in order (a
 * hinted address first), and follows a secondary's word on where the master is, even to an address that is not in
 * the list. When no node is the master (an election is under way) it tries the list again after a pause of 50 ms
 * doubling to 1 s, until its deadline.
 */
final class MasterFinder {
    static final long FIRST_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 1_000;
    /** "master at HOST:PORT" in a NOT_MASTER text, or in what a secondary says. */
    private static final Pattern MASTER_AT = Pattern.compile("master at ([^\\s(;,]+)");

    private final Logctl options;
    private final List<String> servers;
    private final SslContext tls;
    /** Why the last search found no master, for the message that gives up. */
    private String lastWhy = "";

    MasterFinder(final Logctl options) {
        this.options = options;
        this.servers = options.servers();
        this.tls = options.tlsContext();
    }

    /** The address a NOT_MASTER text names as the master's, or null. */
    static String masterAt(final String text) {
        if (text == null) {
            return null;
        }
        final Matcher m = MASTER_AT.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /**
     * A link to a node that says it is the master.
     *
     * @param hint          where the master probably is (tried first), or null
     * @param deadlineNanos give up at this System.nanoTime()
     * @param once          go through the list once only (--reconnect-for-ms 0)
     * @throws CommandFailure no master found by the deadline
     */
    NodeLink find(final String hint, final long deadlineNanos, final boolean once) throws InterruptedException {
        long backoffMs = 0;
        int rounds = 0;
        while (true) {
            rounds++;
            final NodeLink link = round(hint);
            if (link != null) {
                return link;
            }
            final long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (once || left <= 0) {
                throw new CommandFailure("no master found among " + String.join(",", servers) + " after " + rounds
                    + " round(s) in " + (once ? "one try (--reconnect-for-ms 0)" : "--reconnect-for-ms "
                    + options.reconnectForMs) + " (" + lastWhy + ")");
            }
            backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            Thread.sleep(Math.min(backoffMs, left));
        }
    }

    /** One pass over the hint, the list and whatever the nodes name as master; null when none is the master. */
    private NodeLink round(final String hint) {
        final Deque<String> queue = new ArrayDeque<>();
        if (hint != null) {
            queue.add(hint);
        }
        queue.addAll(servers);
        final Set<String> tried = new LinkedHashSet<>();
        final StringBuilder why = new StringBuilder();
        while (!queue.isEmpty()) {
            final String node = queue.poll();
            if (!tried.add(node)) {
                continue;
            }
            final NodeLink link;
            try {
                link = options.open(node, tls);
            } catch (ReplogException | CommandFailure e) {
                append(why, node + ": " + Logctl.describe(e));
                continue;
            }
            if ("master".equals(link.role())) {
                return link;
            }
            final String named = link.health().path("master").textValue();
            link.close();
            if (named != null && !named.equals(node)) {
                append(why, node + " is a secondary (master at " + named + ")");
                if (!tried.contains(named)) {
                    queue.addFirst(named);
                }
            } else {
                append(why, node + " is a secondary and knows no master");
            }
        }
        lastWhy = why.toString();
        return null;
    }

    private static void append(final StringBuilder why, final String what) {
        why.append(why.length() == 0 ? "" : "; ").append(what);
    }
}
