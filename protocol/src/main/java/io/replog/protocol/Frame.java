package io.replog.protocol;

/**
 * A decoded frame. Frames that carry bytes ({@link Append}, {@link ReadOk}) are reference
 * counted: whoever holds the last reference releases it. {@link AppendEntries} carries bytes too, but copied into
 * arrays: it is not reference counted, nor are any of the other frames.
 */
public sealed interface Frame permits Append, AppendOk, Read, ReadOk, ErrorFrame, Ping, Pong, Health, HealthOk,
    AuthHello, AuthChallenge, AuthProof, AuthOk, VoteRequest, VoteReply, AppendEntries,
    AppendEntriesReply, TailRequest, TailReply {

    /** The {@link FrameType} code. */
    byte type();

    /** The id that pairs a request with its answer; chosen by the requester, echoed by the answer. */
    long requestId();
}
