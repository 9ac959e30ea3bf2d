package io.replog.node;

import io.replog.protocol.AppendEntries;
import io.replog.protocol.FrameType;
import io.replog.protocol.PeerEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's stand-in for a static master (node 1, epoch 1) feeding a secondary APPEND_ENTRIES by hand over a plain
 * socket. A follower answers on the connection its master spoke on, with request id 0 (the engine matches answers by
 * the peer, not the request), so each answer is read in turn rather than matched to its request.
 */
final class HandFedMaster implements AutoCloseable {
    /** An APPEND_ENTRIES_REPLY, or the ERROR that came instead ({@code errorCode} 0 for none). */
    record Reply(boolean accepted, long acceptedId, long durableId, long conflictId, short errorCode,
                 String errorText) {
    }

    private final RawFrameSocket socket;

    HandFedMaster(final ReplogNode secondary) throws IOException {
        this.socket = new RawFrameSocket(secondary.port());
    }

    /** Sends {@code messages} (of epoch 1) after {@code prevId} in log {@code logId}, and reads the answer. */
    Reply append(final long logId, final long prevId, final String... messages) throws IOException {
        send(logId, prevId, messages);
        return read();
    }

    /** Sends without waiting for the answer. */
    void send(final long logId, final long prevId, final String... messages) throws IOException {
        final List<PeerEntry> entries = new ArrayList<>();
        for (final String m : messages) {
            entries.add(new PeerEntry(1, 0, 0, 0, m.getBytes(StandardCharsets.UTF_8)));
        }
        socket.send(new AppendEntries(prevId + 1, 1, 1, prevId, prevId == 0 ? 0 : 1, 0, logId, entries));
    }

    /** The next answer on this connection. */
    Reply read() throws IOException {
        final RawFrameSocket.Frame frame = socket.read();
        if (frame.type() == FrameType.ERROR) {
            return new Reply(false, -1, -1, -1, frame.errorCode(), frame.errorText());
        }
        if (frame.type() != FrameType.APPEND_ENTRIES_REPLY) {
            throw new AssertionError("expected APPEND_ENTRIES_REPLY, got " + FrameType.name(frame.type()));
        }
        // from (i32), epoch (i64), accepted (u8), accepted_id, durable_id, conflict_epoch, conflict_id (i64 each)
        final ByteBuffer body = ByteBuffer.wrap(frame.body());
        body.getInt();
        body.getLong();
        final boolean accepted = body.get() == 1;
        final long acceptedId = body.getLong();
        final long durableId = body.getLong();
        body.getLong();
        return new Reply(accepted, acceptedId, durableId, body.getLong(), (short) 0, null);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
