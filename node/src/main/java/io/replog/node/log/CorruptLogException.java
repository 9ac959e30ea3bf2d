package io.replog.node.log;

import java.nio.file.Path;

/** A damaged batch in a log file: the store did not serve it. Names the file and the byte offset of the batch. */
public final class CorruptLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public CorruptLogException(final Path file, final long offset, final String message) {
        super(message);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
