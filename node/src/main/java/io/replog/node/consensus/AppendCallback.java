package io.replog.node.consensus;

import io.replog.node.role.TagCheck;
import io.replog.protocol.ErrorCode;

/** The answer to one append: called once, on the replica's thread. */
public interface AppendCallback {

    /** Stored as {@code msgId} and held by at least w nodes durably. */
    void stored(long msgId);

    /**
     * A tagged append sent again, with the same bytes: stored the first time as {@code msgId}, now held by at least w
     * nodes durably; nothing new was stored.
     */
    default void storedBefore(final long msgId) {
        stored(msgId);
    }

    /**
     * Not (known to be) stored with its w: {@code code} is an ERROR code ({@code NOT_MASTER}, {@code OVERLOADED},
     * {@code INVALID_REQUEST}); {@code masterId} the node this one believes is master, or {@link Replica#NOBODY}.
     */
    void failed(short code, String why, int masterId);

    /**
     * A tagged append sent again with other bytes: the tag names the entry {@code firstId}, and nothing was stored.
     * A node whose readers count in other numbers than the engine's ids overrides this to name it in theirs.
     */
    default void tagReused(final long clientId, final long seq, final long firstId, final int masterId) {
        failed(ErrorCode.TAG_REUSED, TagCheck.reused(clientId, seq, firstId), masterId);
    }

    /**
     * The node stops while this append, stored as {@code id}, waits for its {@code w}. A node whose readers count
     * in other numbers than the engine's ids, or that words it as its mode does, overrides this.
     */
    default void stopping(final long id, final int w) {
        failed(ErrorCode.SHUTTING_DOWN, "the node is shutting down; the message is in its log and may still be "
            + "replicated by the next master", Replica.NOBODY);
    }

    /**
     * Whether the client gave up on this append (its connection closed): a master looks once a second and answers
     * such an append (TIMEOUT, to nobody) so that it no longer holds a place under the bound on waiting appends.
     * Asked on the replica's thread; false unless known.
     */
    default boolean abandoned() {
        return false;
    }
}
