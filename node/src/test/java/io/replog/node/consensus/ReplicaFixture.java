package io.replog.node.consensus;

import io.replog.protocol.PeerEntry;
import io.replog.node.consensus.PeerMessage.ReplicateReply;
import io.replog.node.consensus.PeerMessage.VoteReply;
import io.replog.protocol.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One {@link Replica} driven step by step: a clock the test sets, a transport that records what is sent to whom, a
 * {@link SimDisk} that is durable only when the test fsyncs it (and counts the syncs and vote saves asked of it),
 * events and append answers recorded as text. The random election timeout is the shortest unless the test picks
 * another point of its range. A restart builds a new replica over the same disk.
 */
final class ReplicaFixture {
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Where in [electionMin, electionMax) every election timeout falls: 0 is the shortest. */
    static final class FixedRandom extends Random {
        private static final long serialVersionUID = 1L;
        double next;

        @Override
        public double nextDouble() {
            return next;
        }
    }

    record Sent(int to, PeerMessage message) {
    }

    /** The disk under the replica, counting what was asked of it. */
    final class CountingStorage implements ReplicaStorage {
        final SimDisk disk;
        int syncs;
        final List<String> votesSaved = new ArrayList<>();

        CountingStorage(final int node) {
            disk = new SimDisk(node, new SimDisk.Watcher() {
                @Override
                public void written(final int n, final long id, final PeerEntry entry) {
                }

                @Override
                public void cut(final int n, final long id, final PeerEntry entry) {
                }
            }, () -> syncs++);
        }

        @Override
        public long lastId() {
            return disk.lastId();
        }

        @Override
        public long epochAt(final long id) {
            return disk.epochAt(id);
        }

        @Override
        public long lastIdOf(final long epoch) {
            return disk.lastIdOf(epoch);
        }

        @Override
        public long firstIdOf(final long epoch) {
            return disk.firstIdOf(epoch);
        }

        @Override
        public PeerEntry entry(final long id) {
            return disk.entry(id);
        }

        @Override
        public void forEachTag(final TagConsumer consumer) {
            disk.forEachTag(consumer);
        }

        @Override
        public int tagsKept() {
            return disk.tagsKept();
        }

        @Override
        public void append(final PeerEntry entry) {
            disk.append(entry);
        }

        @Override
        public void truncateAfter(final long lastKept) {
            disk.truncateAfter(lastKept);
        }

        @Override
        public long durableId() {
            return disk.durableId();
        }

        @Override
        public void sync() {
            disk.sync();
        }

        @Override
        public long savedEpoch() {
            return disk.savedEpoch();
        }

        @Override
        public int savedVote() {
            return disk.savedVote();
        }

        @Override
        public void saveVote(final long epoch, final int votedFor) {
            votesSaved.add(epoch + ":" + votedFor);
            disk.saveVote(epoch, votedFor);
        }
    }

    /** Every answer to an append, in order: "stored 3" or "failed NOT_MASTER (master 2): why". */
    final List<String> answers = new ArrayList<>();
    final List<Sent> sent = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final FixedRandom random = new FixedRandom();
    final CountingStorage storage;
    final int id;
    final int[] peers;
    final ReplicaSettings settings;
    final Leadership leadership;
    long now;
    Replica replica;

    ReplicaFixture(final int id, final int[] peers, final ReplicaSettings settings) {
        this(id, peers, settings, Leadership.elected());
    }

    ReplicaFixture(final int id, final int[] peers, final ReplicaSettings settings, final Leadership leadership) {
        this.id = id;
        this.peers = peers;
        this.settings = settings;
        this.leadership = leadership;
        this.storage = new CountingStorage(id);
        start();
    }

    /** Node 1 of a 3-node cluster with the default settings (election 150..300 ms, heartbeat 50 ms). */
    ReplicaFixture() {
        this(1, new int[] {2, 3}, ReplicaSettings.defaults());
    }

    /** (Re)starts the replica over the disk it had. */
    Replica start() {
        replica = new Replica(id, peers, storage, (to, message) -> sent.add(new Sent(to, message)), () -> now,
            random, settings, new ReplicaEvents() {
                @Override
                public void roleChanged(final Replica.Role role, final long epoch, final int masterId,
                                        final String why) {
                    events.add(role + " epoch " + epoch + " master " + masterId + ": " + why);
                }

                @Override
                public void truncated(final long lastKept, final long formerLastId) {
                    events.add("truncated after " + lastKept + " of " + formerLastId);
                }

                @Override
                public void voted(final long epoch, final int candidate, final boolean granted, final String why) {
                    events.add((granted ? "voted for " : "refused ") + candidate + " in " + epoch + ": " + why);
                }

                @Override
                public void committed(final long commitId) {
                    events.add("committed " + commitId);
                }

                @Override
                public void halted(final String why) {
                    events.add("halted: " + why);
                }

                @Override
                public void resending(final int peer, final long fromId, final String why, final long resends,
                                      final int retry, final long nextInMs) {
                    events.add("resending " + peer + " from " + fromId + " (" + why + "): " + resends + " resend(s), "
                        + "retry " + retry + ", next in " + nextInMs + " ms");
                }

                @Override
                public void readOnly(final String reason) {
                    events.add(reason == null ? "writable" : "read-only: " + reason);
                }
            }, leadership, BrokenRule.NONE);
        return replica;
    }

    void atMs(final double ms) {
        now = (long) (ms * MS);
    }

    void tick() {
        replica.tick();
    }

    /** Sets the clock to {@code ms} and ticks. */
    void tickAtMs(final double ms) {
        atMs(ms);
        replica.tick();
    }

    AppendCallback callback() {
        return new AppendCallback() {
            @Override
            public void stored(final long msgId) {
                answers.add("stored " + msgId);
            }

            @Override
            public void failed(final short code, final String why, final int masterId) {
                answers.add("failed " + ErrorCode.name(code) + " (master " + masterId + "): " + why);
            }
        };
    }

    void append(final String text, final int w) {
        replica.append(bytes(text), w, 0, 0, callback());
    }

    void appendTagged(final String text, final int w, final long clientId, final long seq) {
        replica.append(bytes(text), w, clientId, seq, callback());
    }

    static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static PeerEntry entry(final long epoch, final String text) {
        return PeerEntry.message(epoch, bytes(text), 0, 0);
    }

    /** The store's fsync ran and its report reached the replica. */
    long fsync() {
        final long synced = storage.disk.fsync();
        replica.durable(synced);
        return synced;
    }

    List<PeerMessage> sentTo(final int peer) {
        return sent.stream().filter(s -> s.to() == peer).map(Sent::message).toList();
    }

    <T extends PeerMessage> T lastTo(final int peer, final Class<T> type) {
        final List<PeerMessage> to = sentTo(peer);
        assertTrue(!to.isEmpty(), "nothing sent to " + peer);
        return assertInstanceOf(type, to.get(to.size() - 1), "last to " + peer);
    }

    void clearSent() {
        sent.clear();
    }

    /**
     * Elects this replica (node 1 of 1, 2, 3 with the shortest timeout) from where it stands: its timeout passes,
     * node 2 would vote and then votes. Returns with nothing recorded as sent.
     */
    void becomeMaster() {
        now += settings.electionMaxMs() * MS;
        replica.tick();
        final long next = replica.epoch() + 1;
        replica.receive(peers[0], new VoteReply(next, true, true));
        replica.receive(peers[0], new VoteReply(next, true, false));
        assertEquals(Replica.Role.LEADER, replica.role(), events.toString());
        sent.clear();
        events.clear();
    }

    /** Peer {@code from} says it holds the master's log up to {@code acceptedId}, durably up to {@code durableId}. */
    void accepted(final int from, final long acceptedId, final long durableId) {
        replica.receive(from, new ReplicateReply(replica.epoch(), true, acceptedId, durableId, 0, 0));
    }
}
