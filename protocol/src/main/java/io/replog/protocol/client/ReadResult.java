package io.replog.protocol.client;

import java.util.List;

/** A page of messages and the highest msg_id the node could serve when it answered. */
public record ReadResult(List<Message> messages, long lastId) {
}
