package io.replog.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.replog.protocol.client.Message;

import java.io.PrintWriter;

/** How {@code list} and {@code tail} print a message: {@code msg_id<TAB>message}, or one JSON object per line. */
final class MessageLines {
    private final PrintWriter out;
    private final boolean json;

    MessageLines(final PrintWriter out, final boolean json) {
        this.out = out;
        this.json = json;
    }

    void print(final Message m) throws JsonProcessingException {
        if (json) {
            // a message's own newlines and tabs are escaped inside its JSON string: one object per line, always
            out.println(NodeLink.JSON.writeValueAsString(NodeLink.JSON.createObjectNode()
                .put("msg_id", m.msgId()).put("message", m.text())));
        } else {
            out.print(m.msgId());
            out.print('\t');
            out.println(m.text());
        }
    }

    void flush() {
        out.flush();
    }
}
