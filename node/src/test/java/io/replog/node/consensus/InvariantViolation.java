package io.replog.node.consensus;

/** The simulation found a rule broken. */
final class InvariantViolation extends RuntimeException {
    InvariantViolation(final String message) {
        super(message);
    }

    InvariantViolation(final String message, final Throwable cause) {
        super(message, cause);
    }
}
