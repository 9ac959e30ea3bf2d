package io.replog.node.master;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Remembers, per client id, the msg_ids given to its recent sequence numbers, so that a tagged append sent again
 * (after a broken connection, say) gets the msg_id of the first time instead of being stored twice — what Kafka's
 * idempotent producer does. Owned by the sequencer thread: no locks.
 *
 * <p>Bounded: at most {@value #MAX_CLIENTS} clients (the least recently active is forgotten first, in O(1)) and
 * {@value #WINDOW} sequence numbers per client. A client's window starts small and doubles only as far as the span
 * of sequence numbers it actually has in flight, so a client that sends a few tagged appends costs a few hundred
 * bytes, not the full window.
 */
final class IdempotenceTable {
    /** Sequence numbers remembered per client: a client may have at most this many tagged appends unanswered. */
    static final int WINDOW = 4096;
    /** Clients remembered; the least recently active one is forgotten first. */
    static final int MAX_CLIENTS = 1024;
    /** Slots a new client starts with. */
    static final int INITIAL_SLOTS = 16;
    /** {@link #lookup} answer: first time this (client, seq) is seen. */
    static final long NEW = 0;
    /** {@link #lookup} answer: the seq is older than the window; whether it was stored is no longer known. */
    static final long TOO_OLD = -1;

    /** One client's recent (seq, msg_id) pairs in a ring indexed by seq, and its place in the recency list. */
    private static final class ClientWindow {
        final long clientId;
        long[] seqs = new long[INITIAL_SLOTS];
        long[] msgIds = new long[INITIAL_SLOTS];
        int[] checksums = new int[INITIAL_SLOTS];
        long lowestSeq;
        long highestSeq;
        ClientWindow newer;
        ClientWindow older;

        ClientWindow(final long clientId, final long firstSeq) {
            this.clientId = clientId;
            this.lowestSeq = firstSeq;
            this.highestSeq = firstSeq;
        }

        long get(final long seq) {
            final int slot = (int) (seq & (seqs.length - 1));
            return seqs[slot] == seq ? msgIds[slot] : NEW;
        }

        int checksum(final long seq) {
            return checksums[(int) (seq & (seqs.length - 1))];
        }

        void put(final long seq, final long msgId, final int checksum) {
            final long highest = Math.max(highestSeq, seq);
            final long span = highest - Math.min(lowestSeq, seq) + 1;
            if (span > seqs.length && seqs.length < WINDOW) {
                grow((int) Math.min(WINDOW, Long.highestOneBit(span - 1) << 1));
            }
            final int slot = (int) (seq & (seqs.length - 1));
            seqs[slot] = seq;
            msgIds[slot] = msgId;
            checksums[slot] = checksum;
            highestSeq = highest;
            lowestSeq = Math.max(Math.min(lowestSeq, seq), highestSeq - seqs.length + 1);
        }

        private void grow(final int slots) {
            final long[] oldSeqs = seqs;
            final long[] oldIds = msgIds;
            final int[] oldChecksums = checksums;
            seqs = new long[slots];
            msgIds = new long[slots];
            checksums = new int[slots];
            for (int i = 0; i < oldSeqs.length; i++) {
                if (oldSeqs[i] != 0) {
                    final int slot = (int) (oldSeqs[i] & (slots - 1));
                    seqs[slot] = oldSeqs[i];
                    msgIds[slot] = oldIds[i];
                    checksums[slot] = oldChecksums[i];
                }
            }
        }
    }

    private final Long2ObjectHashMap<ClientWindow> clients = new Long2ObjectHashMap<>();
    private ClientWindow newest;
    private ClientWindow oldest;

    /** The msg_id already given to {@code (clientId, seq)}, or {@link #NEW}, or {@link #TOO_OLD}. */
    long lookup(final long clientId, final long seq) {
        final ClientWindow w = clients.get(clientId);
        if (w == null || seq > w.highestSeq) {
            return NEW;
        }
        if (w.highestSeq - seq >= WINDOW) {
            return TOO_OLD;
        }
        return seq < w.lowestSeq ? NEW : w.get(seq);
    }

    /**
     * The checksum (CRC32C of the payload) recorded with {@code (clientId, seq)}; only for a pair {@link #lookup}
     * found. A re-sent append with another checksum carries other bytes: the tag was reused.
     */
    int checksum(final long clientId, final long seq) {
        return clients.get(clientId).checksum(seq);
    }

    void record(final long clientId, final long seq, final long msgId, final int checksum) {
        ClientWindow w = clients.get(clientId);
        if (w == null) {
            if (clients.size() >= MAX_CLIENTS) {
                forget(oldest);
            }
            w = new ClientWindow(clientId, seq);
            clients.put(clientId, w);
        } else {
            unlink(w);
        }
        w.put(seq, msgId, checksum);
        linkAsNewest(w);
    }

    /** {@code (clientId, seq)} was not stored after all (its batch failed to commit): a retry is new again. */
    void unrecord(final long clientId, final long seq) {
        final ClientWindow w = clients.get(clientId);
        if (w != null && lookup(clientId, seq) > 0) {
            w.put(seq, NEW, 0);
        }
    }

    int clients() {
        return clients.size();
    }

    /** Slots held for {@code clientId} (its memory is two longs and an int per slot), 0 when unknown. */
    int slots(final long clientId) {
        final ClientWindow w = clients.get(clientId);
        return w == null ? 0 : w.seqs.length;
    }

    private void forget(final ClientWindow w) {
        unlink(w);
        clients.remove(w.clientId);
    }

    private void linkAsNewest(final ClientWindow w) {
        w.older = newest;
        w.newer = null;
        if (newest != null) {
            newest.newer = w;
        }
        newest = w;
        if (oldest == null) {
            oldest = w;
        }
    }

    private void unlink(final ClientWindow w) {
        if (w.newer != null) {
            w.newer.older = w.older;
        } else {
            newest = w.older;
        }
        if (w.older != null) {
            w.older.newer = w.newer;
        } else {
            oldest = w.newer;
        }
        w.newer = null;
        w.older = null;
    }
}
