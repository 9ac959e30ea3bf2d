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

    /** The replica stopped for good: its storage failed ({@link Replica#halt}). */
    default void halted(String why) {
    }

    ReplicaEvents NONE = new ReplicaEvents() {
    };
}
