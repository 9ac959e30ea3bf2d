package io.replog.node.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The two file operations whose failures and timing matter to the store: a positional write and an fsync. Tests
 * substitute them to stage a full disk or to hold an fsync while commits accumulate; production uses {@link #REAL}.
 */
interface FileIo {

    /** Writes all of {@code source}'s remaining bytes at {@code position}. */
    void write(FileChannel channel, ByteBuffer source, long position) throws IOException;

    /** {@code force(false)}: the data (and the size it implies) on disk, not necessarily the file's times. */
    void force(FileChannel channel) throws IOException;

    FileIo REAL = new FileIo() {
        @Override
        public void write(final FileChannel channel, final ByteBuffer source, final long position) throws IOException {
            long at = position;
            while (source.hasRemaining()) {
                at += channel.write(source, at);
            }
        }

        @Override
        public void force(final FileChannel channel) throws IOException {
            channel.force(false);
        }
    };
}
