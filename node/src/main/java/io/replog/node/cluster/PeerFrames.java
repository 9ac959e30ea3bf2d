package io.replog.node.cluster;

import io.replog.node.consensus.PeerMessage;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.AppendEntriesReply;
import io.replog.protocol.Frame;
import io.replog.protocol.TailReply;
import io.replog.protocol.TailRequest;
import io.replog.protocol.VoteReply;
import io.replog.protocol.VoteRequest;

/**
 * The consensus core's messages as the wire frames that carry them (PROTOCOL.md: Failover; Taking back a lost
 * tail), both ways.
 */
final class PeerFrames {
    private PeerFrames() {
    }

    /** {@code message} of node {@code from}, whose log is {@code logId} (named in what a master sends). */
    static Frame toFrame(final int from, final long logId, final PeerMessage message) {
        if (message instanceof PeerMessage.Replicate r) {
            return new AppendEntries(0, from, r.epoch(), r.prevId(), r.prevEpoch(), r.commitId(), logId,
                r.entries());
        }
        if (message instanceof PeerMessage.TailRequest r) {
            return new TailRequest(0, from, r.epoch(), r.prevId(), r.prevEpoch(), logId, r.withEntries());
        }
        if (message instanceof PeerMessage.TailReply r) {
            return new TailReply(0, from, r.epoch(), r.lastEpoch(), r.lastId(), r.prevId(), r.matched(),
                r.entries());
        }
        if (message instanceof PeerMessage.ReplicateReply r) {
            return new AppendEntriesReply(0, from, r.epoch(), r.accepted(), r.acceptedId(), r.durableId(),
                r.conflictEpoch(), r.conflictId());
        }
        if (message instanceof PeerMessage.VoteRequest r) {
            return new VoteRequest(0, from, r.epoch(), r.lastEpoch(), r.lastId(), r.preVote());
        }
        final PeerMessage.VoteReply r = (PeerMessage.VoteReply) message;
        return new VoteReply(0, from, r.epoch(), r.granted(), r.preVote());
    }

    /** The log a master's frame names (0: none, or not a master's frame). */
    static long logId(final Frame frame) {
        if (frame instanceof AppendEntries f) {
            return f.logId();
        } else if (frame instanceof TailRequest f) {
            return f.logId();
        }
        return 0;
    }

    /** The sender's node id of a peer frame, or 0 when {@code frame} is none. */
    static int sender(final Frame frame) {
        if (frame instanceof AppendEntries f) {
            return f.from();
        } else if (frame instanceof AppendEntriesReply f) {
            return f.from();
        } else if (frame instanceof VoteRequest f) {
            return f.from();
        } else if (frame instanceof VoteReply f) {
            return f.from();
        } else if (frame instanceof TailRequest f) {
            return f.from();
        } else if (frame instanceof TailReply f) {
            return f.from();
        }
        return 0;
    }

    static PeerMessage toMessage(final Frame frame) {
        if (frame instanceof AppendEntries f) {
            return new PeerMessage.Replicate(f.epoch(), f.prevId(), f.prevEpoch(), f.entries(),
                f.commitId());
        }
        if (frame instanceof TailRequest f) {
            return new PeerMessage.TailRequest(f.epoch(), f.prevId(), f.prevEpoch(), f.withEntries());
        }
        if (frame instanceof TailReply f) {
            return new PeerMessage.TailReply(f.epoch(), f.lastEpoch(), f.lastId(), f.prevId(), f.matched(),
                f.entries());
        }
        if (frame instanceof AppendEntriesReply f) {
            return new PeerMessage.ReplicateReply(f.epoch(), f.accepted(), f.acceptedId(), f.durableId(),
                f.conflictEpoch(), f.conflictId());
        }
        if (frame instanceof VoteRequest f) {
            return new PeerMessage.VoteRequest(f.epoch(), f.lastEpoch(), f.lastId(), f.preVote());
        }
        if (frame instanceof VoteReply f) {
            return new PeerMessage.VoteReply(f.epoch(), f.granted(), f.preVote());
        }
        throw new IllegalArgumentException("not a peer frame: " + frame);
    }
}
