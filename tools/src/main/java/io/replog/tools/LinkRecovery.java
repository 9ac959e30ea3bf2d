package io.replog.tools;

import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How {@link PipelinedAppender} gets a link to the master, first and again after a loss: to the one server it was
 * given (reconnect with exponential backoff), or, with {@code --server a,b,c}, to whichever node leads now
 * ({@link MasterFinder}). Both give up after --reconnect-for-ms counted from the first loss since the node last
 * answered, so a node that drops every connection gets a few attempts, not a storm. Re-sending what was not
 * answered stays with the appender, which owns the window.
 */
final class LinkRecovery {
    private static final long FIRST_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 2_000;

    /** A working link again, and what it took, for the line on stderr. */
    record Recovered(NodeLink link, String how) {
    }

    private final Logctl options;
    private final PrintWriter err;
    /** Finds and follows the master with --server a,b,c; null for one server. */
    private final MasterFinder finder;
    /** When the connection was first lost since the node last answered (System.nanoTime), or 0. */
    private long outageSince;
    /** Pause before the next reconnect attempt of this outage. */
    private long backoffMs;

    LinkRecovery(final Logctl options, final PrintWriter err) {
        this.options = options;
        this.err = err;
        if (options.isList()) {
            options.checkTimeouts();
            this.finder = new MasterFinder(options);
        } else {
            this.finder = null;
        }
    }

    /** The first link: the master of the list, or the one server, refused when it is a secondary. */
    NodeLink open() throws InterruptedException {
        if (finder != null) {
            return finder.find(null, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.reconnectForMs),
                options.reconnectForMs == 0);
        }
        final NodeLink link = options.open();
        if ("secondary".equals(link.role())) {
            link.close();
            throw new CommandFailure(ErrorCode.name(ErrorCode.NOT_MASTER) + ": " + options.server
                + " is a secondary; appends go to the master");
        }
        return link;
    }

    /** Whether a NOT_MASTER means "send it to the new master" (a list of nodes) rather than a refusal. */
    boolean followsMaster() {
        return finder != null;
    }

    /** The node answered: the next loss starts a new outage, with a fresh reconnect window and no backoff. */
    void answered() {
        outageSince = 0;
    }

    /**
     * A link again after {@code lost} (closed already) failed with {@code why}; {@code oldest} and {@code
     * unconfirmed} name what was left without an answer if it gives up.
     */
    Recovered recover(final NodeLink lost, final ReplogException why, final String oldest,
                      final Supplier<String> unconfirmed) throws InterruptedException {
        return finder == null ? reconnect(why, oldest, unconfirmed) : followMaster(lost.server(), why, unconfirmed);
    }

    private Recovered reconnect(final ReplogException why, final String oldest, final Supplier<String> unconfirmed)
        throws InterruptedException {
        if (options.reconnectForMs == 0) {
            throw new CommandFailure(oldest + ": " + why + "; not reconnecting (--reconnect-for-ms 0; "
                + unconfirmed.get() + ")");
        }
        if (outageSince == 0) {
            outageSince = System.nanoTime();
            backoffMs = 0;
        }
        final long deadline = outageSince + TimeUnit.MILLISECONDS.toNanos(options.reconnectForMs);
        Logctl.fail(err, "connection lost (" + why + "); reconnecting");
        RuntimeException last = why;
        int attempt = 0;
        while (true) {
            final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new CommandFailure("gave up reconnecting to " + options.server + " after " + attempt
                    + " attempt(s): no answer for --reconnect-for-ms " + options.reconnectForMs + " ("
                    + (last instanceof CommandFailure ? last.getMessage() : last.toString()) + "; "
                    + unconfirmed.get() + ")");
            }
            Thread.sleep(Math.min(backoffMs, left));
            backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            attempt++;
            try {
                return new Recovered(options.open(), "reconnected after " + attempt + " attempt(s)");
            } catch (ReplogException | CommandFailure e) {
                last = e;
            }
        }
    }

    /** Finds the master again, first where a NOT_MASTER says it is; one line on stderr per switch. */
    private Recovered followMaster(final String previous, final ReplogException why,
                                   final Supplier<String> unconfirmed) throws InterruptedException {
        final boolean once = options.reconnectForMs == 0;
        if (outageSince == 0) {
            outageSince = System.nanoTime();
            backoffMs = 0;
        } else {
            // the node found last time failed again before answering anything: do not hammer a stale master
            backoffMs = backoffMs == 0 ? MasterFinder.FIRST_BACKOFF_MS
                : Math.min(MasterFinder.MAX_BACKOFF_MS, backoffMs * 2);
            final long left = TimeUnit.NANOSECONDS.toMillis(outageSince
                + TimeUnit.MILLISECONDS.toNanos(options.reconnectForMs) - System.nanoTime());
            Thread.sleep(Math.max(0, Math.min(backoffMs, left)));
        }
        final long deadline = outageSince + TimeUnit.MILLISECONDS.toNanos(options.reconnectForMs);
        if (!once && System.nanoTime() - deadline >= 0) {
            // masters were found, but none answered: give up as when none is found
            throw new CommandFailure("gave up after losing the master " + previous + " (" + why + "): no master "
                + "answered for --reconnect-for-ms " + options.reconnectForMs + "; " + unconfirmed.get());
        }
        final String hint = why.code() == ErrorCode.NOT_MASTER ? MasterFinder.masterAt(why.getMessage()) : null;
        final NodeLink link;
        try {
            link = finder.find(hint, deadline, once);
        } catch (CommandFailure e) {
            throw new CommandFailure("gave up after losing the master " + previous + " (" + why + "): "
                + e.getMessage() + "; " + unconfirmed.get());
        }
        final String change = link.server().equals(previous) ? "master is still " + previous + ", reconnected"
            : "master is now " + link.server();
        return new Recovered(link, change + " (after " + previous + ": " + why + ")");
    }
}
