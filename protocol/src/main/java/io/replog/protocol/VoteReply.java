package io.replog.protocol;

/**
 * VOTE_REPLY (node mode): node {@code from} answers a {@link VoteRequest} (same request id): {@code granted} when it
 * gives the candidate its vote for {@code epoch}. {@code epoch} is the voter's own epoch: one higher than the
 * candidate asked for tells the candidate it is stale. Not reference counted.
 */
public record VoteReply(long requestId, int from, long epoch, boolean granted, boolean preVote) implements Frame {
    /** Header flag: the answer to a pre-vote ({@link VoteRequest#FLAG_PRE_VOTE}); granted, it changes nothing. */
    public static final int FLAG_PRE_VOTE = 0x0001;

    /** The answer to a real vote request. */
    public VoteReply(final long requestId, final int from, final long epoch, final boolean granted) {
        this(requestId, from, epoch, granted, false);
    }

    /** Body: from (i32), epoch (i64), granted (u8: 1 or 0). */
    public static final int BODY_LENGTH = 13;

    @Override
    public byte type() {
        return FrameType.VOTE_REPLY;
    }
}
