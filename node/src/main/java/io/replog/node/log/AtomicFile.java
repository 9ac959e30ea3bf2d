package io.replog.node.log;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;

/**
 * A small key=value file replaced atomically: written to a temporary file, fsynced, renamed over the old one and
 * the directory fsynced, so after a crash the file holds either the old or the new content, never a mix or
 * nothing.
 */
final class AtomicFile {
    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    /** Replaces {@code dir/name} with {@code values} (one {@code key=value} line each, in the map's order). */
    static void write(final Path dir, final String name, final Map<String, String> values) throws IOException {
        final StringBuilder text = new StringBuilder();
        for (final Map.Entry<String, String> e : values.entrySet()) {
            text.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        final Path temp = dir.resolve(name + TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            FileIo.REAL.write(channel, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
        }
        // rename(2) replaces the target atomically on POSIX file systems
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
    }

    /** Makes creations, renames and deletions in {@code dir} durable (Linux: fsync on the directory). */
    static void syncDirectory(final Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** The file's keys and values, or null when it does not exist. */
    static Properties read(final Path file) throws IOException {
        final String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        final Properties properties = new Properties();
        try (Reader reader = new StringReader(text)) {
            properties.load(reader);
        }
        return properties;
    }

    /** The value of {@code key}, or an IOException naming the file. */
    static String required(final Properties properties, final Path file, final String key) throws IOException {
        final String value = properties.getProperty(key);
        if (value == null) {
            throw new IOException(file + " has no " + key);
        }
        return value.trim();
    }
}
