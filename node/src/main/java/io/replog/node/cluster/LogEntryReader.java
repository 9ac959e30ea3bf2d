package io.replog.node.cluster;

import io.replog.protocol.PeerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.replog.node.log.EntryRange;
import io.replog.node.log.LogStore;
import io.replog.protocol.EntryRun;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the consensus core's entries back by log index from what the {@link LogStore} committed: the newest as they
 * were appended ({@link RecentEntries}), an epoch mark as the epoch's start entry, messages as whole runs of the log
 * (one slice of its tail cache per epoch or file, not one read per entry) with their tags from the
 * {@link TagWindow}. The caller commits what it staged first: only committed entries are in the index map.
 */
final class LogEntryReader {
    private final LogStore log;
    private final RecentEntries recent;
    private final TagWindow tags;

    LogEntryReader(final LogStore log, final RecentEntries recent, final TagWindow tags) {
        this.log = log;
        this.recent = recent;
        this.tags = tags;
    }

    /**
     * Up to {@code maxCount} entries from index {@code fromId}, within {@code maxBytes} counting {@code overhead}
     * per entry (always at least one).
     */
    List<PeerEntry> entries(final long fromId, final int maxCount, final long maxBytes, final int overhead) {
        final long[] marks = log.marks();
        final List<PeerEntry> entries = new ArrayList<>(Math.min(maxCount, 1024));
        long bytes = 0;
        long id = fromId;
        while (entries.size() < maxCount) {
            final PeerEntry kept = recent.at(id);
            if (kept != null) {
                bytes += kept.payload().length + overhead;
                if (!entries.isEmpty() && bytes > maxBytes) {
                    return entries;
                }
                entries.add(kept);
                id++;
                continue;
            }
            final int mark = IndexMap.markAt(marks, id);
            if (mark >= 0) {
                bytes += overhead;
                if (!entries.isEmpty() && bytes > maxBytes) {
                    return entries;
                }
                entries.add(PeerEntry.epochStart(marks[2 * mark]));
                id++;
                continue;
            }
            final long msgId = IndexMap.msgIdAt(marks, id);
            final int upToMark = (int) Math.min(Integer.MAX_VALUE, IndexMap.nextMarkAfter(marks, id) - id);
            final EntryRange range = log.read(msgId, Math.min(upToMark, maxCount - entries.size()),
                (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxBytes - bytes)));
            try {
                if (range.count() == 0 || range.firstId() != msgId) {
                    throw new IllegalStateException("index " + id + " (msg_id " + msgId + ") cannot be read back (the "
                        + "log holds up to msg_id " + log.lastId() + ")");
                }
                final ByteBuf run = range.run();
                int at = run.readerIndex();
                for (int i = 0; i < range.count(); i++) {
                    final int length = run.getInt(at);
                    bytes += length + overhead;
                    if (!entries.isEmpty() && bytes > maxBytes) {
                        return entries;
                    }
                    entries.add(tags.message(id, range.epoch(), ByteBufUtil.getBytes(run,
                        at + EntryRun.ENTRY_OVERHEAD, length)));
                    at += EntryRun.ENTRY_OVERHEAD + length;
                    id++;
                }
            } finally {
                range.run().release();
            }
        }
        return entries;
    }

    /** The first and last index the log holds of {@code epoch} (its mark, its messages), or null when none. */
    long[] rangeOf(final long epoch) {
        final long[] history = log.epochHistory();
        final long[] marks = log.marks();
        for (int i = 0; i < history.length; i += 2) {
            if (history[i] == epoch) {
                final long start = history[i + 1];
                final long end = i + 2 < history.length ? history[i + 3] - 1 : log.lastId();
                int mark = -1;
                for (int k = 0; k < marks.length / 2; k++) {
                    mark = marks[2 * k] == epoch ? k : mark;
                }
                if (mark >= 0) {
                    final long first = IndexMap.indexOfMark(marks, mark);
                    return new long[] {first, end >= start ? IndexMap.indexOfMessage(marks, end) : first};
                }
                return end >= start ? new long[] {IndexMap.indexOfMessage(marks, start),
                    IndexMap.indexOfMessage(marks, end)} : null;
            }
        }
        return null;
    }
}
