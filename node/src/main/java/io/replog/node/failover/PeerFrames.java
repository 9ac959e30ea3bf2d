package io.replog.node.failover;

import io.replog.node.consensus.Entry;
import io.replog.node.consensus.PeerMessage;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.AppendEntriesReply;
import io.replog.protocol.Frame;
import io.replog.protocol.PeerEntry;
import io.replog.protocol.VoteReply;
import io.replog.protocol.VoteRequest;

import java.util.ArrayList;
import java.util.List;

/** The consensus core's messages as the wire frames that carry them (PROTOCOL.md, Failover), both ways. */
final class PeerFrames {
    private PeerFrames() {
    }

    static Frame toFrame(final int from, final PeerMessage message) {
        if (message instanceof PeerMessage.Replicate r) {
            final List<PeerEntry> entries = new ArrayList<>(r.entries().size());
            for (final Entry e : r.entries()) {
                entries.add(e.epochStart() ? PeerEntry.epochStart(e.epoch())
                    : e.tagged() ? PeerEntry.tagged(e.epoch(), e.clientId(), e.seq(), e.payload())
                    : PeerEntry.message(e.epoch(), e.payload()));
            }
            return new AppendEntries(0, from, r.epoch(), r.prevId(), r.prevEpoch(), r.commitId(), entries);
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
        }
        return 0;
    }

    static PeerMessage toMessage(final Frame frame) {
        if (frame instanceof AppendEntries f) {
            final List<Entry> entries = new ArrayList<>(f.entries().size());
            for (final PeerEntry e : f.entries()) {
                entries.add(e.epochStart() ? Entry.epochStart(e.epoch())
                    : Entry.message(e.epoch(), e.payload(), e.tagged() ? e.clientId() : 0, e.tagged() ? e.seq() : 0));
            }
            return new PeerMessage.Replicate(f.epoch(), f.prevId(), f.prevEpoch(), entries, f.commitId());
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
