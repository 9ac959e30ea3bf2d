package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.List;

import static io.replog.protocol.BodyReads.readAtLeast;
import static io.replog.protocol.BodyReads.readBoolean;
import static io.replog.protocol.BodyReads.readNodeId;
import static io.replog.protocol.BodyReads.requireAtLeast;
import static io.replog.protocol.BodyReads.requireExactly;
import static io.replog.protocol.FrameCodec.writeHeader;

/**
 * Encode/decode of the peer (replication) frames: VOTE_REQUEST/VOTE_REPLY, APPEND_ENTRIES(_REPLY) and
 * TAIL_REQUEST/TAIL_REPLY. {@link FrameCodec} dispatches to it after the common header; kept apart because these
 * frames carry the engine's invariants (epochs, node ids, entry runs) that client frames know nothing of.
 */
final class PeerFrameCodec {
    private PeerFrameCodec() {
    }

    /** Encodes a peer frame into one buffer of exactly its size (its entries are arrays: nothing to share). */
    static ByteBuf encode(final Frame frame, final ByteBufAllocator alloc) {
        switch (frame.type()) {
            case FrameType.VOTE_REQUEST -> {
                final VoteRequest v = (VoteRequest) frame;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + VoteRequest.BODY_LENGTH);
                writeHeader(buf, FrameType.VOTE_REQUEST, v.preVote() ? VoteRequest.FLAG_PRE_VOTE : 0, v.requestId(),
                    VoteRequest.BODY_LENGTH);
                buf.writeInt(v.from());
                buf.writeLong(v.epoch());
                buf.writeLong(v.lastEpoch());
                buf.writeLong(v.lastId());
                return buf;
            }
            case FrameType.VOTE_REPLY -> {
                final VoteReply v = (VoteReply) frame;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + VoteReply.BODY_LENGTH);
                writeHeader(buf, FrameType.VOTE_REPLY, v.preVote() ? VoteReply.FLAG_PRE_VOTE : 0, v.requestId(),
                    VoteReply.BODY_LENGTH);
                buf.writeInt(v.from());
                buf.writeLong(v.epoch());
                buf.writeByte(v.granted() ? 1 : 0);
                return buf;
            }
            case FrameType.APPEND_ENTRIES -> {
                return encodeAppendEntries((AppendEntries) frame, alloc);
            }
            case FrameType.APPEND_ENTRIES_REPLY -> {
                final AppendEntriesReply r = (AppendEntriesReply) frame;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + AppendEntriesReply.BODY_LENGTH);
                writeHeader(buf, FrameType.APPEND_ENTRIES_REPLY, 0, r.requestId(), AppendEntriesReply.BODY_LENGTH);
                buf.writeInt(r.from());
                buf.writeLong(r.epoch());
                buf.writeByte(r.accepted() ? 1 : 0);
                buf.writeLong(r.acceptedId());
                buf.writeLong(r.durableId());
                buf.writeLong(r.conflictEpoch());
                buf.writeLong(r.conflictId());
                return buf;
            }
            case FrameType.TAIL_REQUEST -> {
                final TailRequest t = (TailRequest) frame;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + TailRequest.BODY_LENGTH);
                writeHeader(buf, FrameType.TAIL_REQUEST, t.withEntries() ? TailRequest.FLAG_WITH_ENTRIES : 0,
                    t.requestId(), TailRequest.BODY_LENGTH);
                buf.writeInt(t.from());
                buf.writeLong(t.epoch());
                buf.writeLong(t.prevId());
                buf.writeLong(t.prevEpoch());
                buf.writeLong(t.logId());
                return buf;
            }
            case FrameType.TAIL_REPLY -> {
                return encodeTailReply((TailReply) frame, alloc);
            }
            default -> throw new IllegalArgumentException("not a peer frame: " + frame);
        }
    }

    /**
     * Decodes the body of a peer frame of {@code type}, the reader index of {@code frame} at its first byte.
     *
     * @throws ProtocolException if the body is malformed
     */
    static Frame decode(final byte type, final int flags, final ByteBuf frame, final long requestId) {
        final int body = frame.readableBytes();
        return switch (type) {
            case FrameType.VOTE_REQUEST -> {
                requireExactly(body, VoteRequest.BODY_LENGTH, type, requestId);
                final int from = readNodeId(frame, type, requestId);
                final long epoch = readAtLeast(frame, 1, type, "epoch", requestId);
                final long lastEpoch = readAtLeast(frame, 0, type, "last_epoch", requestId);
                final long lastId = readAtLeast(frame, 0, type, "last_id", requestId);
                if (lastEpoch > epoch) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, "VOTE_REQUEST last_epoch "
                        + lastEpoch + " is above the epoch " + epoch + " it asks votes for");
                }
                yield new VoteRequest(requestId, from, epoch, lastEpoch, lastId,
                    (flags & VoteRequest.FLAG_PRE_VOTE) != 0);
            }
            case FrameType.VOTE_REPLY -> {
                requireExactly(body, VoteReply.BODY_LENGTH, type, requestId);
                final int from = readNodeId(frame, type, requestId);
                final long epoch = readAtLeast(frame, 0, type, "epoch", requestId);
                yield new VoteReply(requestId, from, epoch, readBoolean(frame, type, "granted", requestId),
                    (flags & VoteReply.FLAG_PRE_VOTE) != 0);
            }
            case FrameType.APPEND_ENTRIES -> decodeAppendEntries(frame, requestId);
            case FrameType.APPEND_ENTRIES_REPLY -> {
                requireExactly(body, AppendEntriesReply.BODY_LENGTH, type, requestId);
                final int from = readNodeId(frame, type, requestId);
                final long epoch = readAtLeast(frame, 0, type, "epoch", requestId);
                final boolean accepted = readBoolean(frame, type, "accepted", requestId);
                final long acceptedId = readAtLeast(frame, 0, type, "accepted_id", requestId);
                final long durableId = readAtLeast(frame, 0, type, "durable_id", requestId);
                final long conflictEpoch = readAtLeast(frame, 0, type, "conflict_epoch", requestId);
                final long conflictId = readAtLeast(frame, 0, type, "conflict_id", requestId);
                yield new AppendEntriesReply(requestId, from, epoch, accepted, acceptedId, durableId, conflictEpoch,
                    conflictId);
            }
            case FrameType.TAIL_REQUEST -> {
                requireExactly(body, TailRequest.BODY_LENGTH, type, requestId);
                final int from = readNodeId(frame, type, requestId);
                final long epoch = readAtLeast(frame, 1, type, "epoch", requestId);
                final long prevId = readAtLeast(frame, 0, type, "prev_id", requestId);
                final long prevEpoch = readAtLeast(frame, 0, type, "prev_epoch", requestId);
                if (prevEpoch > epoch) {
                    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, "TAIL_REQUEST prev_epoch "
                        + prevEpoch + " is above the frame's epoch " + epoch);
                }
                yield new TailRequest(requestId, from, epoch, prevId, prevEpoch, frame.readLong(),
                    (flags & TailRequest.FLAG_WITH_ENTRIES) != 0);
            }
            case FrameType.TAIL_REPLY -> decodeTailReply(frame, requestId);
            default -> throw new IllegalArgumentException("not a peer frame: " + FrameType.name(type));
        };
    }

    /** One buffer of exactly the frame's size: the payloads are arrays, there is nothing to share. */
    private static ByteBuf encodeAppendEntries(final AppendEntries f, final ByteBufAllocator alloc) {
        final int body = f.encodedBodyLength();
        final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + body);
        writeHeader(buf, FrameType.APPEND_ENTRIES, 0, f.requestId(), body);
        buf.writeInt(f.from());
        buf.writeLong(f.epoch());
        buf.writeLong(f.prevId());
        buf.writeLong(f.prevEpoch());
        buf.writeLong(f.commitId());
        buf.writeLong(f.logId());
        PeerEntries.write(buf, f.entries(), body - AppendEntries.FIXED_BODY_LENGTH);
        return buf;
    }

    private static ByteBuf encodeTailReply(final TailReply f, final ByteBufAllocator alloc) {
        final int body = f.encodedBodyLength();
        final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + body);
        writeHeader(buf, FrameType.TAIL_REPLY, 0, f.requestId(), body);
        buf.writeInt(f.from());
        buf.writeLong(f.epoch());
        buf.writeLong(f.lastEpoch());
        buf.writeLong(f.lastId());
        buf.writeLong(f.prevId());
        buf.writeByte(f.matched() ? 1 : 0);
        PeerEntries.write(buf, f.entries(), body - TailReply.FIXED_BODY_LENGTH);
        return buf;
    }

    private static AppendEntries decodeAppendEntries(final ByteBuf frame, final long requestId) {
        final byte type = FrameType.APPEND_ENTRIES;
        requireAtLeast(frame.readableBytes(), AppendEntries.FIXED_BODY_LENGTH, type, requestId);
        final int from = readNodeId(frame, type, requestId);
        final long epoch = readAtLeast(frame, 1, type, "epoch", requestId);
        final long prevId = readAtLeast(frame, 0, type, "prev_id", requestId);
        final long prevEpoch = readAtLeast(frame, 0, type, "prev_epoch", requestId);
        final long commitId = readAtLeast(frame, 0, type, "commit_id", requestId);
        final long logId = frame.readLong();
        if (prevEpoch > epoch) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                "APPEND_ENTRIES prev_epoch " + prevEpoch + " is above the frame's epoch " + epoch);
        }
        final List<PeerEntry> entries = PeerEntries.read(frame, prevEpoch, epoch, type, requestId);
        return new AppendEntries(requestId, from, epoch, prevId, prevEpoch, commitId, logId, entries);
    }

    private static TailReply decodeTailReply(final ByteBuf frame, final long requestId) {
        final byte type = FrameType.TAIL_REPLY;
        requireAtLeast(frame.readableBytes(), TailReply.FIXED_BODY_LENGTH, type, requestId);
        final int from = readNodeId(frame, type, requestId);
        final long epoch = readAtLeast(frame, 0, type, "epoch", requestId);
        final long lastEpoch = readAtLeast(frame, 0, type, "last_epoch", requestId);
        final long lastId = readAtLeast(frame, 0, type, "last_id", requestId);
        final long prevId = readAtLeast(frame, 0, type, "prev_id", requestId);
        final boolean matched = readBoolean(frame, type, "matched", requestId);
        if (lastEpoch > epoch) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                "TAIL_REPLY last_epoch " + lastEpoch + " is above the frame's epoch " + epoch);
        }
        final List<PeerEntry> entries = PeerEntries.read(frame, 0, lastEpoch, type, requestId);
        if (!matched && !entries.isEmpty()) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                "TAIL_REPLY carries " + entries.size() + " entries without matched: entries follow a matched prev_id");
        }
        // without entries prev_id may lie past last_id: the master asked about an index this secondary lacks
        if (!entries.isEmpty() && prevId + entries.size() > lastId) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId, "TAIL_REPLY entries "
                + (prevId + 1) + ".." + (prevId + entries.size()) + " go past its last_id " + lastId);
        }
        return new TailReply(requestId, from, epoch, lastEpoch, lastId, prevId, matched, entries);
    }
}
