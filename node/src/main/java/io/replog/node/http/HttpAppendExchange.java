package io.replog.node.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.ReplySink;
import io.replog.node.server.ReadGate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code POST /append} waiting for its answer. The connection's read gate stays shut until the answer is
 * written, so responses leave in request order even if a client pipelines.
 */
final class HttpAppendExchange implements ReplySink {
    private final ChannelHandlerContext ctx;
    private final ReadGate gate;
    private final boolean keepAlive;

    HttpAppendExchange(final ChannelHandlerContext ctx, final ReadGate gate, final boolean keepAlive) {
        this.ctx = ctx;
        this.gate = gate;
        this.keepAlive = keepAlive;
    }

    @Override
    public void appended(final AppendRequest request) {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "OK");
        body.put("msg_id", request.msgId());
        if (request.duplicate()) {
            body.put("duplicate", true); // a re-sent tag: stored before, nothing new stored
        }
        answer(HttpResponseStatus.OK, body);
    }

    @Override
    public void failed(final AppendRequest request) {
        answer(HttpStatuses.forErrorCode(request.errorCode()), Map.of("detail", request.errorText()));
    }

    @Override
    public boolean gone() {
        return !ctx.channel().isActive();
    }

    private void answer(final HttpResponseStatus status, final Object body) {
        ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                return; // the client left; the message is in the log all the same
            }
            HttpResponses.json(ctx, status, body, keepAlive);
            gate.resume(ReadGate.ANSWERING);
        });
    }
}
