package io.replog.tools;

import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code logctl append}: one message from the command line, or every line of stdin, pipelined. Every append is
 * tagged (a random client id, the line number as seq), so when the connection breaks logctl reconnects and sends
 * the unanswered ones again without any being stored twice.
 */
@Command(name = "append", mixinStandardHelpOptions = true,
    description = "Append a message and print its msg_id. With no message or '-', append each line of stdin "
        + "(pipelined) and print one msg_id per line, in input order. Survives broken connections: unanswered "
        + "appends are re-sent and never stored twice.")
final class AppendCommand implements Callable<Integer> {
    /** Stdin lines in flight at once: deep enough to hide round trips, well inside the master's dedup window. */
    static final int WINDOW = 1024;
    /** How long logctl keeps trying to reconnect before it gives up. */
    static final long RECONNECT_FOR_MS = 60_000;

    @ParentCommand
    Logctl parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-w", "--w"}, defaultValue = "1",
        description = "Write concern: copies that must exist before the answer (default ${DEFAULT-VALUE}).")
    int w;

    @Option(names = "--timeout-ms", defaultValue = "0",
        description = "Give up waiting for the write concern after this long (0: wait; default ${DEFAULT-VALUE}). "
            + "The message stays in the log either way.")
    int timeoutMs;

    @Parameters(arity = "0..1", paramLabel = "MESSAGE", description = "The message; '-' or none reads stdin.")
    String message;

    private final long clientId = new SecureRandom().nextLong() | 1;
    private ReplogClient client;
    private PrintWriter err;

    /** One tagged append until it is answered; sent again, same seq, after a reconnect. */
    private static final class Attempt {
        final long seq;
        final byte[] payload;
        CompletableFuture<Long> answer;

        Attempt(final long seq, final byte[] payload) {
            this.seq = seq;
            this.payload = payload;
        }
    }

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        client = parent.connect();
        try {
            final ArrayDeque<Attempt> window = new ArrayDeque<>();
            int failures = 0;
            if (message != null && !"-".equals(message)) {
                window.add(send(new Attempt(1, message.getBytes(StandardCharsets.UTF_8))));
                failures += answerOldest(window, out);
                out.flush();
                return failures == 0 ? 0 : Logctl.EXIT_FAILED;
            }
            final BufferedReader in = new BufferedReader(new InputStreamReader(parent.stdin, StandardCharsets.UTF_8));
            long seq = 0;
            String text;
            while ((text = in.readLine()) != null) {
                if (window.size() >= WINDOW) {
                    failures += answerOldest(window, out);
                }
                window.add(send(new Attempt(++seq, text.getBytes(StandardCharsets.UTF_8))));
            }
            while (!window.isEmpty()) {
                failures += answerOldest(window, out);
            }
            out.flush();
            return failures == 0 ? 0 : Logctl.EXIT_FAILED;
        } finally {
            client.close();
        }
    }

    private Attempt send(final Attempt attempt) {
        attempt.answer = client.append(attempt.payload, w, timeoutMs, clientId, attempt.seq);
        return attempt;
    }

    /** Prints the oldest answer (0 failures) or its error (1), reconnecting first if the connection broke. */
    private int answerOldest(final ArrayDeque<Attempt> window, final PrintWriter out) throws InterruptedException {
        final Attempt oldest = window.peek();
        while (true) {
            try {
                out.println(oldest.answer.join());
                window.poll();
                return 0;
            } catch (CompletionException e) {
                final Throwable cause = e.getCause();
                if (cause instanceof ReplogException r && r.code() == ReplogException.CONNECTION_LOST) {
                    out.flush();
                    reconnectAndResend(window, r);
                    continue;
                }
                window.poll();
                out.flush();
                Logctl.fail(err, "line " + oldest.seq + ": " + cause);
                return 1;
            }
        }
    }

    private void reconnectAndResend(final ArrayDeque<Attempt> window, final ReplogException why)
        throws InterruptedException {
        client.close();
        Logctl.fail(err, "connection lost (" + why.getMessage() + "); reconnecting");
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECONNECT_FOR_MS);
        long backoffMs = 50;
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                client = parent.connect();
                break;
            } catch (ReplogException e) {
                if (System.nanoTime() > deadline) {
                    throw new ReplogException(ReplogException.CONNECTION_LOST,
                        "gave up reconnecting after " + attempt + " attempts: " + e.getMessage());
                }
                Thread.sleep(backoffMs);
                backoffMs = Math.min(2_000, backoffMs * 2);
            }
        }
        int resent = 0;
        for (final Attempt a : window) {
            if (a.answer.isCompletedExceptionally()) {
                send(a);
                resent++;
            }
        }
        Logctl.fail(err, "reconnected after " + attempt + " attempt(s); re-sent " + resent
            + " unanswered append(s) with their original ids, so none is stored twice");
    }
}
