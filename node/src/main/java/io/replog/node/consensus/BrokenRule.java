package io.replog.node.consensus;

/**
 * Rules a replica can be told to break, so a test can show that the simulation catches each one. A node never
 * breaks any outside those tests ({@link #NONE}).
 */
enum BrokenRule {
    NONE,
    /** Grants a second vote in an epoch it already voted in. */
    VOTES_TWICE,
    /** Votes for a candidate whose log is behind its own. */
    VOTES_FOR_STALE_LOG,
    /** Counts an earlier epoch's entry as committed once a majority holds it (Raft's Figure 8). */
    COMMITS_OLD_EPOCH,
    /** Forgets its vote on restart (not saved before answering). */
    FORGETS_VOTE
}
