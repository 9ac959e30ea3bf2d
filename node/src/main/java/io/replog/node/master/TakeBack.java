package io.replog.node.master;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.LogStore;
import io.replog.protocol.EntryRun;
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
 * fsynced, while a secondary already holds it durably (and an append counted it toward w=2). Among the secondaries
 * that answer within the wait, the one holding the longest continuation of this log (same log, same epoch as this
 * log's last entry, further msg_ids) is read from, and its entries are appended with their own epoch. Runs on the
 * starting thread, before the sequencer: nothing else writes the log meanwhile.
 */
final class TakeBack {
    private static final Logger LOG = LoggerFactory.getLogger(TakeBack.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 4096;

    private TakeBack() {
    }

    /** A secondary's end of the log, as its health report says. */
    private record Copy(InetSocketAddress address, long lastId) {
    }

    /**
     * Asks every secondary (waiting up to {@code waitMs} for each) and takes back what the most advanced one holds
     * past this log's end; returns how many entries it took back.
     */
    static long run(final LogStore log, final List<InetSocketAddress> secondaries, final long waitMs,
                    final int maxFrameLength) {
        final long lastEpoch = log.epochAt(log.lastId());
        Copy best = null;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        for (final InetSocketAddress address : secondaries) {
            final Copy copy = ask(address, log.logId(), lastEpoch, deadline, maxFrameLength);
            if (copy != null && copy.lastId() > log.lastId() && (best == null || copy.lastId() > best.lastId())) {
                best = copy;
            }
        }
        if (best == null) {
            return 0;
        }
        final long from = log.lastId() + 1;
        LOG.warn("master: {} holds msg_ids {}..{} of epoch {} that this node lost (not fsynced before a crash); "
            + "taking them back before taking appends", best.address(), from, best.lastId(), lastEpoch);
        final long taken = copy(best, log, lastEpoch, maxFrameLength);
        awaitDurable(log);
        LOG.info("master: took back msg_ids {}..{} from {}", from, log.lastId(), best.address());
        return taken;
    }

    /** The secondary's end, if it holds a continuation of this log's last epoch; null otherwise or if silent. */
    private static Copy ask(final InetSocketAddress address, final long logId, final long lastEpoch,
                            final long deadline, final int maxFrameLength) {
        while (System.nanoTime() < deadline) {
            try (ReplogClient client = ReplogClient.connect(address,
                ClientOptions.defaults().withMaxFrameLength(maxFrameLength).withConnectTimeoutMs(1_000))) {
                final JsonNode health = JSON.readTree(client.health().get(5, TimeUnit.SECONDS));
                final boolean sameLog = Long.toHexString(logId).equals(health.path("log_id").asText());
                final boolean sameEpoch = health.path("epoch").asLong(-1) == lastEpoch;
                return sameLog && sameEpoch ? new Copy(address, health.path("last_msg_id").asLong()) : null;
            } catch (Exception e) {
                LOG.debug("master: {} does not answer yet: {}", address, e.toString());
                try {
                    Thread.sleep(100); // a start-up wait on the starting thread, not an event loop
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        LOG.info("master: {} did not answer before taking appends; what it may hold past this log is not taken back",
            address);
        return null;
    }

    /** What was taken back counts like anything else the master holds: only once its flush policy says so. */
    private static void awaitDurable(final LogStore log) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (log.durableId() < log.lastId() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static long copy(final Copy from, final LogStore log, final long epoch, final int maxFrameLength) {
        final long first = log.lastId() + 1;
        try (ReplogClient client = ReplogClient.connect(from.address(),
            ClientOptions.defaults().withMaxFrameLength(maxFrameLength))) {
            while (log.lastId() < from.lastId()) {
                final int want = (int) Math.min(PAGE, from.lastId() - log.lastId());
                final ReadResult page = client.read(log.lastId() + 1, want).get(30, TimeUnit.SECONDS);
                if (page.messages().isEmpty()) {
                    break; // it holds less than it said (it was truncated meanwhile): keep what came
                }
                append(log, page.messages(), epoch);
            }
        } catch (Exception e) {
            LOG.warn("master: taking back from {} stopped at msg_id {}: {}", from.address(), log.lastId(), e.toString());
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
