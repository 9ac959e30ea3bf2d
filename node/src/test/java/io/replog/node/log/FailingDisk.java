package io.replog.node.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A log on a real disk whose fsyncs can be made to fail, as a dying disk's do (EIO): for tests of what a node does
 * when its log can no longer be made durable. Writes and fsyncs are real until {@link #failFsyncs()}.
 */
public final class FailingDisk implements FileIo {
    private volatile boolean failing;
    private final Object gate = new Object();
    private boolean held;

    /** From now on every fsync fails with an I/O error. */
    public void failFsyncs() {
        failing = true;
    }

    /** From now on fsyncs wait (as on a stalled disk) until {@link #releaseFsyncs()}: commits go on, durability not. */
    public void holdFsyncs() {
        synchronized (gate) {
            held = true;
        }
    }

    public void releaseFsyncs() {
        synchronized (gate) {
            held = false;
            gate.notifyAll();
        }
    }

    /** A master's log in {@code dir} (a new log when the directory is empty) under {@code flush}. */
    public LogStore openMasterLog(final Path dir, final FlushPolicy flush) throws IOException {
        final FileLogStore store = FileLogStore.open(dir, FileLogOptions.defaults().flushPolicy(flush)
            .corruptionPolicy(CorruptionPolicy.FAIL).io(this));
        if (store.logId() == 0) {
            store.adoptLogId(MemoryLogStore.newLogId());
        }
        return store;
    }

    /** A secondary's log in {@code dir} under {@code flush}. */
    public LogStore openSecondaryLog(final Path dir, final FlushPolicy flush) throws IOException {
        return FileLogStore.open(dir, FileLogOptions.defaults().flushPolicy(flush)
            .corruptionPolicy(CorruptionPolicy.TRUNCATE).io(this));
    }

    @Override
    public void write(final FileChannel channel, final ByteBuffer source, final long position) throws IOException {
        FileIo.REAL.write(channel, source, position);
    }

    @Override
    public void force(final FileChannel channel) throws IOException {
        synchronized (gate) {
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (held && System.nanoTime() < deadline) {
                try {
                    gate.wait(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the test held the fsync", e);
                }
            }
        }
        if (failing) {
            throw new IOException("Input/output error (the test's failing disk)");
        }
        FileIo.REAL.force(channel);
    }
}
