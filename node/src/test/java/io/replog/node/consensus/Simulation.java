package io.replog.node.consensus;

import io.replog.protocol.ErrorCode;
import org.agrona.concurrent.NanoClock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A cluster in one thread (elected masters, or a static master: {@link Options#staticLeader}): the real {@link Replica} of every node under a simulated clock, network and
 * disk, every fault decided by one seeded {@link Random}, so a seed replays exactly. The network drops, delays,
 * duplicates and reorders messages per link and partitions nodes; nodes crash (process or machine: the latter loses
 * what was not fsynced), restart and pause (SIGSTOP: they hear nothing and say nothing, then go on as if no time had
 * passed); clients append tagged messages with random w, follow NOT_MASTER and resend after timeouts. The
 * {@link Invariants} are checked after every event. After the operations the faults stop and the cluster must come
 * together: one master, every node holding the same log with every committed entry, every client answered.
 */
final class Simulation {
    /**
     * The shape of one run: elected masters, or node 1 the static master ({@code staticLeader}); with
     * {@code appendTimeouts} clients give their appends a timeout_ms (30..329 ms), answered TIMEOUT by the engine.
     */
    record Options(int ops, BrokenRule broken, boolean trace, boolean staticLeader, boolean appendTimeouts) {
        Options(final int ops, final BrokenRule broken, final boolean trace, final boolean staticLeader) {
            this(ops, broken, trace, staticLeader, false);
        }

        Options(final int ops, final BrokenRule broken, final boolean trace) {
            this(ops, broken, trace, false);
        }
    }

    /** What a run did, for the report. */
    record Result(long seed, int nodes, long events, long elections, long committed, long simulatedMs,
                  long crashes, long partitions) {
    }

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long TICK = 10 * MS;
    private static final long CLIENT_TIMEOUT = 1000 * MS;
    private static final long SETTLE_LIMIT = 60_000 * MS;
    private static final int TRACE_KEPT = 400;
    private static final long MAX_EVENTS = 3_000_000;

    private final long seed;
    private final Options options;
    private final Random random;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    private long now;
    private long order;
    private long events;
    private final SimNode[] nodes;
    private final Client[] clients;
    private final Invariants invariants;
    private final ReplicaSettings settings;
    private final Leadership leadership;
    /** Up to how long the static master's fsyncs wait on top of the usual (0: as every node's). */
    private final long lazyFlushMs;
    /** The last events (time, format, arguments), formatted only when a run fails. */
    private final ArrayDeque<Object[]> trace = new ArrayDeque<>();

    // network faults of this run
    private final double dropRate;
    private final double duplicateRate;
    private final double slowRate;
    private final double crashAfterVote;
    private final double crashNewMaster;
    private final boolean[][] cut;
    private int opsStarted;
    private boolean settling;
    private long crashes;
    private long partitions;

    private record Scheduled(long at, long order, Runnable action) implements Comparable<Scheduled> {
        @Override
        public int compareTo(final Scheduled other) {
            return at != other.at ? Long.compare(at, other.at) : Long.compare(order, other.order);
        }
    }

    /** One node: its disk survives crashes; its replica does not. */
    private final class SimNode {
        final int id;
        final SimDisk disk;
        Replica replica;
        boolean up;
        long pausedUntil;
        int incarnation;
        boolean syncScheduled;

        SimNode(final int id) {
            this.id = id;
            this.disk = new SimDisk(id, invariants, this::syncRequested);
        }

        void start() {
            up = true;
            incarnation++;
            syncScheduled = false;
            final int[] peers = new int[nodes.length - 1];
            int i = 0;
            for (final SimNode other : nodes) {
                if (other.id != id) {
                    peers[i++] = other.id;
                }
            }
            final NanoClock clock = () -> now;
            replica = new Replica(id, peers, disk, (to, message) -> send(id, to, message), clock,
                new Random(random.nextLong()), settings, new ReplicaEvents() {
                    @Override
                    public void roleChanged(final Replica.Role role, final long epoch, final int masterId,
                                            final String why) {
                        trace("node %d: %s in epoch %d (master %d): %s", id, role, epoch, masterId, why);
                        // a master that dies moments after its election, its first entries half sent
                        if (role == Replica.Role.LEADER && !settling && random.nextDouble() < crashNewMaster) {
                            final int life = incarnation;
                            after(random.nextInt((int) (10 * MS)), () -> {
                                if (incarnation == life && up) {
                                    crash(SimNode.this, random.nextBoolean());
                                }
                            });
                        }
                    }

                    @Override
                    public void voted(final long epoch, final int candidate, final boolean granted,
                                      final String why) {
                        trace("node %d: %s node %d in epoch %d", id, granted ? "voted for" : "refused", candidate,
                            epoch);
                        // the worst moment to crash: right after a vote was given, back at once (same election)
                        if (granted && !settling && random.nextDouble() < crashAfterVote) {
                            final int life = incarnation;
                            after(0, () -> {
                                if (incarnation == life && up) {
                                    crash(SimNode.this, random.nextBoolean(), MS + random.nextInt((int) (5 * MS)));
                                }
                            });
                        }
                    }

                    @Override
                    public void truncated(final long lastKept, final long formerLastId) {
                        trace("node %d: cut msg_ids %d..%d", id, lastKept + 1, formerLastId);
                    }
                }, leadership, options.broken());
            final int life = incarnation;
            every(TICK, () -> {
                if (incarnation == life && up) {
                    onNode(this::tick);
                }
                return incarnation == life && up;
            });
        }

        private void tick() {
            replica.tick();
            replica.flush();
        }

        void syncRequested() {
            if (!syncScheduled && up) {
                syncScheduled = true;
                final int life = incarnation;
                // a static master under a lazy flush policy (--flush interval): what it wrote waits for the next
                // flush while its secondaries hold it durably already, the tail a machine crash takes
                final long lazy = id == 1 && lazyFlushMs > 0 ? random.nextInt((int) (lazyFlushMs * MS)) : 0;
                after(MS / 2 + random.nextInt((int) (2 * MS)) + lazy, () -> {
                    if (incarnation == life && up) {
                        onNode(() -> {
                            syncScheduled = false;
                            final long synced = disk.fsync();
                            // the store tells the replica through its queue: a truncation may come first
                            after(random.nextInt((int) MS), () -> {
                                if (incarnation == life && up) {
                                    onNode(() -> {
                                        replica.durable(synced);
                                        replica.flush();
                                    });
                                }
                            });
                        });
                    }
                });
            }
        }

        /** Runs {@code action} now, or when the node wakes up if it is paused. */
        void onNode(final Runnable action) {
            if (pausedUntil > now) {
                final int life = incarnation;
                at(pausedUntil, () -> {
                    if (incarnation == life && up) {
                        onNode(action);
                    }
                });
                return;
            }
            action.run();
            invariants.afterEvent(Simulation.this);
        }
    }

    /** A client appending tagged messages one at a time, following the master around. */
    private final class Client {
        final long clientId;
        long seq;
        int w;
        byte[] payload;
        boolean busy;
        int attempt;
        int target;

        Client(final long clientId) {
            this.clientId = clientId;
            this.target = 1 + random.nextInt(nodes.length);
        }

        void next() {
            if (settling) {
                busy = false;
                return;
            }
            opsStarted++;
            seq++;
            w = 1 + random.nextInt(nodes.length);
            payload = ("client " + clientId + " seq " + seq + " w " + w).getBytes(StandardCharsets.UTF_8);
            busy = true;
            send();
        }

        void send() {
            final int thisAttempt = ++attempt;
            final SimNode node = nodes[target - 1];
            after(CLIENT_TIMEOUT, () -> {
                if (attempt == thisAttempt && busy) {
                    trace("client %d: no answer for seq %d from node %d; trying another", clientId, seq, target);
                    target = 1 + random.nextInt(nodes.length);
                    send();
                }
            });
            after(MS / 4, () -> {
                if (!node.up) {
                    return; // the timeout resends
                }
                node.onNode(() -> {
                    final long sentSeq = seq;
                    final int sentW = w;
                    final byte[] sentPayload = payload;
                    // from the seq, not the random source: the runs without timeouts stay as they were
                    final long timeout = options.appendTimeouts() ? (30 + (clientId * 131 + seq * 37) % 300) * MS : 0;
                    node.replica.append(payload, w, clientId, seq, timeout, new AppendCallback() {
                        @Override
                        public void stored(final long msgId) {
                            invariants.acknowledged(node.id, node.replica.epoch(), node.disk, msgId, clientId,
                                sentSeq, sentW, sentPayload, disks());
                            trace("client %d: seq %d stored as msg_id %d with w=%d by node %d", clientId, sentSeq,
                                msgId, sentW, node.id);
                            after(MS / 4, () -> answered(thisAttempt, true, Replica.NOBODY, (short) 0));
                        }

                        @Override
                        public void failed(final short code, final String why, final int masterId) {
                            if (code == ErrorCode.INVALID_REQUEST) {
                                invariants.fail("a valid append was refused: " + why);
                            }
                            trace("client %d: seq %d refused by node %d: %s %s", clientId, sentSeq, node.id,
                                ErrorCode.name(code), why);
                            after(MS / 4, () -> answered(thisAttempt, false, masterId, code));
                        }
                    });
                    node.replica.flush();
                });
            });
        }

        void answered(final int answeredAttempt, final boolean stored, final int masterId, final short code) {
            if (answeredAttempt != attempt || !busy) {
                return; // an answer to an attempt already given up on
            }
            attempt++;
            if (stored) {
                after(random.nextInt((int) (3 * MS)), this::next);
                return;
            }
            if (masterId != Replica.NOBODY && code == ErrorCode.NOT_MASTER) {
                target = masterId;
                after(MS, this::send);
            } else {
                target = 1 + random.nextInt(nodes.length);
                after(20 * MS + random.nextInt((int) (30 * MS)), this::send);
            }
        }
    }

    Simulation(final long seed, final Options options) {
        this.seed = seed;
        this.options = options;
        this.random = new Random(seed);
        final int size = random.nextInt(10) < 6 ? 3 : 5;
        this.invariants = new Invariants(size, options.staticLeader() ? 1 : Replica.NOBODY);
        this.nodes = new SimNode[size];
        for (int i = 0; i < size; i++) {
            nodes[i] = new SimNode(i + 1);
        }
        this.clients = new Client[3];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new Client(i + 1);
        }
        // small batches split a catch-up over many messages: more interleavings of old and new epochs
        // a narrow election timeout spread makes candidates collide: split votes, competing masters
        this.settings = new ReplicaSettings(150, new int[] {160, 200, 300}[random.nextInt(3)], 50,
            new int[] {1, 2, 4, 16, 64}[random.nextInt(5)], 10_000);
        this.dropRate = random.nextDouble() * 0.15;
        this.duplicateRate = random.nextDouble() * 0.05;
        this.slowRate = random.nextDouble() * 0.1;
        this.crashAfterVote = random.nextDouble() * 0.1;
        this.crashNewMaster = random.nextDouble() * 0.2;
        this.cut = new boolean[size + 1][size + 1];
        // drawn last, and only for a static leader: an elected run replays exactly as before this option
        // (no wait, a short one, one past the retries: the w below a majority is best effort either way)
        this.leadership = options.staticLeader()
            ? Leadership.staticLeader(1, new long[] {0, 60, 300}[random.nextInt(3)]) : Leadership.elected();
        this.lazyFlushMs = options.staticLeader() ? new long[] {0, 20, 100}[random.nextInt(3)] : 0;
    }

    Result run() {
        try {
            for (final SimNode node : nodes) {
                node.start();
            }
            for (final Client client : clients) {
                after(random.nextInt((int) (300 * MS)), client::next);
            }
            scheduleFault();
            while (opsStarted < options.ops() && !queue.isEmpty()) {
                step();
            }
            settle();
        } catch (final RuntimeException e) {
            final String what = e instanceof InvariantViolation ? e.getMessage() : "the replica failed: " + e;
            throw new InvariantViolation("seed " + seed + " at " + now / MS + " ms: " + what
                + "\nlast events:\n" + recentTrace(), e);
        }
        return new Result(seed, nodes.length, events, invariants.elections(), invariants.committed(),
            now / MS, crashes, partitions);
    }

    /** Faults stop; everyone comes back; the cluster must agree on one log holding every committed entry. */
    private void settle() {
        settling = true;
        for (final boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
        for (final SimNode node : nodes) {
            node.pausedUntil = 0;
            if (!node.up) {
                node.start();
            }
        }
        trace("settling: faults stopped, every node up");
        final long deadline = now + SETTLE_LIMIT;
        while (now < deadline && !queue.isEmpty()) {
            step();
            if (converged()) {
                invariants.converged(nodes[0].disk.entries());
                return;
            }
        }
        invariants.fail("no agreement within " + SETTLE_LIMIT / MS + " ms after the faults stopped: "
            + java.util.Arrays.stream(nodes).map(n -> n.replica.toString()).toList());
    }

    private boolean converged() {
        for (final Client client : clients) {
            if (client.busy) {
                return false;
            }
        }
        SimNode master = null;
        for (final SimNode node : nodes) {
            if (node.replica.role() == Replica.Role.LEADER) {
                master = node;
            }
        }
        if (master == null || master.replica.commitId() != master.disk.lastId()) {
            return false;
        }
        for (final SimNode node : nodes) {
            if (node.disk.lastId() != master.disk.lastId() || node.replica.epoch() != master.replica.epoch()
                || node.disk.epochAt(node.disk.lastId()) != master.disk.epochAt(master.disk.lastId())) {
                return false;
            }
        }
        return true;
    }

    private void step() {
        if (events > MAX_EVENTS) {
            invariants.fail("runaway: over " + MAX_EVENTS + " events (a message storm?)");
        }
        final Scheduled next = queue.poll();
        now = next.at();
        events++;
        next.action().run();
    }

    // ---------------------------------------------------------------- faults

    private void scheduleFault() {
        after(20 * MS + random.nextInt((int) (250 * MS)), () -> {
            if (settling) {
                return;
            }
            opsStarted++;
            fault();
            scheduleFault();
        });
    }

    private void fault() {
        final SimNode node = nodes[random.nextInt(nodes.length)];
        final int kind = random.nextInt(100);
        if (kind < 25) {
            if (node.up) {
                crash(node, random.nextBoolean());
            }
        } else if (kind < 35) {
            final SimNode master = currentMaster();
            if (master != null) {
                crash(master, random.nextBoolean());
            }
        } else if (kind < 45) {
            if (node.up && node.pausedUntil <= now) {
                node.pausedUntil = now + 50 * MS + random.nextInt((int) (600 * MS));
                trace("node %d: paused until %d ms", node.id, node.pausedUntil / MS);
            }
        } else if (kind < 70) {
            partition();
        } else {
            for (final boolean[] row : cut) {
                java.util.Arrays.fill(row, false);
            }
            trace("network healed");
        }
    }

    private SimNode currentMaster() {
        for (final SimNode node : nodes) {
            if (node.up && node.replica.role() == Replica.Role.LEADER) {
                return node;
            }
        }
        return null;
    }

    private void crash(final SimNode node, final boolean machine) {
        // some come back at once (in the same election), some after a while
        crash(node, machine, random.nextBoolean() ? MS + random.nextInt((int) (30 * MS))
            : 30 * MS + random.nextInt((int) (800 * MS)));
    }

    private void crash(final SimNode node, final boolean machine, final long down) {
        crashes++;
        node.up = false;
        node.incarnation++;
        if (machine) {
            node.disk.machineCrash(random);
        } else {
            node.disk.processCrash();
        }
        invariants.crashed(node.id);
        trace("node %d: %s crash; disk holds %d (epoch %d)", node.id, machine ? "machine" : "process",
            node.disk.lastId(), node.disk.savedEpoch());
        after(down, () -> {
            if (!node.up) {
                node.start();
                trace("node %d: restarted", node.id);
                invariants.afterEvent(this);
            }
        });
    }

    private void partition() {
        partitions++;
        final int shape = random.nextInt(3);
        if (shape == 0) {
            final int isolated = 1 + random.nextInt(nodes.length);
            for (int other = 1; other <= nodes.length; other++) {
                cut[isolated][other] = true;
                cut[other][isolated] = true;
            }
            trace("network: node %d isolated", isolated);
        } else if (shape == 1) {
            final boolean[] side = new boolean[nodes.length + 1];
            for (int n = 1; n <= nodes.length; n++) {
                side[n] = random.nextBoolean();
            }
            for (int a = 1; a <= nodes.length; a++) {
                for (int b = 1; b <= nodes.length; b++) {
                    cut[a][b] = side[a] != side[b];
                }
            }
            trace("network: split %s", java.util.Arrays.toString(side));
        } else {
            final int a = 1 + random.nextInt(nodes.length);
            final int b = 1 + random.nextInt(nodes.length);
            cut[a][b] = true;
            trace("network: %d can no longer reach %d (one way)", a, b);
        }
    }

    private void send(final int from, final int to, final PeerMessage message) {
        if (cut[from][to] || random.nextDouble() < dropRate) {
            return;
        }
        deliverLater(from, to, message);
        if (random.nextDouble() < duplicateRate) {
            deliverLater(from, to, message);
        }
    }

    private void deliverLater(final int from, final int to, final PeerMessage message) {
        final long delay = random.nextDouble() < slowRate ? random.nextInt((int) (80 * MS))
            : MS / 10 + random.nextInt((int) (2 * MS));
        after(delay, () -> {
            final SimNode node = nodes[to - 1];
            if (node.up && !cut[from][to]) {
                node.onNode(() -> {
                    node.replica.receive(from, message);
                    node.replica.flush();
                });
            }
        });
    }

    // ---------------------------------------------------------------- scheduling

    private void after(final long delay, final Runnable action) {
        at(now + delay, action);
    }

    private void at(final long when, final Runnable action) {
        queue.add(new Scheduled(when, order++, action));
    }

    /** Runs {@code action} every {@code period} while it returns true. */
    private void every(final long period, final java.util.function.BooleanSupplier action) {
        after(period, () -> {
            if (action.getAsBoolean()) {
                every(period, action);
            }
        });
    }

    // ---------------------------------------------------------------- what the invariants look at

    List<Replica> liveReplicas() {
        final List<Replica> live = new ArrayList<>(nodes.length);
        for (final SimNode node : nodes) {
            if (node.up) {
                live.add(node.replica);
            }
        }
        return live;
    }

    List<SimDisk> disks() {
        final List<SimDisk> disks = new ArrayList<>(nodes.length);
        for (final SimNode node : nodes) {
            disks.add(node.disk);
        }
        return disks;
    }

    SimDisk disk(final int node) {
        return nodes[node - 1].disk;
    }

    long nowMs() {
        return now / MS;
    }

    void trace(final String format, final Object... args) {
        if (options.trace()) {
            System.out.printf("%8.3f ms  %s%n", now / (double) MS, String.format(format, args));
            return;
        }
        if (trace.size() == TRACE_KEPT) {
            trace.pollFirst();
        }
        trace.addLast(new Object[] {now, format, args});
    }

    /** The last events before a failure, for its report. */
    private String recentTrace() {
        final StringBuilder out = new StringBuilder();
        for (final Object[] line : trace) {
            out.append(String.format("%8.3f ms  ", (Long) line[0] / (double) MS))
                .append(String.format((String) line[1], (Object[]) line[2])).append('\n');
        }
        return out.toString();
    }
}
