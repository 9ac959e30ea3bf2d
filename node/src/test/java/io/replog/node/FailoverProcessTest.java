package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.testing.Nightly;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three {@code replog-node node} processes under concurrent w=2 writers: the master is killed with SIGKILL (twice
 * in a row, each time brought back as a secondary) and paused with SIGSTOP; every append acknowledged with w=2 (a
 * majority) must be on every node exactly once, in the same order. Prints the failover times (kill → first
 * append acknowledged by the new master).
 */
@Nightly // CI: HistoryTest kills and pauses masters under every w and checks more; this measures failover times
class FailoverProcessTest {
    private static final Pattern MASTER_AT = Pattern.compile("master at (\\S+):(\\d+)");
    private static final int KILLS = Integer.getInteger("replog.failover.kills", 2);

    /**
     * Answers after which the same tagged append is sent again (to the master a NOT_MASTER names, else to the next
     * node): the connection is gone or was refused, the node is not (or no longer) the master, it is stopping, or it
     * took nothing because too many appends wait. Any other answer is wrong here and fails the test.
     */
    private static final Set<Short> TRY_AGAIN = Set.of(ReplogException.CONNECTION_LOST, ErrorCode.NOT_MASTER,
        ErrorCode.SHUTTING_DOWN, ErrorCode.OVERLOADED);

    /**
     * Appends tagged messages with w=2 one after another, following the master, re-sending until acknowledged
     * while the answer says "try again" (see {@link #TRY_AGAIN}; or no answer within 3 s). Any other error, or a
     * msg_id not above the one its previous append got (each is sent after the previous was acknowledged by a
     * majority, so it is stored after it), stops the writer with a failure the test reports.
     */
    private static final class Writer extends Thread {
        final long clientId;
        final List<Integer> ports;
        final Map<Long, String> acked = new ConcurrentHashMap<>();
        final AtomicLong lastAckNanos = new AtomicLong();
        volatile boolean stop;
        volatile Throwable failure;
        int target;
        long lastMsgId;

        Writer(final long clientId, final List<Integer> ports) {
            super("writer-" + clientId);
            this.clientId = clientId;
            this.ports = ports;
        }

        @Override
        public void run() {
            long seq = 0;
            ReplogClient client = null;
            try {
                while (!stop) {
                    seq++;
                    final String text = "client " + clientId + " seq " + seq;
                    while (!stop) {
                        try {
                            if (client == null || !client.isConnected()) {
                                if (client != null) {
                                    client.close();
                                }
                                client = ReplogClient.connect("127.0.0.1", ports.get(target));
                            }
                            final long msgId = client.append(text.getBytes(StandardCharsets.UTF_8), 2, 0, clientId,
                                seq).get(3, TimeUnit.SECONDS);
                            if (msgId <= lastMsgId) {
                                throw new AssertionError(text + " acknowledged at msg_id " + msgId + ", not after "
                                    + "msg_id " + lastMsgId + " of seq " + (seq - 1) + " acknowledged before it");
                            }
                            lastMsgId = msgId;
                            acked.put(seq, text);
                            lastAckNanos.set(System.nanoTime());
                            break;
                        } catch (ExecutionException | ReplogException | TimeoutException e) {
                            client = tryAgain(text, e, client);
                        }
                    }
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (client != null) {
                    client.close();
                }
            }
        }

        /**
         * After {@code e} ({@link ExecutionException} of the append, {@link ReplogException} of the connect, or no
         * answer in time): picks the node to send to next and returns null (the connection is closed), or throws if
         * {@code e} is not an answer that means "try again".
         */
        private ReplogClient tryAgain(final String text, final Exception e, final ReplogClient client)
            throws InterruptedException {
            final Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof ReplogException r && !TRY_AGAIN.contains(r.code())) {
                throw new AssertionError(text + ": an answer that does not mean \"try again\"", r);
            }
            if (!(cause instanceof ReplogException) && !(cause instanceof TimeoutException)) {
                throw new AssertionError(text + ": not an answer of the protocol", cause);
            }
            final Matcher at = cause instanceof ReplogException r && r.code() == ErrorCode.NOT_MASTER
                ? MASTER_AT.matcher(r.getMessage()) : null;
            if (at != null && at.find() && ports.contains(Integer.parseInt(at.group(2)))) {
                target = ports.indexOf(Integer.parseInt(at.group(2)));
            } else {
                target = (target + 1) % ports.size();
                Thread.sleep(20);
            }
            if (client != null) {
                client.close();
            }
            return null;
        }
    }

    /** Fails the test as soon as a writer failed: it would only stall the waits for progress. */
    private static boolean noWriterFailed(final List<Writer> writers) {
        for (final Writer w : writers) {
            if (w.failure != null) {
                throw new AssertionError(w.getName() + " failed", w.failure);
            }
        }
        return true;
    }

    private static long acknowledged(final List<Writer> writers) {
        noWriterFailed(writers);
        return writers.stream().mapToLong(w -> w.acked.size()).sum();
    }



    private static List<String> texts(final NodeProcess node) throws Exception {
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", node.port())) {
            final List<String> texts = new ArrayList<>();
            for (final Message m : client.readAll()) {
                // exactly what was appended: msg_ids 1, 2, 3 … and no empty entry (epoch marks are never read)
                final String text = new String(m.payload(), StandardCharsets.UTF_8);
                texts.add(m.msgId() == texts.size() + 1 && !text.isEmpty() ? text
                    : "(msg_id " + m.msgId() + " at position " + (texts.size() + 1) + ": '" + text + "')");
            }
            return texts;
        }
    }

    @Test
    void killedAndPausedMastersLoseNoMajorityAcknowledgedAppend() throws Exception {
        final List<Socket> reserved = List.of(NodeProcess.reservePort(), NodeProcess.reservePort(),
            NodeProcess.reservePort());
        final List<Integer> ports = reserved.stream().map(Socket::getLocalPort).toList();
        final String peers = "1@127.0.0.1:" + ports.get(0) + ",2@127.0.0.1:" + ports.get(1) + ",3@127.0.0.1:"
            + ports.get(2);
        final List<NodeProcess> nodes = new ArrayList<>();
        final List<Writer> writers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(NodeProcess.startOn("failover-" + (i + 1), reserved.get(i), "node", "--id",
                    String.valueOf(i + 1), "--peers", peers));
            }
            int master = NodeProcess.awaitMaster(nodes, -1);
            for (int c = 1; c <= 2; c++) {
                final Writer writer = new Writer(c, ports);
                writer.target = master;
                writers.add(writer);
                writer.start();
            }
            Await.until("appends acknowledged", () -> noWriterFailed(writers)
                && writers.stream().allMatch(w -> w.acked.size() > 50));
            final List<Long> failoverMs = new ArrayList<>();
            for (int kill = 0; kill < KILLS; kill++) {
                master = NodeProcess.awaitMaster(nodes, -1); // asked just before: the newest epoch's master now
                nodes.get(master).kill();
                final long killed = System.nanoTime(); // dead: anything acknowledged after is the new master's
                final int old = master;
                Await.until("an append acknowledged after the kill", Duration.ofSeconds(30),
                    () -> noWriterFailed(writers) && writers.stream().anyMatch(w -> w.lastAckNanos.get() > killed));
                failoverMs.add(TimeUnit.NANOSECONDS.toMillis(writers.stream().mapToLong(w -> w.lastAckNanos.get())
                    .filter(t -> t > killed).min().orElseThrow() - killed));
                master = NodeProcess.awaitMaster(nodes, old);
                nodes.get(old).launch(); // back with its data directory: a secondary of the new master
                final long before = acknowledged(writers);
                Await.until("more appends", () -> acknowledged(writers) > before + 50);
            }
            System.out.println("failover times (SIGKILL of the master → first w=2 append acknowledged): "
                + failoverMs + " ms");
            // SIGSTOP: the paused master is replaced; woken up, it steps down and acknowledges nothing more
            final NodeProcess paused = nodes.get(master);
            paused.signal("STOP");
            final int pausedIndex = master;
            try {
                master = NodeProcess.awaitMaster(nodes, pausedIndex);
                final long before = acknowledged(writers);
                Await.until("appends go on", () -> acknowledged(writers) > before + 50);
            } finally {
                paused.signal("CONT");
            }
            Await.until("the paused master steps down", () -> {
                noWriterFailed(writers);
                final JsonNode h = paused.health(5_000);
                return h != null && "secondary".equals(h.path("role").asText());
            });
            final long before = acknowledged(writers);
            Await.until("appends go on", () -> acknowledged(writers) > before + 50);
        } catch (Throwable t) {
            writers.forEach(w -> w.stop = true);
            nodes.forEach(NodeProcess::close);
            throw t;
        } finally {
            writers.forEach(w -> w.stop = true);
            for (final Writer w : writers) {
                w.join(10_000);
            }
        }
        for (final Writer w : writers) {
            if (w.failure != null) {
                throw new AssertionError("writer failed", w.failure);
            }
        }
        try {
            final Map<String, Integer> expected = new HashMap<>();
            writers.forEach(w -> w.acked.values().forEach(t -> expected.put(t, 1)));
            final List<String> reference = new ArrayList<>();
            Await.until("every node holds the same log", Duration.ofSeconds(60), () -> {
                try {
                    final List<String> first = texts(nodes.get(0));
                    reference.clear();
                    reference.addAll(first);
                    return first.equals(texts(nodes.get(1))) && first.equals(texts(nodes.get(2)));
                } catch (Exception e) {
                    return false;
                }
            });
            final Map<String, Integer> counts = new HashMap<>();
            reference.forEach(t -> counts.merge(t, 1, Integer::sum));
            for (final String acked : expected.keySet()) {
                assertEquals(1, counts.getOrDefault(acked, 0), "acknowledged with w=2: " + acked);
            }
            counts.forEach((text, n) -> assertEquals(1, n, "stored once: " + text));
            assertTrue(expected.size() > 300, "enough appends: " + expected.size());
        } finally {
            nodes.forEach(NodeProcess::close);
        }
    }
}
