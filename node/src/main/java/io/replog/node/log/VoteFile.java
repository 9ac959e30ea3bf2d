package io.replog.node.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A failover node's epoch and the vote it gave in it, in the file {@code vote} of the data directory, saved with
 * one fsync before {@link #save} returns, so a node never votes twice in an epoch whatever crash follows its
 * answer. The file holds two slots written in turn, each with a generation and a CRC32C: a write torn by a crash
 * spoils only the slot being written, and the other still holds the previous vote (the one that was answered
 * with). Without a data directory the vote lives in memory (such a node must not rejoin with the same id after a
 * restart; the README says so).
 */
public final class VoteFile implements AutoCloseable {
    static final String NAME = "vote";
    /** epoch (8), voted_for (4), generation (8), crc (4). */
    static final int SLOT_BYTES = 24;

    private final FileChannel channel;
    private final Path file;
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
    private long epoch;
    private int votedFor;
    private long generation;

    private VoteFile(final FileChannel channel, final Path file) {
        this.channel = channel;
        this.file = file;
    }

    /** The vote saved in {@code dir}, or epoch 0 and no vote when there is none; {@code dir} null: in memory. */
    public static VoteFile open(final Path dir) {
        if (dir == null) {
            return new VoteFile(null, null);
        }
        final Path file = dir.resolve(NAME);
        try {
            final boolean existed = Files.exists(file);
            final VoteFile vote = new VoteFile(FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE), file);
            if (existed) {
                vote.load();
            } else {
                AtomicFile.syncDirectory(dir);
            }
            return vote;
        } catch (IOException e) {
            throw new IllegalStateException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    private void load() throws IOException {
        boolean found = false;
        for (int i = 0; i < 2; i++) {
            slot.clear();
            final int read = channel.read(slot, (long) i * SLOT_BYTES);
            if (read < SLOT_BYTES) {
                continue;
            }
            final long e = slot.getLong(0);
            final int v = slot.getInt(8);
            final long g = slot.getLong(12);
            if (g > 0 && crc(slot) == slot.getInt(20) && g > generation) {
                epoch = e;
                votedFor = v;
                generation = g;
                found = true;
            }
        }
        if (!found && channel.size() > 0) {
            throw new IllegalStateException(file + " holds no valid vote (both slots fail their CRC): a node that "
                + "cannot tell whom it voted for must not vote again; remove the file only if this node is to rejoin "
                + "as a new one (an empty data directory)");
        }
    }

    private static int crc(final ByteBuffer buffer) {
        final CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 20);
        return (int) crc.getValue();
    }

    public long epoch() {
        return epoch;
    }

    public int votedFor() {
        return votedFor;
    }

    /** Saves {@code newEpoch} and {@code newVote} (0: nobody yet) durably before returning. */
    public void save(final long newEpoch, final int newVote) {
        if (newEpoch < epoch) {
            throw new IllegalArgumentException("the epoch never goes back: " + epoch + " → " + newEpoch);
        }
        if (channel != null) {
            final long next = generation + 1;
            slot.clear();
            slot.putLong(0, newEpoch).putInt(8, newVote).putLong(12, next);
            slot.putInt(20, crc(slot));
            try {
                FileIo.REAL.write(channel, slot, (next & 1) * SLOT_BYTES);
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save the vote in " + file, e);
            }
            generation = next;
        }
        epoch = newEpoch;
        votedFor = newVote;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
