package io.replog.protocol;

/** A request answered with an ERROR frame, or one that could not be answered (connection lost). */
public final class ReplogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Code used when the connection broke before an answer arrived; never sent on the wire. */
    public static final short CONNECTION_LOST = -1;
    /** Code used when the peer's bytes are not replog frames (an HTTP server, say); never sent on the wire. */
    public static final short NOT_REPLOG_PEER = -2;

    private final short code;

    public ReplogException(final short code, final String message) {
        super(message);
        this.code = code;
    }

    public short code() {
        return code;
    }

    @Override
    public String toString() {
        final String name = switch (code) {
            case CONNECTION_LOST -> "CONNECTION_LOST";
            case NOT_REPLOG_PEER -> "NOT_REPLOG_PEER";
            default -> ErrorCode.name(code);
        };
        return name + ": " + getMessage();
    }
}
