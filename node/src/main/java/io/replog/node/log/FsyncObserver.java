package io.replog.node.log;

/** Told about each fsync of a log's files, on the thread that did it (the flusher, the timer, the writer). */
@FunctionalInterface
public interface FsyncObserver {
    FsyncObserver NONE = (nanos, messages) -> { };

    /**
     * An fsync took {@code nanos} and made {@code messages} more messages durable (0 for one that sealed or cut a
     * segment, or closed the log).
     */
    void fsynced(long nanos, long messages);
}
