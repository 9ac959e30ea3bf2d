package io.replog.node.replication;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Watches the secondaries' health on a timer: logs every state change with its reason, and turns the master
 * read-only while fewer than a quorum of nodes (the master counts itself) are up, writable again as soon as they
 * are. A Suspected secondary still counts as up, so one late heartbeat does not flip the master; an Unhealthy,
 * Failing or Diverged one does not.
 */
public final class QuorumMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumMonitor.class);

    private final List<SecondarySender> senders;
    private final int quorum;
    private final SecondaryHealth[] last;
    private volatile boolean readOnly;
    private volatile int upNodes;
    /** Whether it took appends at some point: the first time it does is not "again". */
    private boolean wasWritable;
    private ScheduledFuture<?> timer;

    public QuorumMonitor(final List<SecondarySender> senders, final int quorum) {
        this.senders = senders;
        this.quorum = quorum;
        this.last = new SecondaryHealth[senders.size()];
        this.upNodes = 1;
        // until the secondaries answer, the master cannot know it has a quorum
        this.readOnly = quorum > 1;
        this.wasWritable = !readOnly;
    }

    public void start(final EventExecutor executor, final long periodMs) {
        if (readOnly) {
            LOG.info("master: read-only until {} of {} nodes answer", quorum, 1 + senders.size());
        }
        check();
        timer = executor.scheduleAtFixedRate(this::check, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Evaluates health now; runs on the timer, and from tests. */
    void check() {
        int up = 1; // the master itself
        for (int i = 0; i < senders.size(); i++) {
            final SecondarySender sender = senders.get(i);
            final SecondaryHealth now = sender.health();
            if (now != last[i]) {
                if (last[i] != null) {
                    logChange(sender, last[i], now);
                }
                last[i] = now;
            }
            if (now.isUp()) {
                up++;
            }
        }
        upNodes = up;
        final boolean shouldBeReadOnly = up < quorum;
        final boolean everWritable = wasWritable;
        wasWritable |= !shouldBeReadOnly;
        if (shouldBeReadOnly != readOnly) {
            readOnly = shouldBeReadOnly;
            if (shouldBeReadOnly) {
                LOG.warn("master: read-only: no quorum ({}); appends are refused, reads still served", describe());
            } else {
                LOG.info(everWritable ? "master: writable again: quorum restored ({})"
                    : "master: writable: quorum reached ({})", describe());
            }
        }
    }

    private static void logChange(final SecondarySender sender, final SecondaryHealth from,
                                  final SecondaryHealth to) {
        final String reason = sender.reason(to);
        if (to == SecondaryHealth.Diverged || to == SecondaryHealth.Failing) {
            LOG.warn("{}: {} -> {} ({}); not counted toward the quorum or w until it recovers", sender.name(), from,
                to, reason);
        } else {
            LOG.info("{}: {} -> {} ({})", sender.name(), from, to,
                reason != null ? reason : "last answer " + sender.silentMs() + " ms ago");
        }
    }

    public boolean readOnly() {
        return readOnly;
    }

    public int quorum() {
        return quorum;
    }

    /** e.g. "1 of 3 nodes up, 2 needed". */
    public String describe() {
        return upNodes + " of " + (1 + senders.size()) + " nodes up, " + quorum + " needed";
    }

    public void stop() {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
