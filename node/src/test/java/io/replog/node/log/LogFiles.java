package io.replog.node.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What the tests do to a data directory behind the store's back: list, copy, cut and damage its files. */
final class LogFiles {
    private LogFiles() {
    }

    /** The segment files, oldest first. */
    static List<Path> segments(final Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    static Path lastSegment(final Path dir) throws IOException {
        final List<Path> all = segments(dir);
        return all.get(all.size() - 1);
    }

    /** Byte offsets of the batches of a segment file, read with the format's length field (independently). */
    static List<Long> batchPositions(final Path segment) throws IOException {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        final List<Long> positions = new ArrayList<>();
        int at = 0;
        while (at + 4 <= bytes.limit()) {
            positions.add((long) at);
            at += 4 + bytes.getInt(at);
        }
        return positions;
    }

    /** A copy of {@code dir} (files only) at {@code target}, without the lock file. */
    static Path copy(final Path dir, final Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : files.toList()) {
                if (!file.getFileName().toString().equals(DataDirLock.FILE_NAME)) {
                    Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    static void truncate(final Path file, final long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    static void appendBytes(final Path file, final byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length());
            raf.write(bytes);
        }
    }

    /** Inverts the bits of the byte at {@code offset}. */
    static void flip(final Path file, final long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            final int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0xff);
        }
    }
}
