package io.replog.node.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TagFileTest {
    @TempDir
    Path dir;

    private List<long[]> reopen(final long lastId, final int keep) {
        final List<long[]> found = new ArrayList<>();
        TagFile.open(dir, lastId, keep, (id, client, seq) -> found.add(new long[] {id, client, seq})).close();
        return found;
    }

    @Test
    void whatWasFlushedIsFoundAgain() {
        try (TagFile file = TagFile.open(dir, 0, 100, (id, c, s) -> { })) {
            file.add(3, 42, 1);
            file.add(5, 42, 2);
            file.flush();
            file.add(6, 43, 1); // never flushed: a crash before the commit loses it with its entry
        }
        final List<long[]> found = reopen(10, 100);
        assertEquals(2, found.size());
        assertEquals(List.of(3L, 42L, 1L), List.of(found.get(0)[0], found.get(0)[1], found.get(0)[2]));
        assertEquals(5, found.get(1)[0]);
    }

    @Test
    void recordsPastTheLogsEndAndATornTailAreCut() throws IOException {
        try (TagFile file = TagFile.open(dir, 0, 100, (id, c, s) -> { })) {
            for (long id = 1; id <= 10; id++) {
                file.add(id, 7, id);
            }
            file.flush();
        }
        assertEquals(6, reopen(6, 100).size(), "the log holds only up to 6 after a crash");
        assertEquals(6, reopen(100, 100).size(), "and the cut was durable");
        try (RandomAccessFile raw = new RandomAccessFile(dir.resolve(TagFile.NAME).toFile(), "rw")) {
            raw.seek(5L * TagFile.RECORD_BYTES + 3);
            raw.write(0x77); // the last record torn
        }
        assertEquals(5, reopen(100, 100).size());
    }

    @Test
    void aCutOfTheLogCutsTheTags() {
        try (TagFile file = TagFile.open(dir, 0, 100, (id, c, s) -> { })) {
            for (long id = 1; id <= 10; id += 2) {
                file.add(id, 7, id);
            }
            file.flush();
            file.truncateAfter(4); // keeps 1 and 3
            file.add(5, 8, 1);
            file.flush();
        }
        final List<long[]> found = reopen(100, 100);
        assertEquals(3, found.size());
        assertEquals(8, found.get(2)[1], "msg_id 5 is the new entry's");
    }

    @Test
    void theFileKeepsTheNewestRecordsOnly() {
        try (TagFile file = TagFile.open(dir, 0, 4, (id, c, s) -> { })) {
            for (long id = 1; id <= 9; id++) {
                file.add(id, 7, id);
                file.flush();
            }
            assertEquals(4, file.records(), "past 8 records it keeps the newest 4");
        }
        final List<long[]> found = reopen(100, 4);
        assertEquals(4, found.size());
        assertEquals(6, found.get(0)[0]);
        assertEquals(9, found.get(3)[0]);
    }
}
