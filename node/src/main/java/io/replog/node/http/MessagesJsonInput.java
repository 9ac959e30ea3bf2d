package io.replog.node.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import io.replog.node.log.EntryRange;
import io.replog.node.log.LogStore;
import io.replog.protocol.EntryRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The body of {@code GET /messages}, rendered a few thousand messages at a time as the socket drains
 * (ChunkedWriteHandler pulls it), so that listing a log of millions never holds its whole JSON in memory. The
 * upper bound is fixed when the request arrives: the answer is a consistent prefix.
 */
final class MessagesJsonInput implements ChunkedInput<ByteBuf> {
    /** Messages rendered per chunk. */
    private static final int MESSAGES_PER_CHUNK = 4096;
    /**
     * Every character as UTF-8, escaping only what JSON must (quotes, backslashes, control characters): an emoji is
     * its four bytes, like é and 日本語 are theirs, not a pair of \\u escapes.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
        .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build().setRootValueSeparator(null);

    private final LogStore log;
    private final long last;
    private long next;
    private boolean opened;
    private boolean closed;
    private long progress;

    /** Messages {@code from..from+limit-1} that exist now. */
    MessagesJsonInput(final LogStore log, final long readable, final long from, final long limit) {
        this.log = log;
        this.next = from;
        this.last = Math.min(readable, limit >= Long.MAX_VALUE - from ? Long.MAX_VALUE : from + limit - 1);
    }

    @Override
    public boolean isEndOfInput() {
        return closed;
    }

    @Override
    public ByteBuf readChunk(final ChannelHandlerContext ctx) {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(final ByteBufAllocator allocator) {
        if (closed) {
            return null;
        }
        final ByteBuf chunk = allocator.buffer(64 * 1024);
        try (ByteBufOutputStream out = new ByteBufOutputStream(chunk);
             JsonGenerator json = JSON.createGenerator((java.io.OutputStream) out)) {
            if (!opened) {
                json.writeRaw('[');
            }
            int rendered = 0;
            while (next <= last && rendered < MESSAGES_PER_CHUNK) {
                final EntryRange range = log.read(next, (int) Math.min(MESSAGES_PER_CHUNK - rendered, last - next + 1),
                    Integer.MAX_VALUE);
                if (range.count() == 0) {
                    break;
                }
                try {
                    writeRange(json, range);
                } finally {
                    range.run().release();
                }
                next += range.count();
                rendered += range.count();
                progress += range.count();
            }
            if (next > last || rendered == 0) {
                json.writeRaw("]\n");
                closed = true;
            }
        } catch (IOException e) {
            chunk.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            chunk.release(); // a damaged log (never served): the response ends here, unfinished
            throw e;
        }
        return chunk;
    }

    private void writeRange(final JsonGenerator json, final EntryRange range) throws IOException {
        final long first = range.firstId();
        final IOException[] failure = new IOException[1];
        EntryRun.forEach(range.run(), range.count(), (i, payload) -> {
            try {
                if (opened) {
                    json.writeRaw(',');
                }
                opened = true;
                json.writeStartObject();
                json.writeNumberField("msg_id", first + i);
                json.writeStringField("message", payload.toString(StandardCharsets.UTF_8));
                json.writeEndObject();
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        opened = true;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public long length() {
        return -1;
    }

    @Override
    public long progress() {
        return progress;
    }
}
