package io.replog.node.master;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Remembers, per client id, the msg_ids given to its recent sequence numbers, so that a tagged append sent again
 * (after a broken connection, say) gets the msg_id of the first time instead of being stored twice — what Kafka's
 * idempotent producer does. Owned by the sequencer thread: no locks.
 */
final class IdempotenceTable {
    /** Sequence numbers remembered per client: a client may have at most this many tagged appends unanswered. */
    static final int WINDOW = 4096;
    /** Clients remembered; the least recently active one is forgotten first. */
    static final int MAX_CLIENTS = 1024;
    /** {@link #lookup} answer: first time this (client, seq) is seen. */
    static final long NEW = 0;
    /** {@link #lookup} answer: the seq is older than the window; whether it was stored is no longer known. */
    static final long TOO_OLD = -1;

    private static final class ClientWindow {
        final long[] seqs = new long[WINDOW];
        final long[] msgIds = new long[WINDOW];
        long highestSeq;
        long lastUsed;
    }

    private final Long2ObjectHashMap<ClientWindow> clients = new Long2ObjectHashMap<>();
    private long clock;

    /** The msg_id already given to {@code (clientId, seq)}, or {@link #NEW}, or {@link #TOO_OLD}. */
    long lookup(final long clientId, final long seq) {
        final ClientWindow w = clients.get(clientId);
        if (w == null || seq > w.highestSeq) {
            return NEW;
        }
        if (w.highestSeq - seq >= WINDOW) {
            return TOO_OLD;
        }
        final int slot = (int) (seq & (WINDOW - 1));
        return w.seqs[slot] == seq ? w.msgIds[slot] : NEW;
    }

    void record(final long clientId, final long seq, final long msgId) {
        ClientWindow w = clients.get(clientId);
        if (w == null) {
            if (clients.size() >= MAX_CLIENTS) {
                evictLeastRecentlyUsed();
            }
            w = new ClientWindow();
            clients.put(clientId, w);
        }
        final int slot = (int) (seq & (WINDOW - 1));
        w.seqs[slot] = seq;
        w.msgIds[slot] = msgId;
        w.highestSeq = Math.max(w.highestSeq, seq);
        w.lastUsed = ++clock;
    }

    private void evictLeastRecentlyUsed() {
        long oldestClient = 0;
        long oldest = Long.MAX_VALUE;
        final Long2ObjectHashMap<ClientWindow>.EntryIterator it = clients.entrySet().iterator();
        while (it.hasNext()) {
            it.next();
            if (it.getValue().lastUsed < oldest) {
                oldest = it.getValue().lastUsed;
                oldestClient = it.getLongKey();
            }
        }
        clients.remove(oldestClient);
    }

    int clients() {
        return clients.size();
    }
}
