package io.replog.tools;

import io.replog.protocol.Read;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReadResult;
import io.replog.protocol.client.ReplogClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code logctl tail}: the last messages of a node's log and, with {@code -f}, every new one as the node stores it.
 * Following is a long poll (a READ with flag WAIT, answered by the node the moment it serves the next msg_id), never
 * a sleep loop; after a lost connection it reconnects and goes on after the last msg_id it printed, so no message
 * is skipped or printed twice.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print the last messages of the node's log (as 'list' does), and with -f every new one as the node "
        + "stores it, until interrupted.")
final class TailCommand implements Callable<Integer> {
    /** Longest backoff between reconnection attempts. */
    private static final long MAX_BACKOFF_MS = 2_000;

    @ParentCommand
    Logctl parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new messages as they are stored.")
    boolean follow;

    static final class Start {
        @Option(names = "--from", paramLabel = "ID", description = "Start at this msg_id.")
        Long from;

        @Option(names = {"-n", "--last"}, paramLabel = "N", description = "Start with the last N messages "
            + "(default 10).")
        Long last;
    }

    @ArgGroup(exclusive = true)
    Start start = new Start();

    @Option(names = "--json", description = "One JSON object per line: {\"msg_id\":1,\"message\":\"…\"}.")
    boolean json;

    @Option(names = "--wait-ms", defaultValue = "30000", paramLabel = "MS",
        description = "-f: how long each READ waits at the node for a new message before it is asked again "
            + "(1..60000, default ${DEFAULT-VALUE}); only the idle traffic depends on it, not how fast messages "
            + "arrive.")
    long waitMs;

    /** The msg_id after the last one printed: where a READ (the first, or one after a reconnect) goes on. */
    private long next;
    /** The last printed msg_id a cut-back warning was given for, so it is given once. */
    private long warnedCutAt = -1;

    @Override
    public Integer call() throws Exception {
        if (start.from != null && start.from < 1 || start.last != null && start.last < 0) {
            throw new ParameterException(spec.commandLine(), "--from must be >= 1 and --last >= 0");
        }
        if (waitMs < 1 || waitMs > Read.MAX_WAIT_MS) {
            throw new ParameterException(spec.commandLine(), "--wait-ms must be between 1 and " + Read.MAX_WAIT_MS);
        }
        final MessageLines out = new MessageLines(spec.commandLine().getOut(), json);
        NodeLink link = parent.open();
        try {
            next = firstId(link);
            while (true) {
                try {
                    printFrom(link, out);
                    if (!follow) {
                        return 0;
                    }
                } catch (ReplogException | CommandFailure.NoAnswer e) {
                    if (!follow || e instanceof ReplogException r && r.code() != ReplogException.CONNECTION_LOST) {
                        throw e;
                    }
                    link.close();
                    link = reconnect(e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0; // stopped: what was printed is complete up to its last line
        } finally {
            out.flush();
            link.close();
        }
    }

    /** Where to start: --from, or the last N (10 unless told) of what the node serves now. */
    private long firstId(final NodeLink link) throws InterruptedException {
        if (start.from != null) {
            return start.from;
        }
        final long last = link.answer(link.client().read(1, 0), "READ").lastId();
        return Math.max(1, last - (start.last == null ? 10 : start.last) + 1);
    }

    /**
     * Prints pages from {@link #next} until the end of what the node serves (without -f), or forever (with -f: each
     * READ waits at the node for the next message).
     */
    private void printFrom(final NodeLink link, final MessageLines out) throws Exception {
        while (true) {
            final long wait = follow ? waitMs : 0;
            final ReadResult page = link.answer(link.client().read(next, ReplogClient.READ_PAGE, wait), "READ", wait);
            for (final Message m : page.messages()) {
                out.print(m);
            }
            out.flush();
            next += page.messages().size();
            if (page.lastId() < next - 1 && next - 1 != warnedCutAt) {
                // the node's log went back below what was printed (a secondary rolled back, another node after a
                // reconnect): what it holds there now may differ from what was printed; say so, then wait for more
                warnedCutAt = next - 1;
                Logctl.fail(spec.commandLine().getErr(), parent.server + " now ends at msg_id " + page.lastId()
                    + ", before the last one printed (" + (next - 1) + "): its log was cut back; msg_ids "
                    + (page.lastId() + 1) + ".." + (next - 1) + " as printed may not be in the log any more");
            }
            if (!follow && (page.messages().isEmpty() || next > page.lastId())) {
                return;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Connects again, with a growing pause, for as long as --reconnect-for-ms allows without success. */
    private NodeLink reconnect(final String why) throws InterruptedException {
        final PrintWriter err = spec.commandLine().getErr();
        final long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(parent.reconnectForMs);
        long backoffMs = 50;
        String failure = why;
        Logctl.fail(err, "lost " + parent.server + " (" + why + "); reconnecting to go on from msg_id " + next);
        while (true) {
            if (System.nanoTime() - giveUpAt >= 0) {
                throw new CommandFailure("could not reconnect to " + parent.server + " within "
                    + parent.reconnectForMs + " ms (--reconnect-for-ms): " + failure);
            }
            TimeUnit.MILLISECONDS.sleep(backoffMs); // a pause between attempts to reach a node that is down
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            try {
                final NodeLink link = parent.open();
                Logctl.fail(err, "reconnected to " + parent.server + "; going on from msg_id " + next);
                return link;
            } catch (ReplogException | CommandFailure e) {
                failure = e.getMessage();
            }
        }
    }
}
