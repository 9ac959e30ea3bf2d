package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.protocol.EntryRun;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Text entries in and out of a {@link LogStore}, checking every range read on the way. */
final class LogEntries {
    private LogEntries() {
    }

    static long append(final LogStore log, final String text) {
        final ByteBuf payload = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            return log.append(payload);
        } finally {
            payload.release();
        }
    }

    static long appendAndCommit(final LogStore log, final String... texts) {
        long id = 0;
        for (final String text : texts) {
            id = append(log, text);
        }
        log.commit();
        return id;
    }

    static ByteBuf run(final List<String> texts) {
        final ByteBuf run = Unpooled.buffer();
        texts.forEach(t -> EntryRun.writeEntry(run, t.getBytes(StandardCharsets.UTF_8)));
        return run;
    }

    /** Every entry from {@code from} to the last id, read in ranges of the given limits, checking each range. */
    static List<String> readAll(final LogStore log, final long from, final int maxCount, final int maxBytes) {
        final List<String> out = new ArrayList<>();
        long next = from;
        while (next <= log.lastId()) {
            final EntryRange range = log.read(next, maxCount, maxBytes);
            try {
                assertEquals(next, range.firstId());
                assertTrue(range.count() > 0, "no progress at " + next);
                assertTrue(range.count() <= maxCount, "count " + range.count() + " above " + maxCount);
                assertEquals(log.epochAt(next), range.epoch(), "epoch of the range from " + next);
                assertEquals(log.epochAt(range.lastId()), range.epoch(), "a range holds one epoch");
                EntryRun.validate(range.run(), range.count(), 0);
                final int firstSize = EntryRun.ENTRY_OVERHEAD + range.run().getInt(range.run().readerIndex());
                assertTrue(range.count() == 1 || range.run().readableBytes() <= Math.max(maxBytes, firstSize),
                    range.run().readableBytes() + " bytes for maxBytes " + maxBytes);
                EntryRun.forEach(range.run(), range.count(), (i, p) -> out.add(p.toString(StandardCharsets.UTF_8)));
            } finally {
                range.run().release();
            }
            next += range.count();
        }
        return out;
    }

    static List<String> texts(final String prefix, final int from, final int to) {
        final List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }
}
