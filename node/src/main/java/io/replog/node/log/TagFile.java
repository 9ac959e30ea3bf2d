package io.replog.node.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The tags (client id, sequence number) of the tagged appends a failover node holds, in the file {@code tags} of
 * its data directory, so that a node that restarts and then becomes master still answers a re-sent tagged append
 * with its first msg_id. Fixed-size records in the order of the consensus engine's log index, which names the
 * entry (index = msg_id in a log without epoch marks) (index, client id, seq, CRC32C), written and fsynced
 * before the entries they describe are committed to the log, so a tag is durable no later than its entry. On open,
 * a torn last record and records past the log's end (entries a crash took) are cut; a cut of the log cuts the
 * file at the same msg_id. Past twice {@code keep} records the file is rewritten with the newest {@code keep}.
 */
public final class TagFile implements AutoCloseable {
    static final String NAME = "tags";
    static final int RECORD_BYTES = 28;

    /** Receives each record found on open. */
    public interface Found {
        void tag(long msgId, long clientId, long seq);
    }

    private final Path dir;
    private final int keep;
    private FileChannel channel;
    private ByteBuffer pending = ByteBuffer.allocate(64 * RECORD_BYTES);
    private long records;

    private TagFile(final Path dir, final int keep) {
        this.dir = dir;
        this.keep = keep;
    }

    /** Opens (or creates) the file in {@code dir}, telling {@code found} every valid record up to {@code lastId}. */
    public static TagFile open(final Path dir, final long lastId, final int keep, final Found found) {
        final TagFile file = new TagFile(dir, keep);
        try {
            file.channel = FileChannel.open(dir.resolve(NAME), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            file.load(lastId, found);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + dir.resolve(NAME), e);
        }
        return file;
    }

    private void load(final long lastId, final Found found) throws IOException {
        final ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES);
        long position = 0;
        final long size = channel.size();
        while (position + RECORD_BYTES <= size) {
            record.clear();
            channel.read(record, position);
            final long msgId = record.getLong(0);
            if (crc(record) != record.getInt(24) || msgId > lastId) {
                break; // torn, or describes an entry the log lost in a crash: this and the rest go
            }
            found.tag(msgId, record.getLong(8), record.getLong(16));
            position += RECORD_BYTES;
        }
        if (position < size) {
            channel.truncate(position);
            channel.force(true);
        }
        records = position / RECORD_BYTES;
    }

    private static int crc(final ByteBuffer record) {
        final CRC32C crc = new CRC32C();
        crc.update(record.array(), record.arrayOffset(), 24);
        return (int) crc.getValue();
    }

    /** Buffers a record; {@link #flush} writes it. */
    public void add(final long msgId, final long clientId, final long seq) {
        if (pending.remaining() < RECORD_BYTES) {
            final ByteBuffer bigger = ByteBuffer.allocate(pending.capacity() * 2);
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        final int at = pending.position();
        pending.putLong(msgId).putLong(clientId).putLong(seq);
        final CRC32C crc = new CRC32C();
        crc.update(pending.array(), at, 24);
        pending.putInt((int) crc.getValue());
    }

    /** Writes and fsyncs what {@link #add} buffered (nothing to do when nothing was). */
    public void flush() {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        final long count = pending.remaining() / RECORD_BYTES;
        try {
            long position = records * RECORD_BYTES;
            while (pending.hasRemaining()) {
                position += channel.write(pending, position);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(NAME), e);
        } finally {
            pending.clear();
        }
        records += count;
        if (records > 2L * keep) {
            compact();
        }
    }

    /** Drops the records after msg_id {@code lastKept} (the log was cut there), durably. */
    public void truncateAfter(final long lastKept) {
        pending.clear();
        try {
            long lo = 0;
            long hi = records;
            final ByteBuffer id = ByteBuffer.allocate(8);
            while (lo < hi) { // first record with msg_id > lastKept (records are in msg_id order)
                final long mid = (lo + hi) >>> 1;
                id.clear();
                channel.read(id, mid * RECORD_BYTES);
                if (id.getLong(0) <= lastKept) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo < records) {
                channel.truncate(lo * RECORD_BYTES);
                channel.force(true);
                records = lo;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cut " + dir.resolve(NAME), e);
        }
    }

    /** Keeps the newest {@code keep} records: written to a new file, fsynced, renamed over the old one. */
    private void compact() {
        final Path temp = dir.resolve(NAME + AtomicFile.TEMP_SUFFIX);
        try {
            final long from = (records - keep) * RECORD_BYTES;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
                long copied = 0;
                final long length = (long) keep * RECORD_BYTES;
                while (copied < length) {
                    copied += channel.transferTo(from + copied, length - copied, out);
                }
                out.force(true);
            }
            channel.close();
            Files.move(temp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE);
            AtomicFile.syncDirectory(dir);
            channel = FileChannel.open(dir.resolve(NAME), StandardOpenOption.READ, StandardOpenOption.WRITE);
            records = keep;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact " + dir.resolve(NAME), e);
        }
    }

    long records() {
        return records;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
