package io.replog.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.AppendEntriesReply;
import io.replog.protocol.AppendOk;
import io.replog.protocol.AuthChallenge;
import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthOk;
import io.replog.protocol.AuthProof;
import io.replog.protocol.EntryRun;
import io.replog.protocol.Frame;
import io.replog.protocol.FrameCodec;
import io.replog.protocol.FrameType;
import io.replog.protocol.HealthOk;
import io.replog.protocol.PeerEntry;
import io.replog.protocol.Pong;
import io.replog.protocol.ReadOk;
import io.replog.protocol.TailReply;
import io.replog.protocol.TailRequest;
import io.replog.protocol.VoteReply;
import io.replog.protocol.VoteRequest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded frames an attacker or a broken peer could send to a node's binary port, every one encoded to bytes: valid
 * peer frames of the replication engine (APPEND_ENTRIES, VOTE_*, TAIL_*, replies) on an unauthenticated connection
 * (the right log_id too), valid headers with corrupted or
 * truncated bodies, frames of the wrong direction, handshake frames out of order, a recorded handshake replayed,
 * and bit flips of valid frames. Never a valid APPEND: client appends need no key, so one would be stored rightly.
 */
final class FrameFuzzer {
    /** What each frame is, for the test's tally. */
    enum Kind { REPLICATION, CORRUPTED_BODY, TRUNCATED_RUN, WRONG_DIRECTION, HANDSHAKE_OUT_OF_ORDER, REPLAY, BIT_FLIP }

    record Fuzz(Kind kind, byte[] bytes) {
    }

    private final SplittableRandom random;
    private final long logId;
    private final byte[] recordedHello;
    private final byte[] recordedProof;

    /**
     * @param logId         the log the target holds (an attacker reads it from /health)
     * @param recordedProof an AUTH_PROOF a real master sent on another connection, as an eavesdropper recorded it
     */
    FrameFuzzer(final long seed, final long logId, final byte[] recordedNonce, final byte[] recordedProof) {
        this.random = new SplittableRandom(seed);
        this.logId = logId;
        this.recordedHello = encode(new AuthHello(1, logId, recordedNonce));
        this.recordedProof = encode(new AuthProof(2, recordedProof));
    }

    Fuzz next() {
        final int dice = random.nextInt(100);
        if (dice < 35) {
            return new Fuzz(Kind.REPLICATION, encode(replication()));
        } else if (dice < 50) {
            return new Fuzz(Kind.WRONG_DIRECTION, encode(wrongDirection()));
        } else if (dice < 60) {
            return new Fuzz(Kind.CORRUPTED_BODY, corruptedBody());
        } else if (dice < 70) {
            return new Fuzz(Kind.TRUNCATED_RUN, truncatedRun());
        } else if (dice < 80) {
            return new Fuzz(Kind.HANDSHAKE_OUT_OF_ORDER, encode(outOfOrderHandshake()));
        } else if (dice < 85) {
            return new Fuzz(Kind.REPLAY, concat(recordedHello, recordedProof));
        }
        return new Fuzz(Kind.BIT_FLIP, bitFlip(encode(random.nextBoolean() ? replication() : wrongDirection())));
    }

    private long someLogId() {
        return random.nextInt(4) == 0 ? random.nextLong() : logId;
    }

    private long someId() {
        return switch (random.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1 + random.nextInt(1000);
            case 2 -> Long.MAX_VALUE - random.nextInt(10);
            default -> 1 + random.nextLong(Long.MAX_VALUE - 1);
        };
    }

    private ByteBuf run(final int count) {
        final ByteBuf run = Unpooled.buffer();
        for (int i = 0; i < count; i++) {
            EntryRun.writeEntry(run, ("fuzz-" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8));
        }
        return run;
    }

    /** {@code count} entries of {@code epoch}, now and then a tagged one or a new master's epoch start. */
    private List<PeerEntry> entries(final long epoch, final int count) {
        final List<PeerEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final byte[] payload = ("fuzz-" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
            entries.add(switch (random.nextInt(8)) {
                case 0 -> PeerEntry.epochStart(epoch);
                case 1 -> PeerEntry.tagged(epoch, 1 + random.nextInt(1000), someId(), payload);
                default -> PeerEntry.message(epoch, payload);
            });
        }
        return entries;
    }

    /** Well-formed peer frames (the replication engine's), from a node id that may be real, in plausible epochs. */
    private Frame replication() {
        final long requestId = random.nextLong();
        final int from = 1 + random.nextInt(3);
        final long epoch = 1 + random.nextInt(5);
        final long prevEpoch = random.nextInt((int) epoch + 1);
        return switch (random.nextInt(7)) {
            case 0 -> new AppendEntries(requestId, from, epoch, random.nextInt(3) == 0 ? 0 : someId(), prevEpoch,
                someId(), someLogId(), List.of()); // a heartbeat
            case 1 -> new VoteRequest(requestId, from, epoch, prevEpoch, someId(), random.nextBoolean());
            case 2 -> new TailRequest(requestId, from, epoch, someId(), prevEpoch, someLogId(), random.nextBoolean());
            case 3 -> new AppendEntriesReply(requestId, from, epoch, random.nextBoolean(), someId(), someId(),
                prevEpoch, someId()); // answers on a connection nobody asked on
            case 4 -> new VoteReply(requestId, from, epoch, true, random.nextBoolean());
            case 5 -> new TailReply(requestId, from, epoch, prevEpoch, someId(), someId(), random.nextBoolean(),
                entries(epoch, random.nextInt(5)));
            default -> new AppendEntries(requestId, from, epoch, someId(), prevEpoch, someId(), someLogId(),
                entries(epoch, 1 + random.nextInt(20)));
        };
    }

    private Frame wrongDirection() {
        final long requestId = random.nextLong();
        return switch (1 + random.nextInt(6)) {
            case 1 -> new AppendOk(requestId, someId());
            case 2 -> {
                final int count = random.nextInt(5);
                yield new ReadOk(requestId, someId(), count, someId(), run(count));
            }
            case 3 -> new Pong(requestId);
            case 4 -> new HealthOk(requestId, "{\"role\":\"master\"}");
            case 5 -> new AuthChallenge(requestId, bytes(32), bytes(32));
            default -> new AuthOk(requestId);
        };
    }

    private Frame outOfOrderHandshake() {
        final long requestId = random.nextLong();
        // a proof with no HELLO before it, or made up: both end the connection
        return random.nextBoolean() ? new AuthProof(requestId, bytes(32))
            : new AuthHello(requestId, someLogId(), bytes(32));
    }

    /** A known type with a body of random bytes and a consistent length: the codec must refuse what it cannot read. */
    private byte[] corruptedBody() {
        final byte[] types = {FrameType.APPEND_ENTRIES, FrameType.APPEND_ENTRIES_REPLY, FrameType.VOTE_REQUEST,
            FrameType.VOTE_REPLY, FrameType.TAIL_REQUEST, FrameType.TAIL_REPLY, FrameType.READ, FrameType.READ_OK,
            FrameType.AUTH_HELLO, FrameType.AUTH_PROOF, FrameType.AUTH_CHALLENGE, FrameType.ERROR, FrameType.PING,
            FrameType.HEALTH, (byte) 0x11, (byte) 0x7f, (byte) 0xff};
        final byte[] body = bytes(random.nextInt(80));
        final ByteBuffer frame = ByteBuffer.allocate(16 + body.length);
        frame.putInt(12 + body.length).put((byte) 1).put(types[random.nextInt(types.length)]).putShort((short) 0)
            .putLong(random.nextLong()).put(body);
        return frame.array();
    }

    /**
     * An APPEND_ENTRIES whose entries are fewer than its count, or whose last entry's length runs past the frame.
     */
    private byte[] truncatedRun() {
        final int count = 2 + random.nextInt(10);
        final byte[] full = encode(new AppendEntries(random.nextLong(), 1, 1, someId(), 1, 0, logId,
            entries(1, count)));
        final int beforeEntries = 16 + AppendEntries.FIXED_BODY_LENGTH;
        final int cut = 1 + random.nextInt(Math.min(20, full.length - beforeEntries));
        final byte[] truncated = new byte[full.length - cut];
        System.arraycopy(full, 0, truncated, 0, truncated.length);
        ByteBuffer.wrap(truncated).putInt(0, truncated.length - 4); // the length agrees; the run does not
        return truncated;
    }

    /** One to three bits flipped anywhere after the length field (a flipped length would desynchronise the rest). */
    private byte[] bitFlip(final byte[] frame) {
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            final int at = 4 + random.nextInt(frame.length - 4);
            frame[at] ^= (byte) (1 << random.nextInt(8));
        }
        if (frame[5] == FrameType.APPEND) {
            frame[5] = FrameType.PING ^ 0x40; // an unknown type rather than a valid append
        }
        return frame;
    }

    private byte[] bytes(final int n) {
        final byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static byte[] encode(final Frame frame) {
        final List<Object> parts = new ArrayList<>();
        try {
            FrameCodec.encode(frame, UnpooledByteBufAllocator.DEFAULT, parts);
            final ByteBuf all = Unpooled.buffer();
            for (final Object part : parts) {
                all.writeBytes((ByteBuf) part);
            }
            final byte[] bytes = ByteBufUtil.getBytes(all);
            all.release();
            return bytes;
        } finally {
            parts.forEach(ReferenceCountUtil::release);
            ReferenceCountUtil.release(frame);
        }
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
