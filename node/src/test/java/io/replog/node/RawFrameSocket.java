package io.replog.node;

import io.replog.protocol.FrameHeader;
import io.replog.protocol.FrameType;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The binary protocol over a plain socket, for tests that must see exactly what the node sends, and when. */
final class RawFrameSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    record Frame(byte type, long requestId, byte[] body) {
        short errorCode() {
            return ByteBuffer.wrap(body).getShort(0);
        }

        String errorText() {
            return new String(body, 2, body.length - 2, StandardCharsets.UTF_8);
        }
    }

    RawFrameSocket(final int port) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        this.socket.setSoTimeout(30_000);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    void ping(final long requestId) throws IOException {
        out.writeInt(FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD);
        out.writeByte(FrameHeader.VERSION);
        out.writeByte(FrameType.PING);
        out.writeShort(0);
        out.writeLong(requestId);
        out.flush();
    }

    /** PING and its PONG: proves the node serves this connection. */
    void roundTrip(final long requestId) throws IOException {
        ping(requestId);
        final Frame pong = read();
        if (pong.type() != FrameType.PONG || pong.requestId() != requestId) {
            throw new AssertionError("expected PONG " + requestId + ", got " + FrameType.name(pong.type()) + " "
                + pong.requestId() + (pong.type() == FrameType.ERROR ? ": " + pong.errorText() : ""));
        }
    }

    /** Sends {@code bytes} as they are: garbage, half frames. */
    void sendRaw(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends {@code frame} encoded exactly as a node would (and releases it). */
    void send(final io.replog.protocol.Frame frame) throws IOException {
        out.write(FrameFuzzer.encode(frame));
        out.flush();
    }

    Frame read() throws IOException {
        final int length = in.readInt();
        in.readByte();
        final byte type = in.readByte();
        in.readShort();
        final long requestId = in.readLong();
        final byte[] body = new byte[length - FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD];
        in.readFully(body);
        return new Frame(type, requestId, body);
    }

    /** Blocks until the node closes the connection; true if it did (false: it sent something instead). */
    boolean closedByNode() throws IOException {
        return in.read() < 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
