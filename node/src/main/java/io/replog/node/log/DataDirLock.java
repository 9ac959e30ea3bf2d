package io.replog.node.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * An exclusive lock on a data directory (Kafka's {@code .lock}): two stores writing the same segment files would
 * destroy the log, so the second one to open it is refused. The OS releases the lock when the process dies.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE_NAME = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(final FileChannel channel, final FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates {@code dir} if missing and locks it. */
    static DataDirLock acquire(final Path dir) throws IOException {
        Files.createDirectories(dir);
        final FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this process holds it already
        }
        if (lock == null) {
            channel.close();
            throw new IOException(dir + " is in use: another log store (in this process or another) has it open");
        }
        return new DataDirLock(channel, lock);
    }

    /** Whether {@code dir} holds any segment file. */
    static boolean holdsSegments(final Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> Segment.baseIdOf(f.getFileName().toString()) > 0);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock in any case; nothing else depends on it
        }
    }
}
