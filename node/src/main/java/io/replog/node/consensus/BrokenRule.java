package io.replog.node.consensus;

import org.slf4j.LoggerFactory;

/**
 * Rules a replica can be told to break, so a test can show that the simulation and the history test catch each
 * one. A node never breaks any outside those tests ({@link #NONE}): a node process breaks one only when started with
 * the JVM property {@value #PROPERTY} (the history test's failpoint), and says so at ERROR.
 */
public enum BrokenRule {
    NONE,
    /** Grants a second vote in an epoch it already voted in. */
    VOTES_TWICE,
    /** Votes for a candidate whose log is behind its own. */
    VOTES_FOR_STALE_LOG,
    /** Counts an earlier epoch's entry as committed once a majority holds it (Raft's Figure 8). */
    COMMITS_OLD_EPOCH,
    /** Forgets its vote on restart (not saved before answering). */
    FORGETS_VOTE,
    /**
     * The master counts a peer as holding what it has sent it, not what the peer reported durable: w=2 is answered
     * before the follower has (let alone fsynced) the entry, and the commit point runs ahead of the majority.
     */
    ACKS_ON_SEND,
    /**
     * A static master leads as soon as it enters its epoch, without taking back from its secondaries the tail it
     * lost (an append a majority acknowledged while the master had not fsynced it is cut).
     */
    SKIPS_TAKE_BACK;

    /** The JVM property that makes a node process break a rule, for the history test only. */
    public static final String PROPERTY = "replog.test.brokenRule";

    /** The rule {@value #PROPERTY} names ({@link #NONE} when unset). */
    public static BrokenRule fromSystemProperty() {
        final BrokenRule rule = valueOf(System.getProperty(PROPERTY, NONE.name()));
        if (rule != NONE) {
            LoggerFactory.getLogger(BrokenRule.class).error("this node breaks the rule {} on purpose ({}): it may "
                + "lose acknowledged messages; never run it outside the tests that show the checks catch that",
                rule, PROPERTY);
        }
        return rule;
    }
}
