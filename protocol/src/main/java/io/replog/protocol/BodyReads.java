package io.replog.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Reads of checked body fields shared by the decoders of every frame family ({@link FrameCodec},
 * {@link PeerFrameCodec}): a value out of its range is a MALFORMED_FRAME naming the frame and the field.
 */
final class BodyReads {
    private BodyReads() {
    }

    /** {@code length} raw bytes (nonces, proofs). */
    static byte[] readBytes(final ByteBuf frame, final int length) {
        final byte[] bytes = new byte[length];
        frame.readBytes(bytes);
        return bytes;
    }

    /** A node id: int32, at least 1. */
    static int readNodeId(final ByteBuf frame, final byte type, final long requestId) {
        final int from = frame.readInt();
        if (from < 1) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                FrameType.name(type) + " from must be a node id >= 1, got " + from);
        }
        return from;
    }

    /** An int64 that must be at least {@code min}. */
    static long readAtLeast(final ByteBuf frame, final long min, final byte type, final String field,
                            final long requestId) {
        final long value = frame.readLong();
        if (value < min) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                FrameType.name(type) + " " + field + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** A uint8 that must be 1 (true) or 0 (false). */
    static boolean readBoolean(final ByteBuf frame, final byte type, final String field,
                               final long requestId) {
        final int value = frame.readUnsignedByte();
        if (value > 1) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                FrameType.name(type) + " " + field + " must be 1 or 0, got " + value);
        }
        return value == 1;
    }

    static void requireAtLeast(final int body, final int min, final byte type, final long requestId) {
        if (body < min) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                FrameType.name(type) + " body of " + body + " bytes, at least " + min + " required");
        }
    }

    static void requireExactly(final int body, final int expected, final byte type, final long requestId) {
        if (body != expected) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, requestId,
                FrameType.name(type) + " body of " + body + " bytes, exactly " + expected + " required");
        }
    }
}
