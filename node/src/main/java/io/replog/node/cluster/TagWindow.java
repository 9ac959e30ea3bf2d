package io.replog.node.cluster;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.ReplicaStorage;
import io.replog.node.log.TagFile;

import java.nio.file.Path;

/**
 * The tags of tagged appends for the newest log indexes (a window of {@code kept}, a power of two), in memory and,
 * with a data directory, in the node's {@link TagFile}, so a node that restarts still knows them when it becomes
 * master and recognises an append sent again. Older tags are overwritten in place: the window bounds memory and
 * disk alike. Used on the replica's thread only.
 */
final class TagWindow implements AutoCloseable {
    private final int kept;
    private final long[] ids;
    private final long[] clients;
    private final long[] seqs;
    /** Null: a log in memory, tags in memory only. */
    private final TagFile file;

    /** Reads back the tags of {@code dataDir}'s tag file up to {@code lastIndex} (null dir: none). */
    TagWindow(final Path dataDir, final long lastIndex, final int kept) {
        this.kept = kept;
        this.ids = new long[kept];
        this.clients = new long[kept];
        this.seqs = new long[kept];
        this.file = dataDir == null ? null : TagFile.open(dataDir, lastIndex, kept, this::remember);
    }

    /** In memory only: index {@code id} holds this tag ({@code clientId} 0: none, e.g. an epoch's start). */
    void remember(final long id, final long clientId, final long seq) {
        final int slot = (int) (id & (kept - 1));
        ids[slot] = clientId != 0 ? id : 0;
        clients[slot] = clientId;
        seqs[slot] = seq;
    }

    /** A message staged at index {@code id}: its tag is remembered, and written to the file when it has one. */
    void staged(final long id, final PeerEntry entry) {
        remember(id, entry.clientId(), entry.seq());
        if (entry.tagged() && file != null) {
            file.add(id, entry.clientId(), entry.seq());
        }
    }

    /** The message at {@code id} read back from the log, with its tag when the window still holds it. */
    PeerEntry message(final long id, final long epoch, final byte[] payload) {
        final int slot = (int) (id & (kept - 1));
        return ids[slot] == id
            ? PeerEntry.message(epoch, payload, clients[slot], seqs[slot])
            : PeerEntry.message(epoch, payload, 0, 0);
    }

    /** Every tag the window holds for an index up to {@code lastIndex}, oldest first. */
    void forEach(final long lastIndex, final ReplicaStorage.TagConsumer consumer) {
        for (long id = Math.max(1, lastIndex - kept + 1); id <= lastIndex; id++) {
            final int slot = (int) (id & (kept - 1));
            if (ids[slot] == id) {
                consumer.accept(id, clients[slot], seqs[slot]);
            }
        }
    }

    /** Before the log commits what it staged: a tag is durable no later than its entry. */
    void flush() {
        if (file != null) {
            file.flush();
        }
    }

    /**
     * The log was cut (or lost what it staged) after {@code lastKept}: the file forgets the tags past it. Memory
     * needs no cut: a slot counts only for the index it names, and those past the log's end are written again
     * before any is read.
     */
    void truncateAfter(final long lastKept) {
        if (file != null) {
            file.truncateAfter(lastKept);
        }
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }
}
