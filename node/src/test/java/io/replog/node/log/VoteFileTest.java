package io.replog.node.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class VoteFileTest {
    @TempDir
    Path dir;

    @Test
    void aSavedVoteIsThereAfterAReopen() {
        try (VoteFile vote = VoteFile.open(dir)) {
            assertEquals(0, vote.epoch());
            assertEquals(0, vote.votedFor());
            vote.save(3, 2);
            vote.save(4, 0);
            vote.save(4, 1);
        }
        try (VoteFile vote = VoteFile.open(dir)) {
            assertEquals(4, vote.epoch());
            assertEquals(1, vote.votedFor());
        }
    }

    @Test
    void aTornWriteLeavesThePreviousVote() throws IOException {
        try (VoteFile vote = VoteFile.open(dir)) {
            vote.save(7, 3);   // slot 1
            vote.save(8, 2);   // slot 0
        }
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(VoteFile.NAME).toFile(), "rw")) {
            file.seek(4); // the newest slot's epoch half written
            file.write(0x55);
        }
        try (VoteFile vote = VoteFile.open(dir)) {
            assertEquals(7, vote.epoch());
            assertEquals(3, vote.votedFor());
        }
    }

    @Test
    void aFileWithNoValidVoteRefusesToStart() throws IOException {
        try (VoteFile vote = VoteFile.open(dir)) {
            vote.save(1, 1);
        }
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(VoteFile.NAME).toFile(), "rw")) {
            file.seek(VoteFile.SLOT_BYTES + 2);
            file.write(0x55);
        }
        assertThrows(IllegalStateException.class, () -> VoteFile.open(dir));
    }

    @Test
    void theEpochNeverGoesBack() {
        try (VoteFile vote = VoteFile.open(dir)) {
            vote.save(5, 1);
            assertThrows(IllegalArgumentException.class, () -> vote.save(4, 1));
        }
    }
}
