package io.replog.node.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.replog.protocol.EntryRun;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * Keeps the entries a node cuts from its log (they conflict with its master's) in a file of its data directory
 * before they are gone, as MongoDB's rollback files do: one JSON object per line, {@code msg_id}, {@code epoch} and
 * {@code message} (or {@code message_base64} when the bytes are not UTF-8), so an operator can see what was cut and
 * append it again if it matters.
 */
public final class RollbackFile {
    private static final JsonFactory JSON = new JsonFactory().setRootValueSeparator("\n");

    private RollbackFile() {
    }

    /** Writes entries {@code from..to} of {@code store} to a new file in {@code dir} (fsynced) and returns it. */
    public static Path save(final Path dir, final LogStore store, final long from, final long to) {
        final Path file = dir.resolve("rollback-" + Long.toHexString(store.logId()) + "-" + from + "-" + to + "-"
            + System.currentTimeMillis() + ".jsonl");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(channel);
             JsonGenerator json = JSON.createGenerator(out)) {
            long next = from;
            while (next <= to) {
                final EntryRange range = store.read(next, (int) Math.min(4096, to - next + 1), 1 << 20);
                try {
                    final long first = next;
                    EntryRun.forEach(range.run(), range.count(),
                        (i, payload) -> write(json, first + i, range.epoch(), payload));
                } finally {
                    range.run().release();
                }
                next += Math.max(1, range.count());
            }
            json.writeRaw('\n');
            json.flush();
            channel.force(true);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rollback file " + file, e);
        }
    }

    private static void write(final JsonGenerator json, final long msgId, final long epoch, final ByteBuf payload) {
        try {
            json.writeStartObject();
            json.writeNumberField("msg_id", msgId);
            json.writeNumberField("epoch", epoch);
            if (ByteBufUtil.isText(payload, StandardCharsets.UTF_8)) {
                json.writeStringField("message", payload.toString(StandardCharsets.UTF_8));
            } else {
                json.writeStringField("message_base64", Base64.getEncoder().encodeToString(ByteBufUtil.getBytes(payload)));
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
