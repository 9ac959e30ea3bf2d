package io.replog.protocol;

/**
 * VOTE_REQUEST (node mode): node {@code from} stands for master in {@code epoch} and asks for a vote, naming the last
 * entry of its log, {@code lastId} written in {@code lastEpoch} (both 0 when its log is empty): a voter refuses a
 * candidate whose (last_epoch, last_id) is below its own. Answered by a {@link VoteReply} with the same request id,
 * sent on the voter's own connection to the candidate. Not reference counted.
 */
public record VoteRequest(long requestId, int from, long epoch, long lastEpoch, long lastId, boolean preVote)
    implements Frame {
    /**
     * Header flag: a pre-vote. The candidate only asks whether the node <em>would</em> vote for it in {@code epoch};
     * nobody changes epoch or vote for it, and a node that hears from a live master says no.
     */
    public static final int FLAG_PRE_VOTE = 0x0001;

    /** A real vote request. */
    public VoteRequest(final long requestId, final int from, final long epoch, final long lastEpoch,
                       final long lastId) {
        this(requestId, from, epoch, lastEpoch, lastId, false);
    }

    /** Body: from (i32), epoch (i64), last_epoch (i64), last_id (i64). */
    public static final int BODY_LENGTH = 28;

    @Override
    public byte type() {
        return FrameType.VOTE_REQUEST;
    }
}
