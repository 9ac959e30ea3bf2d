package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.Replica.Role;
import io.replog.node.role.TagCheck;
import io.replog.protocol.ErrorCode;

/**
 * A master's way in for clients' appends: who may append here (else where to go), the w range, read-only, the
 * bound on waiting appends, and idempotence (a tagged append sent again gets the msg_id it got the first time, from
 * the {@link RecentTags} of this master's log). An accepted append is written to the log and waits in the
 * {@link CommitTracker}; its batch is stored and sent at the replica's next flush. Part of {@link Replica}: same
 * thread; a halted or stopped replica refuses before it asks here.
 */
final class ClientAppends {
    private final Replica r;
    /** Tagged appends in the newest msg_ids of this master's log (the storage's window): rebuilt on election. */
    private final RecentTags tags;
    /** Appends since the last flush: a burst of them is one batch for the store. */
    private boolean unsynced;

    ClientAppends(final Replica replica) {
        this.r = replica;
        this.tags = new RecentTags(replica.log.tagsKept());
    }

    /** Tags a master remembers (at most the storage's window, {@link ReplicaStorage#tagsKept}). */
    int tagsHeld() {
        return tags.size();
    }

    /** It leads: the tags of its log's window are learnt again (appended by earlier masters too). */
    void rebuildTags() {
        tags.rebuild(r.log);
    }

    /** It no longer leads: the next master's table is built from its log. */
    void forgetTags() {
        tags.clear();
    }

    /** Whether appends were written since the last call: their batch is to be stored now. */
    boolean takeUnsynced() {
        final boolean was = unsynced;
        unsynced = false;
        return was;
    }

    /** See {@link Replica#append(byte[], int, long, long, long, AppendCallback)}. */
    void append(final byte[] payload, final int w, final long clientId, final long seq, final long timeoutNanos,
                final AppendCallback callback) {
        if (r.role != Role.LEADER && r.leadership.isStaticMaster(r.id())) {
            callback.failed(ErrorCode.READ_ONLY, r.readOnlyReason(), r.id()); // it stays master: nowhere else to go
            return;
        }
        if (r.role != Role.LEADER) {
            callback.failed(ErrorCode.NOT_MASTER, "not the master" + (r.masterId == Replica.NOBODY
                ? ": no master is known right now (an election may be under way); retry shortly"
                : "; node " + r.masterId + " is"), r.masterId);
            return;
        }
        final int clusterSize = r.clusterSize();
        if (w < 1 || w > clusterSize) {
            callback.failed(ErrorCode.INVALID_REQUEST, "w must be 1.." + clusterSize + " (the cluster's nodes), got "
                + w, r.masterId);
            return;
        }
        final String readOnly = r.staticMaster.refusal();
        if (readOnly != null) {
            callback.failed(ErrorCode.READ_ONLY, readOnly, r.id());
            return;
        }
        final long deadline = r.commit.deadline(timeoutNanos);
        if (clientId != 0) {
            final RecentTags.Tagged earlier = tags.find(clientId, seq, r.log.lastId());
            if (earlier != null) {
                final int first = earlier.checksumKnown() ? earlier.checksum()
                    : TagCheck.checksum(r.log.entry(earlier.msgId()).payload());
                if (first != TagCheck.checksum(payload)) {
                    callback.tagReused(clientId, seq, earlier.msgId(), r.masterId);
                    return;
                }
                callback.accepted(earlier.msgId());
                r.commit.waitForResent(w, earlier.msgId(), deadline, timeoutNanos, callback);
                return;
            }
        }
        // w=1 is never refused for this: it waits only for this node's own flush, never for a peer that is down
        if (w > 1 && r.commit.waiting() >= r.settings.maxPendingAppends()) {
            callback.failed(ErrorCode.OVERLOADED, "too many appends waiting for their w (" + r.commit.waiting()
                + "); retry later", r.masterId);
            return;
        }
        r.log.append(PeerEntry.message(r.epoch, payload, clientId, seq));
        final long msgId = r.log.lastId();
        if (clientId != 0) {
            tags.add(clientId, seq, msgId, TagCheck.checksum(payload), true);
        }
        callback.accepted(msgId);
        r.commit.waitFor(w, msgId, deadline, timeoutNanos, callback);
        r.leader.appended();
        unsynced = true; // written and made durable with the rest of the burst, at the next flush
    }
}
