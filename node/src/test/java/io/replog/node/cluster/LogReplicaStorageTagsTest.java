package io.replog.node.cluster;

import io.replog.protocol.PeerEntry;
import io.replog.node.log.MemoryLogStore;
import io.replog.node.log.VoteFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node keeps the tags of its newest {@link LogReplicaStorage#TAGS_KEPT} msg_ids, in memory and in its tags file,
 * however many tagged appends it took: the file stays within twice the window and what a new master learns from it
 * after a restart is the same window.
 */
class LogReplicaStorageTagsTest {
    private static final int KEPT = LogReplicaStorage.TAGS_KEPT;
    /** Bytes of one record of the tags file (msg_id, client id, seq, CRC32C). */
    private static final int RECORD_BYTES = 28;

    @TempDir
    Path dir;

    private static List<long[]> tags(final LogReplicaStorage storage) {
        final List<long[]> tags = new ArrayList<>();
        storage.forEachTag((msgId, clientId, seq) -> tags.add(new long[] {msgId, clientId, seq}));
        return tags;
    }

    @Test
    void theTagsKeptInMemoryAndOnDiskStayWithinTheWindow() throws IOException {
        final MemoryLogStore log = new MemoryLogStore();
        final long count = 3L * KEPT;
        final long maxFile = 2L * KEPT * RECORD_BYTES;
        try (LogReplicaStorage storage = new LogReplicaStorage(log, VoteFile.open(null), dir)) {
            assertEquals(KEPT, storage.tagsKept());
            for (long seq = 1; seq <= count; seq++) {
                storage.append(PeerEntry.message(1, new byte[] {(byte) seq}, 42, seq));
                if (seq % 1024 == 0) {
                    storage.sync(); // a batch: the tags file is written and fsynced before it is committed
                    final long size = Files.size(dir.resolve("tags"));
                    assertTrue(size <= maxFile, "tags file of " + size + " bytes after " + seq + " tagged appends");
                }
            }
            final List<long[]> tags = tags(storage);
            assertEquals(KEPT, tags.size());
            assertEquals(count - KEPT + 1, tags.get(0)[0], "the oldest kept: the window ends at the log's end");
            assertEquals(count, tags.get(KEPT - 1)[0]);
            assertEquals(count, tags.get(KEPT - 1)[2], "msg_id N is seq N here");
        }
        // a restart: the tags are read back from the file, the same window
        try (LogReplicaStorage storage = new LogReplicaStorage(log, VoteFile.open(null), dir)) {
            final List<long[]> tags = tags(storage);
            assertEquals(KEPT, tags.size());
            assertEquals(count - KEPT + 1, tags.get(0)[0]);
            assertEquals(count, tags.get(KEPT - 1)[0]);
            assertEquals(42, tags.get(0)[1]);
        }
        assertTrue(Files.size(dir.resolve("tags")) <= maxFile);
    }
}
