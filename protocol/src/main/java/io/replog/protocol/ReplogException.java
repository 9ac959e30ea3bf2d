package io.replog.protocol;

/** A request answered with an ERROR frame, or one that could not be answered (connection lost). */
public final class ReplogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Code used when the connection broke before an answer arrived; never sent on the wire. */
    public static final short CONNECTION_LOST = -1;

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
        return (code == CONNECTION_LOST ? "CONNECTION_LOST" : ErrorCode.name(code)) + ": " + getMessage();
    }
}
