package io.replog.node.master;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.EpochHistory;
import io.replog.node.log.LogStore;
import io.replog.node.security.ClusterKey;
import io.replog.node.security.PeerCheck;
import io.replog.protocol.EntryRun;
import io.replog.protocol.HostPort;
import io.replog.protocol.client.ClientOptions;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReadResult;
import io.replog.protocol.client.ReplogClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Before a restarted master takes appends, it takes back from its secondaries the entries it lost: under
 * {@code --flush interval:MS} or {@code never} a machine crash can take the tail the master had written but not
 * fsynced, while a secondary already holds it durably (and an append counted it toward w=2). Every secondary is
 * asked (each for up to the wait) for its log: its identity, its end and where each of its epochs starts. One that
 * holds this log's last entry with the same epoch (so, an epoch having one master, the same entries up to there) and
 * more after it holds a continuation of this log; of those, the one whose last entry has the highest epoch, then the
 * highest msg_id, is read from (Raft's "most up-to-date log"), and its entries are appended with their own epochs.
 * Runs on the starting thread, before the sequencer: nothing else writes the log meanwhile.
 */
final class TakeBack {
    private static final Logger LOG = LoggerFactory.getLogger(TakeBack.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 4096;

    private TakeBack() {
    }

    /** A secondary's copy of this log: where it ends, its last epoch, and its epochs' starts. */
    private record Copy(InetSocketAddress address, long lastId, long lastEpoch, EpochHistory epochs) {
        boolean betterThan(final Copy other) {
            return other == null || lastEpoch > other.lastEpoch
                || (lastEpoch == other.lastEpoch && lastId > other.lastId);
        }
    }

    /**
     * Asks every secondary (waiting up to {@code waitMs} for each) and takes back what the most up-to-date one holds
     * past this log's end; returns how many entries it took back.
     */
    static long run(final LogStore log, final List<InetSocketAddress> secondaries, final long waitMs,
                    final ClientOptions connection, final ClusterKey key) {
        Copy best = null;
        for (final InetSocketAddress address : secondaries) {
            final Copy copy = ask(address, log, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs),
                connection, key);
            if (copy != null && continues(copy, log) && copy.betterThan(best)) {
                best = copy;
            }
        }
        if (best == null) {
            return 0;
        }
        final long from = log.lastId() + 1;
        LOG.warn("master: {} holds msg_ids {}..{} (last epoch {}) that this node lost (not fsynced before a crash); "
            + "taking them back before taking appends", HostPort.format(best.address()), from, best.lastId(),
            best.lastEpoch());
        final long taken = copy(best, log, connection, key);
        awaitDurable(log);
        LOG.info("master: took back msg_ids {}..{} from {}", from, log.lastId(), HostPort.format(best.address()));
        return taken;
    }

    /** Whether {@code copy} holds this log's last entry, written in the same epoch, and more after it. */
    private static boolean continues(final Copy copy, final LogStore log) {
        final long last = log.lastId();
        return copy.lastId() > last && copy.lastEpoch() <= Math.max(log.epoch(), log.epochAt(last))
            && copy.epochs().epochAt(last) == log.epochAt(last);
    }

    /** The secondary's copy of this log, or null if it holds another log or does not answer in time. */
    private static Copy ask(final InetSocketAddress address, final LogStore log, final long deadline,
                            final ClientOptions connection, final ClusterKey key) {
        while (System.nanoTime() < deadline) {
            try (ReplogClient client = ReplogClient.connect(address,
                connection.withConnectTimeoutMs(1_000))) {
                if (key != null) {
                    PeerCheck.requireKey(client, key, log.logId());
                }
                final JsonNode health = JSON.readTree(client.health().get(5, TimeUnit.SECONDS));
                if (!Long.toHexString(log.logId()).equals(health.path("log_id").asText())) {
                    return null;
                }
                final EpochHistory epochs = new EpochHistory();
                final long[] pairs = new long[health.path("epochs").size()];
                for (int i = 0; i < pairs.length; i++) {
                    pairs[i] = health.path("epochs").get(i).asLong();
                }
                epochs.load(pairs);
                final long lastId = health.path("last_msg_id").asLong();
                return new Copy(address, lastId, epochs.epochAt(lastId), epochs);
            } catch (SecurityException e) {
                LOG.warn("master: {} {}: what it holds is not taken back", HostPort.format(address), e.getMessage());
                return null;
            } catch (Exception e) {
                LOG.debug("master: {} does not answer yet: {}", HostPort.format(address), e.toString());
                try {
                    Thread.sleep(100); // a start-up wait on the starting thread, not an event loop
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        LOG.info("master: {} did not answer before taking appends; what it may hold past this log is not taken back",
            HostPort.format(address));
        return null;
    }

    /** What was taken back counts like anything else the master holds: only once its flush policy says so. */
    private static void awaitDurable(final LogStore log) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (log.durableId() < log.lastId() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static long copy(final Copy from, final LogStore log, final ClientOptions connection,
                             final ClusterKey key) {
        final long first = log.lastId() + 1;
        try (ReplogClient client = ReplogClient.connect(from.address(),
            connection)) {
            if (key != null) {
                PeerCheck.requireKey(client, key, log.logId()); // the very peer it copies from, again
            }
            while (log.lastId() < from.lastId()) {
                final long next = log.lastId() + 1;
                // one epoch at a time: each entry keeps the epoch it was written in
                final long epochEnd = Math.min(from.lastId(), from.epochs().nextStartAfter(next) - 1);
                final int want = (int) Math.min(PAGE, epochEnd - next + 1);
                final ReadResult page = client.read(next, want).get(30, TimeUnit.SECONDS);
                if (page.messages().isEmpty()) {
                    break; // it holds less than it said (it was truncated meanwhile): keep what came
                }
                append(log, page.messages().subList(0, Math.min(want, page.messages().size())),
                    from.epochs().epochAt(next));
            }
        } catch (Exception e) {
            LOG.warn("master: taking back from {} stopped at msg_id {}: {}", HostPort.format(from.address()),
                log.lastId(), e.toString());
        }
        return log.lastId() - first + 1;
    }

    private static void append(final LogStore log, final List<Message> messages, final long epoch) {
        final ByteBuf run = Unpooled.buffer();
        try {
            for (final Message m : messages) {
                EntryRun.writeEntry(run, m.payload());
            }
            log.appendRun(run, messages.size(), epoch);
            log.commit();
        } finally {
            run.release();
        }
    }
}
