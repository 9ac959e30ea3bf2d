package io.replog.node.server;

import io.replog.protocol.ErrorCode;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ObjLongConsumer;

/**
 * Frames this node refused on its binary port, by the error code it answered (malformed, too large, unknown type,
 * unsupported version: the connection is closed; a frame its role does not take: answered, connection kept). Any
 * thread; a refusal is rare and never on the hot path.
 */
public final class RejectedFrames {
    private static final int CODES = 128;
    private final AtomicLongArray byCode = new AtomicLongArray(CODES);

    /** A frame was refused with {@code code}. */
    public void rejected(final int code) {
        byCode.incrementAndGet(code >= 0 && code < CODES ? code : ErrorCode.INTERNAL_ERROR);
    }

    /** Each reason seen so far (the error code's name in lower case) with its count. */
    public void forEach(final ObjLongConsumer<String> sink) {
        for (int code = 0; code < CODES; code++) {
            final long count = byCode.get(code);
            if (count > 0) {
                sink.accept(ErrorCode.name(code).toLowerCase(Locale.ROOT), count);
            }
        }
    }
}
