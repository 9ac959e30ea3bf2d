package io.replog.tools;

import io.netty.channel.ChannelHandlerContext;
import io.replog.protocol.Append;
import io.replog.protocol.AppendOk;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.Health;
import io.replog.protocol.HealthOk;
import io.replog.protocol.Ping;
import io.replog.protocol.Pong;

import java.nio.charset.StandardCharsets;

/** Building blocks for {@link io.replog.testing.ScriptedServer} scripts that play a replog master. */
final class ScriptedNodes {
    private ScriptedNodes() {
    }

    /** A writable master's health report with no secondaries. */
    static String masterHealth(final long maxMessageBytes) {
        return "{\"role\":\"master\",\"read_only\":false,\"quorum\":1,\"last_msg_id\":0,\"max_w\":1,"
            + "\"max_message_bytes\":" + maxMessageBytes + ",\"pending_appends\":0,\"secondaries\":[]}";
    }

    /** Answers HEALTH with {@code json} and PING with PONG; true if it did. */
    static boolean answerHealthAndPing(final ChannelHandlerContext ctx, final Frame frame, final String json) {
        if (frame instanceof Health) {
            ctx.writeAndFlush(new HealthOk(frame.requestId(), json));
            return true;
        }
        if (frame instanceof Ping) {
            ctx.writeAndFlush(new Pong(frame.requestId()));
            return true;
        }
        return false;
    }

    static String text(final Append append) {
        return append.payload().toString(StandardCharsets.UTF_8);
    }

    /** APPEND_OK with msg_id = the append's seq (logctl's line number). */
    static void ok(final ChannelHandlerContext ctx, final Append append) {
        ctx.writeAndFlush(new AppendOk(append.requestId(), append.seq()));
    }

    static void error(final ChannelHandlerContext ctx, final Frame request, final short code, final String text) {
        ctx.writeAndFlush(new ErrorFrame(request.requestId(), code, text));
    }
}
