package io.replog.node.log;

/** The log reached its size limit; the message was not stored. */
public final class LogFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LogFullException(final String message) {
        super(message, null, false, false);
    }
}
