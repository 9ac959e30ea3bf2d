package io.replog.node.consensus;

/**
 * Who may lead, and what a node serves to readers: the two configurations of the one engine.
 * <ul>
 *   <li>{@link #elected()} (failover): any node may lead once a majority elects it (pre-vote, Raft's up-to-date rule,
 *       vote saved); a master that hears from no majority steps down; readers see the committed prefix.</li>
 *   <li>{@link #staticLeader} (fixed roles): node {@code master} always leads and no node ever campaigns; epochs still
 *       fence (a restarted master enters a new one, saved like a vote, and first takes back the tail it lost, see
 *       {@link TailCollection}); without a majority the master stays master and is read-only; readers see what their
 *       node holds durably (the inconsistency window of fixed roles).</li>
 * </ul>
 *
 * @param staticMaster  the node that always leads, or {@link Replica#NOBODY} when elected
 * @param collectWaitMs how long a starting static master waits, once a quorum answered, for the other secondaries
 *                      to report their log ends (so that appends acknowledged with w below a majority are taken back
 *                      too when those secondaries are reachable)
 * @param quorum        the static master's quorum (fixed roles' {@code --quorum}): the nodes, itself included, that
 *                      must answer for it to take appends (and to start an epoch); 0: a majority. Below a majority an
 *                      append acknowledged with w at or above a majority may be lost when the master loses its own
 *                      copy (the operator's choice, as the README's promises table says). Elected: always 0.
 */
public record Leadership(int staticMaster, long collectWaitMs, int quorum) {
    private static final Leadership ELECTED = new Leadership(Replica.NOBODY, 0, 0);

    public Leadership {
        if (staticMaster < 0 || collectWaitMs < 0 || quorum < 0) {
            throw new IllegalArgumentException("static master " + staticMaster + ", collect wait "
                + collectWaitMs + " ms and quorum " + quorum + " must not be negative");
        }
        if (staticMaster == Replica.NOBODY && quorum != 0) {
            throw new IllegalArgumentException("an elected master needs a majority, not a quorum of " + quorum);
        }
    }

    /** Failover: elected by a majority. */
    public static Leadership elected() {
        return ELECTED;
    }

    /** Fixed roles: {@code master} always leads; a restarted master waits up to {@code collectWaitMs} (see above). */
    public static Leadership staticLeader(final int master, final long collectWaitMs) {
        return staticLeader(master, collectWaitMs, 0);
    }

    /** The same with a quorum of {@code quorum} nodes (0: a majority). */
    public static Leadership staticLeader(final int master, final long collectWaitMs, final int quorum) {
        if (master == Replica.NOBODY) {
            throw new IllegalArgumentException("a static leader needs a node id");
        }
        return new Leadership(master, collectWaitMs, quorum);
    }

    public boolean isStatic() {
        return staticMaster != Replica.NOBODY;
    }

    /** Whether node {@code id} is the static master of this configuration. */
    public boolean isStaticMaster(final int id) {
        return isStatic() && staticMaster == id;
    }

    @Override
    public String toString() {
        return isStatic() ? "static leader node " + staticMaster + (quorum > 0 ? ", quorum " + quorum : "")
            : "elected";
    }
}
