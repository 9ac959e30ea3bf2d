package io.replog.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.protocol.ReplogException;
import io.netty.handler.ssl.SslContext;
import io.replog.protocol.client.ClientOptions;
import io.replog.protocol.client.ReplogClient;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * logctl's connection to a node: connected within the connect timeout, and checked with a HEALTH request before
 * anything else is sent, so that a wrong address (the HTTP port, another service) fails in seconds with a hint
 * instead of hanging, and so that logctl knows the node's role and the largest message it takes.
 */
final class NodeLink implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** What to tell a user whose --server may not be a binary port. */
    private static final String PORT_HINT = "the binary port is 7000 by default; 8000 is the node's HTTP port";

    private final String server;
    private final ReplogClient client;
    private final long answerTimeoutMs;
    private String healthJson;
    private JsonNode health;

    private NodeLink(final String server, final ReplogClient client, final long answerTimeoutMs) {
        this.server = server;
        this.client = client;
        this.answerTimeoutMs = answerTimeoutMs;
    }

    /**
     * Connects and asks for the node's health.
     *
     * @throws CommandFailure      when the peer is not a replog node, or does not answer in time
     * @throws ReplogException     CONNECTION_LOST when it cannot connect (or the connection breaks meanwhile)
     */
    static NodeLink open(final String server, final int connectTimeoutMs, final long answerTimeoutMs,
                         final SslContext tls) {
        final ReplogClient client;
        try {
            client = ReplogClient.connect(server, ClientOptions.defaults().withConnectTimeoutMs(connectTimeoutMs)
                .withTls(tls));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure("--server: " + e.getMessage());
        }
        final NodeLink link = new NodeLink(server, client, answerTimeoutMs);
        try {
            link.handshake();
            return link;
        } catch (RuntimeException | InterruptedException e) {
            link.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new CommandFailure("interrupted");
            }
            throw (RuntimeException) e;
        }
    }

    private void handshake() throws InterruptedException {
        try {
            healthJson = answer(client.probeHealth(), "HEALTH");
        } catch (CommandFailure.NoAnswer e) {
            throw new CommandFailure(e.getMessage() + ": is " + server + " a replog node's binary port? (" + PORT_HINT
                + ")");
        } catch (ReplogException e) {
            if (e.code() == ReplogException.CONNECTION_LOST) {
                throw new ReplogException(e.code(), server + " closed the connection before answering HEALTH ("
                    + e.getMessage() + "): is it a replog node's binary port? (" + PORT_HINT + ")");
            }
            throw e;
        }
        try {
            health = JSON.readTree(healthJson);
        } catch (JsonProcessingException e) {
            throw new CommandFailure(server + " answered HEALTH with something that is not JSON: " + e.getMessage());
        }
    }

    /**
     * Waits for {@code answer} at most the answer timeout.
     *
     * @throws ReplogException the request failed (the node's error code, CONNECTION_LOST)
     * @throws CommandFailure  no answer in time, or the peer is not a replog node
     */
    <T> T answer(final CompletableFuture<T> answer, final String request) throws InterruptedException {
        return answer(answer, request, 0);
    }

    /** The same for a request the node may hold for {@code heldMs} before it answers (a waiting READ). */
    <T> T answer(final CompletableFuture<T> answer, final String request, final long heldMs)
        throws InterruptedException {
        try {
            return answer.get(heldMs + answerTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(false);
            throw new CommandFailure.NoAnswer(server + " did not answer " + request + " within " + answerTimeoutMs
                + " ms (--answer-timeout-ms)" + (heldMs > 0 ? " after its wait of " + heldMs + " ms" : ""));
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /** The user-facing form of a failed request. */
    RuntimeException rethrow(final Throwable cause) {
        if (cause instanceof ReplogException r && r.code() == ReplogException.NOT_REPLOG_PEER) {
            return new CommandFailure(r.getMessage() + " (" + PORT_HINT + ")");
        }
        if (cause instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException(cause);
    }

    ReplogClient client() {
        return client;
    }

    String server() {
        return server;
    }

    /** The node's answer to HEALTH, as it sent it. */
    String healthJson() {
        return healthJson;
    }

    /** The node's answer to HEALTH. */
    JsonNode health() {
        return health;
    }

    /** "master" or "secondary". */
    String role() {
        return health.path("role").asText();
    }

    /** The largest message the node takes ({@code max_message_bytes}), or -1 if it does not say. */
    long maxMessageBytes() {
        return health.path("max_message_bytes").asLong(-1);
    }

    @Override
    public void close() {
        client.close();
    }
}
