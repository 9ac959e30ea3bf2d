package io.replog.node;

import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import io.replog.node.server.EventLoops;
import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthMac;
import io.replog.protocol.FrameType;
import io.replog.protocol.Ping;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import io.replog.testing.HelperThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static io.replog.node.ClusterTestSupport.client;
import static io.replog.node.ClusterTestSupport.json;
import static io.replog.node.ClusterTestSupport.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded garbage against a running secondary and master, while the real master replicates: random and mutated
 * frames ({@link FrameFuzzer}) on raw sockets, each one confirmed processed (a PONG after it, or the node closing
 * the connection because of it), reconnecting whenever a node closes the connection. Afterwards no
 * node crashed, no buffer leaked (the build's paranoid leak check), no fuzz entry was stored anywhere, and every
 * append of the real master is on both nodes, in order. {@code -Dreplog.fuzz.frames} sets the number of frames
 * (CI: 30,000; the full run in the README: 1,000,000), {@code -Dreplog.fuzz.seed} the seed.
 */
class ReplicationFuzzTest {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationFuzzTest.class);
    private static final String KEY_TEXT = "the-fuzzed-cluster-key-0123456789abcdef";
    private static final ClusterKey KEY = ClusterKey.of(KEY_TEXT);

    private final EventLoops loops = new EventLoops(2, "fuzz");
    private final List<ReplogNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        loops.close();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // the full run takes minutes; the CI run about 10 s
    void garbageOnEveryPortStoresNothingCrashesNothingAndLeaksNothingWhileTheMasterReplicates() throws Exception {
        final long frames = Long.getLong("replog.fuzz.frames", 30_000);
        final long seed = Long.getLong("replog.fuzz.seed", 20261124L);
        final ReplogNode secondary = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .clusterKey(KEY), loops);
        nodes.add(secondary);
        final ReplogNode master = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .clusterKey(KEY).secondaries(List.of(new InetSocketAddress("127.0.0.1", secondary.port()))), loops);
        nodes.add(master);
        Await.until("writable", () -> !master.role().status().readOnly());
        final long logId = Long.parseUnsignedLong(json(master, "/health").get("log_id").asText(), 16);

        // an eavesdropper's recording of a real handshake on another connection, replayed by the fuzzer
        final byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 3);
        final byte[] recordedProof;
        try (RawFrameSocket recorded = new RawFrameSocket(secondary.port())) {
            recorded.send(new AuthHello(1, logId, nonce));
            final RawFrameSocket.Frame challenge = recorded.read();
            assertEquals(FrameType.AUTH_CHALLENGE, challenge.type());
            recordedProof = AuthMac.proof(KEY_TEXT.getBytes(StandardCharsets.UTF_8), AuthMac.MASTER, logId, nonce,
                Arrays.copyOfRange(challenge.body(), 0, 32));
        }

        final AtomicBoolean appending = new AtomicBoolean(true);
        final AtomicLong acknowledged = new AtomicLong();
        final HelperThreads helpers = new HelperThreads();
        final Thread appender = helpers.start("fuzz-appender", () -> {
            try (ReplogClient c = client(master)) {
                while (appending.get()) {
                    c.append("legit-" + (acknowledged.get() + 1), 2).get(60, TimeUnit.SECONDS);
                    acknowledged.incrementAndGet();
                }
            } catch (Exception e) {
                throw new AssertionError("the real master stopped replicating after " + acknowledged.get()
                    + " appends", e);
            }
        });

        final Map<FrameFuzzer.Kind, LongAdder> kinds = new ConcurrentHashMap<>();
        final LongAdder connections = new LongAdder();
        final long start = System.nanoTime();
        final List<Thread> fuzzers = new ArrayList<>();
        final int[] ports = {secondary.port(), master.port()};
        for (int t = 0; t < ports.length; t++) {
            final int port = ports[t];
            final FrameFuzzer fuzzer = new FrameFuzzer(seed + t, logId, nonce, recordedProof);
            final long share = frames / ports.length;
            fuzzers.add(helpers.start("fuzz-" + port, () -> fuzz(port, fuzzer, share, kinds, connections)));
        }
        helpers.join(fuzzers, Duration.ofMinutes(30));
        final double seconds = (System.nanoTime() - start) / 1e9;
        appending.set(false);
        helpers.join(List.of(appender), Duration.ofSeconds(60));

        final Map<FrameFuzzer.Kind, Long> tally = new EnumMap<>(FrameFuzzer.Kind.class);
        kinds.forEach((k, n) -> tally.put(k, n.sum()));
        final long sent = tally.values().stream().mapToLong(Long::longValue).sum();
        LOG.info("fuzz: {} frames (seed {}) on {} connections in {} s ({} frames/s): {}; the master acknowledged {} "
            + "appends meanwhile", sent, seed, connections.sum(), String.format("%.1f", seconds),
            Math.round(sent / seconds), tally, acknowledged.get());
        assertEquals(frames / ports.length * ports.length, sent);

        // nobody crashed: both still answer, and the real replication went on
        try (ReplogClient c = client(master)) {
            c.ping().get(10, TimeUnit.SECONDS);
            final long last = c.append("after the fuzz", 2).get(60, TimeUnit.SECONDS);
            assertEquals(acknowledged.get() + 1, last, "msg_ids went on with nothing in between");
        }
        assertTrue(acknowledged.get() > 0, "the master replicated while it was fuzzed");
        final List<String> expected = new ArrayList<>();
        for (long i = 1; i <= acknowledged.get(); i++) {
            expected.add("legit-" + i);
        }
        expected.add("after the fuzz");
        Await.until("the secondary holds exactly the master's log", () -> texts(secondary).equals(expected));
        assertEquals(expected, texts(master), "no fuzz entry reached the master's log");
        assertTrue(json(secondary, "/health").get("unauthorized_frames").asLong() > 0);
        assertTrue(json(secondary, "/health").get("failed_handshakes").asLong() > 0);
    }

    /** Frames after which the node may close the connection: each is sent alone and confirmed. */
    private static boolean mayClose(final FrameFuzzer.Kind kind) {
        return kind != FrameFuzzer.Kind.REPLICATION && kind != FrameFuzzer.Kind.WRONG_DIRECTION;
    }

    /**
     * Sends {@code count} fuzz frames to {@code port}, each one known to be processed: frames that keep the
     * connection open go in batches of up to 64 followed by a PING whose PONG confirms them all; a frame that may
     * end the connection is followed by its own PING, and confirmed by the PONG or by the node closing the
     * connection (then a new connection is made). A batch the node closed unexpectedly is not counted.
     */
    private static void fuzz(final int port, final FrameFuzzer fuzzer, final long count,
                             final Map<FrameFuzzer.Kind, LongAdder> kinds, final LongAdder connections) {
        long processed = 0;
        long pingId = Long.MIN_VALUE / 2;
        final List<FrameFuzzer.Kind> batch = new ArrayList<>();
        while (processed < count) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                connections.increment();
                socket.setSoTimeout(30_000);
                final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                final OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                boolean open = true;
                while (open && processed < count) {
                    final FrameFuzzer.Fuzz fuzz = fuzzer.next();
                    final boolean alone = mayClose(fuzz.kind());
                    if (alone && !batch.isEmpty()) {
                        open = confirm(out, in, ++pingId);
                        processed += open ? record(batch, kinds) : 0;
                        batch.clear();
                        if (!open) {
                            break; // this frame is dropped unsent; the fuzzer draws new ones
                        }
                    }
                    out.write(fuzz.bytes());
                    batch.add(fuzz.kind());
                    if (alone || batch.size() == 64 || processed + batch.size() >= count) {
                        final boolean pong = confirm(out, in, ++pingId);
                        if (pong || alone) {
                            processed += record(batch, kinds); // a close right after it answers it, too
                        }
                        batch.clear();
                        open = pong;
                    }
                }
            } catch (IOException e) {
                batch.clear(); // reset under a write: unconfirmed, not counted
            }
        }
    }

    private static long record(final List<FrameFuzzer.Kind> batch, final Map<FrameFuzzer.Kind, LongAdder> kinds) {
        for (final FrameFuzzer.Kind kind : batch) {
            kinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
        }
        return batch.size();
    }

    /** Sends a PING and reads answers until its PONG (true) or the end of the connection (false). */
    private static boolean confirm(final OutputStream out, final DataInputStream in, final long pingId)
        throws IOException {
        out.write(FrameFuzzer.encode(new Ping(pingId)));
        out.flush();
        try {
            while (true) {
                final int length = in.readInt();
                in.readByte();
                final byte type = in.readByte();
                in.readShort();
                final long requestId = in.readLong();
                in.skipNBytes(length - 12);
                if (type == FrameType.PONG && requestId == pingId) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return false;
        }
    }
}
