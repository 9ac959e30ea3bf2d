package io.replog.node.cluster;

import io.replog.protocol.PeerEntry;


/**
 * The newest entries as they were appended, by log index (slot: index mod {@value #SLOTS}; {@link #ids} says whose
 * entry a slot holds): a master sends what it just appended from here instead of reading each entry back from the
 * log into a new array per peer. Entries above {@value #MAX_BYTES} bytes are not kept, which bounds what this holds
 * to about {@value #SLOTS} × that. Used on the replica's thread only.
 */
final class RecentEntries {
    static final int SLOTS = 1 << 13;
    static final int MAX_BYTES = 1024;

    private final PeerEntry[] entries = new PeerEntry[SLOTS];
    private final long[] ids = new long[SLOTS];

    /** The entry at {@code id} as it was appended, when it is among the newest kept; else null (read the log). */
    PeerEntry at(final long id) {
        final int slot = (int) (id & (SLOTS - 1));
        return ids[slot] == id ? entries[slot] : null;
    }

    /** {@code entry} is now at index {@code id}: it replaces whatever its slot held (a large one empties it). */
    void keep(final long id, final PeerEntry entry) {
        final int slot = (int) (id & (SLOTS - 1));
        final boolean small = entry.payload().length <= MAX_BYTES;
        ids[slot] = small ? id : 0;
        entries[slot] = small ? entry : null;
    }

    /** The log was cut (or lost what it staged) after {@code lastKept}: the entries past it are no longer its. */
    void forgetAfter(final long lastKept) {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (ids[slot] > lastKept) {
                ids[slot] = 0;
                entries[slot] = null;
            }
        }
    }
}
