package io.replog.node.replication;

import io.replog.protocol.Replicate;
import io.replog.protocol.Truncate;

import java.util.ArrayList;
import java.util.List;

/** A {@link ReplicationLink} that keeps what is sent; the test releases it. */
final class RecordingLink implements ReplicationLink {
    final List<Replicate> sent = new ArrayList<>();
    final List<Truncate> truncations = new ArrayList<>();
    boolean writable = true;
    boolean closed;
    int flushes;

    @Override
    public void send(final Replicate frame) {
        if (closed) {
            frame.release();
            throw new AssertionError("sent on a closed link: " + frame);
        }
        sent.add(frame);
    }

    @Override
    public void send(final Truncate frame) {
        if (closed) {
            throw new AssertionError("sent on a closed link: " + frame);
        }
        truncations.add(frame);
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void close() {
        closed = true;
    }

    Replicate last() {
        return sent.get(sent.size() - 1);
    }

    /** Data frames only (probes and heartbeats carry no entries). */
    List<Replicate> data() {
        return sent.stream().filter(f -> f.count() > 0).toList();
    }

    void releaseAll() {
        sent.forEach(Replicate::release);
        sent.clear();
    }
}
