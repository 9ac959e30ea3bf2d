package io.replog.protocol.client;

import java.nio.charset.StandardCharsets;

/** One message read from a node. */
public record Message(long msgId, byte[] payload) {
    /** The payload as UTF-8 text. */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
