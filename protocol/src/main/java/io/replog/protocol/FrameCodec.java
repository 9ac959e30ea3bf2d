package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.replog.protocol.BodyReads.readBytes;
import static io.replog.protocol.BodyReads.requireAtLeast;
import static io.replog.protocol.BodyReads.requireExactly;

/**
 * Pure encode/decode of frames, free of any pipeline: {@link FrameEncoder} and {@link FrameDecoder} are thin
 * Netty wrappers around it, and hot paths call the {@code write*} methods to encode many frames into one buffer.
 * It reads and writes the header and the client frames itself and hands the peer (replication) frames' bodies to
 * {@link PeerFrameCodec}.
 */
public final class FrameCodec {
    /**
     * Payloads at least this large are sent as a separate buffer after the header instead of being copied
     * (gathering write); smaller ones are cheaper to copy than to track.
     */
    public static final int ZERO_COPY_THRESHOLD = 1024;

    private FrameCodec() {
    }

    /** Writes the 16-byte header of a frame whose body is {@code bodyLength} bytes. */
    public static void writeHeader(final ByteBuf out, final byte type, final int flags, final long requestId,
                                   final int bodyLength) {
        out.writeInt(FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD + bodyLength);
        out.writeByte(FrameHeader.VERSION);
        out.writeByte(type);
        out.writeShort(flags);
        out.writeLong(requestId);
    }

    public static void writeAppendOk(final ByteBuf out, final long requestId, final long msgId) {
        writeAppendOk(out, requestId, msgId, false);
    }

    /** APPEND_OK, flagged {@link AppendOk#FLAG_DUPLICATE} when the tag was stored before. */
    public static void writeAppendOk(final ByteBuf out, final long requestId, final long msgId,
                                     final boolean duplicate) {
        writeHeader(out, FrameType.APPEND_OK, duplicate ? AppendOk.FLAG_DUPLICATE : 0, requestId,
            AppendOk.BODY_LENGTH);
        out.writeLong(msgId);
    }

    public static void writeError(final ByteBuf out, final long requestId, final short code, final String message) {
        final int textLength = ByteBufUtil.utf8Bytes(message);
        writeHeader(out, FrameType.ERROR, 0, requestId, ErrorFrame.FIXED_BODY_LENGTH + textLength);
        out.writeShort(code);
        out.writeCharSequence(message, StandardCharsets.UTF_8);
    }

    /** Writes the header and fixed fields of an untagged APPEND whose payload follows. */
    public static void writeAppendHeader(final ByteBuf out, final long requestId, final int w, final long timeoutMs,
                                         final int payloadLength) {
        writeAppendHeader(out, requestId, w, timeoutMs, 0, 0, payloadLength);
    }

    /** Writes the header and fixed fields of an APPEND, tagged when {@code clientId != 0}, whose payload follows. */
    public static void writeAppendHeader(final ByteBuf out, final long requestId, final int w, final long timeoutMs,
                                         final long clientId, final long seq, final int payloadLength) {
        final boolean tagged = clientId != 0;
        writeHeader(out, FrameType.APPEND, tagged ? Append.FLAG_TAGGED : 0, requestId,
            Append.FIXED_BODY_LENGTH + (tagged ? Append.TAG_LENGTH : 0) + payloadLength);
        out.writeByte(w);
        out.writeMedium(0);
        out.writeInt((int) timeoutMs); // uint32
        if (tagged) {
            out.writeLong(clientId);
            out.writeLong(seq);
        }
    }

    /** Writes the header and fixed fields of a READ_OK whose entry run of {@code runLength} bytes follows. */
    public static void writeReadOkHeader(final ByteBuf out, final long requestId, final long firstId,
                                         final int count, final long lastId, final int runLength) {
        writeHeader(out, FrameType.READ_OK, 0, requestId, ReadOk.FIXED_BODY_LENGTH + runLength);
        out.writeLong(firstId);
        out.writeInt(count);
        out.writeLong(lastId);
    }

    /**
     * Encodes {@code frame} into one or two buffers added to {@code out} (header, then a retained payload when it
     * is large enough to be worth not copying). Does not release {@code frame}.
     */
    public static void encode(final Frame frame, final ByteBufAllocator alloc, final List<Object> out) {
        switch (frame.type()) {
            case FrameType.APPEND -> encodeAppend((Append) frame, alloc, out);
            case FrameType.READ_OK -> encodeReadOk((ReadOk) frame, alloc, out);
            case FrameType.APPEND_OK -> {
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + AppendOk.BODY_LENGTH);
                final AppendOk ok = (AppendOk) frame;
                writeAppendOk(buf, ok.requestId(), ok.msgId(), ok.duplicate());
                out.add(buf);
            }
            case FrameType.READ -> {
                final Read f = (Read) frame;
                final int body = f.waits() ? Read.WAIT_BODY_LENGTH : Read.BODY_LENGTH;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + body);
                writeHeader(buf, FrameType.READ, f.waits() ? Read.FLAG_WAIT : 0, f.requestId(), body);
                buf.writeLong(f.fromId());
                buf.writeInt(f.maxCount());
                if (f.waits()) {
                    buf.writeInt((int) f.waitMs());
                }
                out.add(buf);
            }
            case FrameType.AUTH_HELLO -> {
                final AuthHello h = (AuthHello) frame;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + AuthHello.BODY_LENGTH);
                writeHeader(buf, FrameType.AUTH_HELLO, 0, h.requestId(), AuthHello.BODY_LENGTH);
                buf.writeLong(h.logId());
                buf.writeBytes(h.nonce());
                out.add(buf);
            }
            case FrameType.AUTH_CHALLENGE -> {
                final AuthChallenge c = (AuthChallenge) frame;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + AuthChallenge.BODY_LENGTH);
                writeHeader(buf, FrameType.AUTH_CHALLENGE, 0, c.requestId(), AuthChallenge.BODY_LENGTH);
                buf.writeBytes(c.nonce());
                buf.writeBytes(c.proof());
                out.add(buf);
            }
            case FrameType.AUTH_PROOF -> {
                final AuthProof p = (AuthProof) frame;
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + AuthProof.BODY_LENGTH);
                writeHeader(buf, FrameType.AUTH_PROOF, 0, p.requestId(), AuthProof.BODY_LENGTH);
                buf.writeBytes(p.proof());
                out.add(buf);
            }
            case FrameType.VOTE_REQUEST, FrameType.VOTE_REPLY, FrameType.APPEND_ENTRIES,
                FrameType.APPEND_ENTRIES_REPLY, FrameType.TAIL_REQUEST, FrameType.TAIL_REPLY ->
                out.add(PeerFrameCodec.encode(frame, alloc));
            case FrameType.ERROR -> out.add(encodeError((ErrorFrame) frame, alloc));
            case FrameType.HEALTH_OK -> {
                final String json = ((HealthOk) frame).json();
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + ByteBufUtil.utf8MaxBytes(json));
                writeHeader(buf, FrameType.HEALTH_OK, 0, frame.requestId(), ByteBufUtil.utf8Bytes(json));
                buf.writeCharSequence(json, StandardCharsets.UTF_8);
                out.add(buf);
            }
            case FrameType.PING, FrameType.PONG, FrameType.HEALTH, FrameType.AUTH_OK -> {
                final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH);
                writeHeader(buf, frame.type(), 0, frame.requestId(), 0);
                out.add(buf);
            }
            default -> throw new IllegalArgumentException("cannot encode " + frame);
        }
    }

    private static void encodeAppend(final Append f, final ByteBufAllocator alloc, final List<Object> out) {
        final ByteBuf payload = f.payload();
        final ByteBuf head = headFor(alloc, Append.FIXED_BODY_LENGTH + Append.TAG_LENGTH, payload);
        writeAppendHeader(head, f.requestId(), f.w(), f.timeoutMs(), f.clientId(), f.seq(), payload.readableBytes());
        addBody(head, payload, out);
    }

    private static void encodeReadOk(final ReadOk f, final ByteBufAllocator alloc, final List<Object> out) {
        final ByteBuf run = f.entries();
        final ByteBuf head = headFor(alloc, ReadOk.FIXED_BODY_LENGTH, run);
        writeReadOkHeader(head, f.requestId(), f.firstId(), f.count(), f.lastId(), run.readableBytes());
        addBody(head, run, out);
    }

    private static ByteBuf encodeError(final ErrorFrame f, final ByteBufAllocator alloc) {
        final String text = f.message() == null ? "" : f.message();
        final ByteBuf buf = alloc.buffer(FrameHeader.HEADER_LENGTH + ErrorFrame.FIXED_BODY_LENGTH
            + ByteBufUtil.utf8MaxBytes(text));
        writeError(buf, f.requestId(), f.code(), text);
        return buf;
    }

    private static ByteBuf headFor(final ByteBufAllocator alloc, final int fixedBody, final ByteBuf payload) {
        final int headLength = FrameHeader.HEADER_LENGTH + fixedBody;
        final int copied = payload.readableBytes() < ZERO_COPY_THRESHOLD ? payload.readableBytes() : 0;
        return alloc.buffer(headLength + copied);
    }

    private static void addBody(final ByteBuf head, final ByteBuf payload, final List<Object> out) {
        if (payload.readableBytes() < ZERO_COPY_THRESHOLD) {
            head.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
            out.add(head);
        } else {
            out.add(head);
            out.add(payload.retainedDuplicate());
        }
    }

    /**
     * Decodes one frame whose length prefix has already been stripped. Payload-carrying frames get a retained
     * slice of {@code frame}; the caller still releases {@code frame} itself.
     *
     * @throws ProtocolException if the frame is not a valid replog frame
     */
    public static Frame decode(final ByteBuf frame) {
        final int length = frame.readableBytes();
        if (length < FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, 0,
                "frame of " + length + " bytes is shorter than the " + FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD
                    + "-byte header");
        }
        final int start = frame.readerIndex();
        final byte version = frame.getByte(start + FrameHeader.VERSION_OFFSET);
        final byte type = frame.getByte(start + FrameHeader.TYPE_OFFSET);
        final long requestId = frame.getLong(start + FrameHeader.REQUEST_ID_OFFSET);
        final int flags = frame.getUnsignedShort(start + FrameHeader.FLAGS_OFFSET);
        if (version != FrameHeader.VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, requestId,
                "unsupported protocol version " + (version & 0xff) + " (this node speaks " + FrameHeader.VERSION + ")");
        }
        frame.skipBytes(FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD);
        final int body = frame.readableBytes();
        return switch (type) {
            case FrameType.APPEND -> decodeAppend(frame, requestId, flags);
            case FrameType.APPEND_OK -> {
                requireExactly(body, AppendOk.BODY_LENGTH, type, requestId);
                yield new AppendOk(requestId, frame.readLong(), (flags & AppendOk.FLAG_DUPLICATE) != 0);
            }
            case FrameType.READ -> {
                final boolean waits = (flags & Read.FLAG_WAIT) != 0;
                requireExactly(body, waits ? Read.WAIT_BODY_LENGTH : Read.BODY_LENGTH, type, requestId);
                yield new Read(requestId, frame.readLong(), frame.readInt(), waits ? frame.readUnsignedInt() : 0);
            }
            case FrameType.READ_OK -> decodeReadOk(frame, requestId);
            case FrameType.ERROR -> {
                requireAtLeast(body, ErrorFrame.FIXED_BODY_LENGTH, type, requestId);
                final short code = frame.readShort();
                final String text = frame.readCharSequence(frame.readableBytes(), StandardCharsets.UTF_8).toString();
                yield new ErrorFrame(requestId, code, text);
            }
            case FrameType.PING, FrameType.PONG, FrameType.HEALTH -> {
                requireExactly(body, 0, type, requestId);
                yield type == FrameType.PING ? new Ping(requestId)
                    : type == FrameType.PONG ? new Pong(requestId) : new Health(requestId);
            }
            case FrameType.AUTH_HELLO -> {
                requireExactly(body, AuthHello.BODY_LENGTH, type, requestId);
                final long logId = frame.readLong();
                yield new AuthHello(requestId, logId, readBytes(frame, AuthHello.NONCE_BYTES));
            }
            case FrameType.AUTH_CHALLENGE -> {
                requireExactly(body, AuthChallenge.BODY_LENGTH, type, requestId);
                final byte[] nonce = readBytes(frame, AuthHello.NONCE_BYTES);
                yield new AuthChallenge(requestId, nonce, readBytes(frame, AuthHello.NONCE_BYTES));
            }
            case FrameType.AUTH_PROOF -> {
                requireExactly(body, AuthProof.BODY_LENGTH, type, requestId);
                yield new AuthProof(requestId, readBytes(frame, AuthHello.NONCE_BYTES));
            }
            case FrameType.AUTH_OK -> {
                requireExactly(body, 0, type, requestId);
                yield new AuthOk(requestId);
            }
            case FrameType.VOTE_REQUEST, FrameType.VOTE_REPLY, FrameType.APPEND_ENTRIES,
                FrameType.APPEND_ENTRIES_REPLY, FrameType.TAIL_REQUEST, FrameType.TAIL_REPLY ->
                PeerFrameCodec.decode(type, flags, frame, requestId);
            case FrameType.HEALTH_OK -> new HealthOk(requestId,
                frame.readCharSequence(frame.readableBytes(), StandardCharsets.UTF_8).toString());
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, requestId,
                "unknown frame type " + FrameType.name(type));
        };
    }

    private static Append decodeAppend(final ByteBuf frame, final long requestId, final int flags) {
        final int body = frame.readableBytes();
        requireAtLeast(body, Append.FIXED_BODY_LENGTH, FrameType.APPEND, requestId);
        final int w = frame.readUnsignedByte();
        frame.skipBytes(3);
        final long timeoutMs = frame.readUnsignedInt();
        long clientId = 0;
        long seq = 0;
        if ((flags & Append.FLAG_TAGGED) != 0) {
            requireAtLeast(body, Append.FIXED_BODY_LENGTH + Append.TAG_LENGTH, FrameType.APPEND, requestId);
            clientId = frame.readLong();
            seq = frame.readLong();
            if (clientId == 0 || seq < 1) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                    "a tagged APPEND needs client_id != 0 and seq >= 1");
            }
        }
        return new Append(requestId, w, timeoutMs, clientId, seq, frame.readRetainedSlice(frame.readableBytes()));
    }

    private static ReadOk decodeReadOk(final ByteBuf frame, final long requestId) {
        requireAtLeast(frame.readableBytes(), ReadOk.FIXED_BODY_LENGTH, FrameType.READ_OK, requestId);
        final long firstId = frame.readLong();
        final int count = frame.readInt();
        final long lastId = frame.readLong();
        EntryRun.validate(frame, count, requestId);
        return new ReadOk(requestId, firstId, count, lastId, frame.readRetainedSlice(frame.readableBytes()));
    }
}
