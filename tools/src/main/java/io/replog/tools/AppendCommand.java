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
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** {@code logctl append}: one message from the command line, or every line of stdin, pipelined. */
@Command(name = "append", mixinStandardHelpOptions = true,
    description = "Append a message and print its msg_id. With no message or '-', append each line of stdin "
        + "(pipelined) and print one msg_id per line, in input order.")
final class AppendCommand implements Callable<Integer> {
    /** Stdin lines in flight at once: deep enough to hide round trips, bounded so memory stays flat. */
    static final int WINDOW = 1024;

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

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try (ReplogClient client = parent.connect()) {
            if (message != null && !"-".equals(message)) {
                out.println(client.append(message.getBytes(StandardCharsets.UTF_8), w, timeoutMs).join());
                out.flush();
                return 0;
            }
            return appendLines(client, out, err);
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private int appendLines(final ReplogClient client, final PrintWriter out, final PrintWriter err)
        throws Exception {
        final BufferedReader in = new BufferedReader(new InputStreamReader(parent.stdin, StandardCharsets.UTF_8));
        final ArrayDeque<CompletableFuture<Long>> window = new ArrayDeque<>();
        final int[] failures = {0};
        long line = 0;
        String text;
        while ((text = in.readLine()) != null) {
            line++;
            if (window.size() >= WINDOW) {
                printOldest(window, out, err, failures, line - WINDOW);
            }
            window.add(client.append(text.getBytes(StandardCharsets.UTF_8), w, timeoutMs));
        }
        long done = line - window.size();
        while (!window.isEmpty()) {
            printOldest(window, out, err, failures, ++done);
        }
        out.flush();
        return failures[0] == 0 ? 0 : Logctl.EXIT_FAILED;
    }

    private static void printOldest(final ArrayDeque<CompletableFuture<Long>> window, final PrintWriter out,
                                    final PrintWriter err, final int[] failures, final long lineNumber) {
        try {
            out.println(window.poll().join());
        } catch (CompletionException e) {
            failures[0]++;
            final Throwable cause = e.getCause();
            out.flush();
            Logctl.fail(err, "line " + lineNumber + ": " + (cause instanceof ReplogException r ? r : cause));
        }
    }
}
