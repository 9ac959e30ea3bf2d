package io.replog.node.role;

/**
 * Where the answer to an append goes: a binary client connection or an HTTP exchange. Called from the replica's
 * thread (w=1) or when the copies that reach w are reported (w&gt;1); implementations hand the answer to their
 * own event loop and must never block.
 */
public interface ReplySink {

    /** The append was stored with enough copies. */
    void appended(AppendRequest request);

    /** The append failed, or its write concern timed out ({@link AppendRequest#errorCode()} says which). */
    void failed(AppendRequest request);

    /**
     * The client is gone (its connection closed): an answer would reach nobody, so an append still waiting for its
     * write concern need not hold its place under the bound. Any thread; a hint (false when not known).
     */
    default boolean gone() {
        return false;
    }
}
