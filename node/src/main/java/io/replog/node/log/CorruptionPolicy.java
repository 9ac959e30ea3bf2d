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
    FAIL,
    /**
     * Cut the log before the damaged batch like {@link #TRUNCATE}, but first copy everything cut into a
     * {@code damaged-<ms>} directory of the data directory and note how far the log went ({@link LogStore#damage()}):
     * for a master with secondaries, which takes the cut part back from them and refuses to start if they cannot
     * give all of it back.
     */
    SET_ASIDE
}
