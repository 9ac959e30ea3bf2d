package io.replog.node.logging;

import org.slf4j.Logger;

import java.util.function.Consumer;

/**
 * Logs lines at INFO, but a line that repeats the previous one (compared without its leading "peer: " part, which
 * changes with every reconnect) only on its 1st and every 10th occurrence in a row, with the count.
 */
public final class RepeatSuppressingLog implements Consumer<String> {
    private final Logger log;
    private final RepeatCounter repeats = new RepeatCounter();
    private String previous = "";

    public RepeatSuppressingLog(final Logger log) {
        this.log = log;
    }

    @Override
    public synchronized void accept(final String line) {
        final int peerEnd = line.indexOf(": ");
        final String text = peerEnd < 0 ? line : line.substring(peerEnd + 2);
        if (!text.equals(previous)) {
            previous = text;
            repeats.ended();
        }
        final long n = repeats.occurred();
        if (n == 1) {
            log.info("{}", line);
        } else if (n > 0) {
            log.info("{} ({} times in a row)", line, n);
        }
    }
}
