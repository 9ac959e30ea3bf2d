package io.replog.tools;

/** A failure already worded for the user: logctl prints "logctl: " and the message, and exits 1. */
class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailure(final String message) {
        super(message);
    }

    /** The node did not answer within --answer-timeout-ms. */
    static final class NoAnswer extends CommandFailure {
        private static final long serialVersionUID = 1L;

        NoAnswer(final String message) {
            super(message);
        }
    }
}
