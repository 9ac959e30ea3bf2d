package io.replog.node.consensus;

/** What a replica tells its node about itself (the node logs it; the simulation traces it). */
public interface ReplicaEvents {

    /** The role, epoch or known master changed; {@code why} says what caused it. */
    default void roleChanged(Replica.Role role, long epoch, int masterId, String why) {
    }

    /** Entries after {@code lastKept} were cut because the master's log does not have them. */
    default void truncated(long lastKept, long formerLastId) {
    }

    /** A vote was asked for in {@code epoch}: given to {@code candidate} or refused, and why. */
    default void voted(long epoch, int candidate, boolean granted, String why) {
    }

    /**
     * The commit point moved up to {@code commitId}: entries up to it are on a majority durably and no later master
     * lacks them, so they may be served to readers. Not saved: a restarted node starts again from 0.
     */
    default void committed(long commitId) {
    }

    /**
     * The static master turned read-only ({@code reason}: it heard from no majority; it stays master) or, with
     * null, takes appends again.
     */
    default void readOnly(String reason) {
    }

    /**
     * The master resends {@code peer} its log from {@code fromId} ({@code why}: it refused, or an answer is missing);
     * told at most once a second per peer, with the {@code resends} since the last time; {@code retry} counts the
     * resends of this probe that went unaccepted, and the next one is due in {@code nextInMs} unless it accepts.
     */
    default void resending(int peer, long fromId, String why, long resends, int retry, long nextInMs) {
    }

    /** The replica stopped for good: its storage failed ({@link Replica#halt}). */
    default void halted(String why) {
    }

    ReplicaEvents NONE = new ReplicaEvents() {
    };
}
