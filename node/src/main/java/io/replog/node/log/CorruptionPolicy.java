package io.replog.node.log;

/**
 * What {@link FileLogStore} does when it finds a damaged batch that is not a torn tail (a valid batch follows it,
 * or it lies in a sealed segment): such a batch is never served either way.
 */
public enum CorruptionPolicy {
    /**
     * Cut the log before the damaged batch (everything after it is dropped) and carry on: for a secondary, which
     * fetches the lost tail again from its master.
     */
    TRUNCATE,
    /**
     * Refuse to open, naming the file and offset: for a master, whose log is the reference that nobody can give
     * back, so an operator decides.
     */
    FAIL
}
