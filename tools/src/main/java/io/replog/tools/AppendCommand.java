package io.replog.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code logctl append}: one message from the command line, or every line of stdin, pipelined (see
 * {@link PipelinedAppender} for what happens when something goes wrong).
 */
@Command(name = "append", mixinStandardHelpOptions = true,
    description = {"Append a message and print its msg_id. With no message or '-', append each line of stdin "
        + "(pipelined) and print one msg_id per line, in input order.",
        "Lines end at '\\n' (one '\\r' before it is dropped) and are sent byte for byte; a line that is not UTF-8 "
            + "or is larger than the node takes (its max_message_bytes) is reported with its number and not sent.",
        "Survives broken connections: unanswered appends are re-sent (see --reconnect-for-ms) and never stored "
            + "twice. A line the node refuses is reported as 'line N: CODE: text'; the exit code is then 1."})
final class AppendCommand implements Callable<Integer> {
    /** The protocol's timeout_ms is a uint32. */
    private static final long MAX_TIMEOUT_MS = 0xFFFF_FFFFL;

    @ParentCommand
    Logctl parent;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-w", "--w"}, defaultValue = "1",
        description = "Write concern: copies that must exist before the answer (default ${DEFAULT-VALUE}).")
    int w;

    @Option(names = "--timeout-ms", defaultValue = "0",
        description = "Give up waiting for the write concern after this long: the line is reported as TIMEOUT "
            + "(0: wait without limit; default ${DEFAULT-VALUE}). The message stays in the log either way.")
    long timeoutMs;

    @Parameters(arity = "0..1", paramLabel = "MESSAGE", description = "The message; '-' or none reads stdin.")
    String message;

    /**
     * Sends each line as it comes and prints each answer as it arrives, whichever comes first; when neither comes
     * for --answer-timeout-ms while an append waits, the node is asked whether it is still there.
     */
    private void appendEachLine(final PipelinedAppender appender, final LineFeed lines, final Progress progress)
        throws InterruptedException {
        while (true) {
            appender.printAnswered();
            progress.tick();
            if (appender.full()) {
                appender.awaitOldest();
                continue;
            }
            if (appender.waiting() && appender.silentMs() >= parent.answerTimeoutMs) {
                appender.awaitOldest(); // is the node still there? (HEALTH, or lost: reconnect and re-send)
                continue;
            }
            final long waitMs = appender.waiting() ? parent.answerTimeoutMs - appender.silentMs() : -1;
            final LineReader.Line line = lines.next(progress.active() ? Math.min(Progress.TICK_MS,
                waitMs < 0 ? Long.MAX_VALUE : waitMs) : waitMs);
            if (line == LineFeed.END) {
                return;
            }
            if (line != null && line != LineFeed.WOKEN) {
                appender.submit(line.number(), "line " + line.number(), line.bytes(), line.length());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (timeoutMs < 0 || timeoutMs > MAX_TIMEOUT_MS) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--timeout-ms must be within 0.." + MAX_TIMEOUT_MS + ", got " + timeoutMs);
        }
        final LineFeed[] feed = new LineFeed[1];
        try (PipelinedAppender appender = new PipelinedAppender(parent, w, timeoutMs,
            spec.commandLine().getOut(), spec.commandLine().getErr(), () -> {
                if (feed[0] != null) {
                    feed[0].wake();
                }
            })) {
            if (message != null && !"-".equals(message)) {
                final byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                appender.submit(1, "the message", bytes, bytes.length);
            } else {
                try (LineFeed lines = new LineFeed(new LineReader(parent.stdin, appender.maxMessageBytes()));
                     Progress progress = Progress.onTerminal(spec.commandLine().getErr(), appender::settled)) {
                    feed[0] = lines;
                    appendEachLine(appender, lines, progress);
                }
            }
            return appender.finish();
        }
    }
}
