package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.protocol.EntryRun;
import io.replog.testing.Await;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryLogStoreTest {

    private static long append(final LogStore log, final String text) {
        final ByteBuf payload = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            final long id = log.append(payload);
            log.commit();
            return id;
        } finally {
            payload.release();
        }
    }

    private static List<String> readAll(final LogStore log, final long from, final int maxCount, final int maxBytes) {
        final List<String> out = new ArrayList<>();
        long next = from;
        while (next <= log.lastId()) {
            final EntryRange range = log.read(next, maxCount, maxBytes);
            assertEquals(next, range.firstId());
            assertTrue(range.count() > 0, "progress");
            EntryRun.forEach(range.run(), range.count(), (i, p) -> out.add(p.toString(StandardCharsets.UTF_8)));
            range.run().release();
            next += range.count();
        }
        return out;
    }

    @Test
    void idsStartAtOneWithoutGaps() {
        final MemoryLogStore log = new MemoryLogStore();
        assertEquals(0, log.lastId());
        assertEquals(1, append(log, "a"));
        assertEquals(2, append(log, ""));
        assertEquals(3, append(log, "ccc"));
        assertEquals(List.of("a", "", "ccc"), readAll(log, 1, 100, 1 << 20));
        assertEquals(List.of("ccc"), readAll(log, 3, 100, 1 << 20));
        assertEquals(0, log.read(4, 10, 100).count(), "past the end is empty");
        log.close();
    }

    @Test
    void readsCrossSegmentsAndRespectCountAndByteLimits() {
        final MemoryLogStore log = new MemoryLogStore(64); // a few entries per segment
        final List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            final String m = "message-" + i;
            expected.add(m);
            assertEquals(i, append(log, m));
        }
        assertEquals(expected, readAll(log, 1, 7, 1 << 20));
        assertEquals(expected, readAll(log, 1, 1000, 30));
        final EntryRange one = log.read(10, 1000, 1); // byte limit below one entry still yields one
        assertEquals(1, one.count());
        one.run().release();
        log.close();
    }

    @Test
    void appendRunStoresABatchAcrossSegmentsExactlyLikeOneByOne() {
        final MemoryLogStore bulk = new MemoryLogStore(100);
        final List<String> expected = new ArrayList<>();
        final ByteBuf run = Unpooled.buffer();
        for (int i = 1; i <= 300; i++) {
            final String m = "entry-" + i + "-" + "x".repeat(i % 40);
            expected.add(m);
            EntryRun.writeEntry(run, m.getBytes(StandardCharsets.UTF_8));
        }
        append(bulk, "first");
        assertEquals(301, bulk.appendRun(run, 300, 1));
        bulk.commit();
        assertEquals(301, bulk.lastId());
        assertEquals(0, run.readerIndex(), "the run is not consumed");
        run.release();
        final List<String> all = new ArrayList<>(List.of("first"));
        all.addAll(expected);
        assertEquals(all, readAll(bulk, 1, 1000, 1 << 20));
        assertEquals(all.subList(150, 301), readAll(bulk, 151, 7, 64));
        bulk.close();
    }

    @Test
    void appendRunIsAllOrNothingAtTheSizeLimit() {
        final MemoryLogStore log = new MemoryLogStore(1024, 20);
        final ByteBuf run = Unpooled.buffer();
        EntryRun.writeEntry(run, new byte[10]);
        EntryRun.writeEntry(run, new byte[10]);
        org.junit.jupiter.api.Assertions.assertThrows(LogFullException.class, () -> log.appendRun(run, 2, 1));
        assertEquals(0, log.lastId());
        run.release();
        log.close();
    }

    @Test
    void messageLargerThanASegmentGetsItsOwn() {
        final MemoryLogStore log = new MemoryLogStore(64);
        append(log, "small");
        final String big = "x".repeat(1000);
        append(log, big);
        append(log, "after");
        assertEquals(List.of("small", big, "after"), readAll(log, 1, 10, 1 << 20));
        log.close();
    }

    @Test
    void readersRunningBesideTheWriterOnlySeeCompleteEntries() throws Exception {
        final MemoryLogStore log = new MemoryLogStore(4096);
        final int total = 200_000;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong next = new AtomicLong(1);
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread reader = new Thread(() -> {
            try {
                while (next.get() <= total && !stop.get()) {
                    final EntryRange range = log.read(next.get(), 1000, 1 << 16);
                    final long first = range.firstId();
                    EntryRun.forEach(range.run(), range.count(), (i, p) -> {
                        final String expected = "m" + (first + i);
                        final String actual = p.toString(StandardCharsets.UTF_8);
                        if (!expected.equals(actual)) {
                            throw new AssertionError("id " + (first + i) + " holds " + actual);
                        }
                    });
                    range.run().release();
                    next.addAndGet(range.count());
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "log-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            for (int i = 1; i <= total; i++) {
                append(log, "m" + i);
            }
            reader.join(Await.DEFAULT.toMillis());
            assertNull(failure.get());
            assertFalse(reader.isAlive(), "the reader must see every entry; it is stuck at msg_id " + next.get()
                + " of " + total);
        } finally {
            stop.set(true); // a stuck reader must not spin on after the test
            reader.join(Await.DEFAULT.toMillis());
            log.close();
        }
    }
}
