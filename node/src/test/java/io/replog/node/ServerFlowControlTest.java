package io.replog.node;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.replog.node.config.NodeConfig;
import io.replog.node.server.EventLoops;
import io.replog.node.server.ReadGate;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.FrameType;
import io.replog.protocol.ReadOk;
import io.replog.node.http.RawHttp;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that pipelines requests and never reads its answers: the node stops reading from it once the answers
 * it buffered pass the high water mark, so its memory stays bounded (high water mark plus one answer), serves
 * everyone else meanwhile, and delivers every answer, in order, once the client reads. Binary and HTTP ports.
 */
class ServerFlowControlTest {
    private static final int MESSAGES = 16;
    private static final int MESSAGE_BYTES = 64 * 1024;
    /** A READ_OK of all {@link #MESSAGES}: header, fixed body, entry run. */
    private static final int READ_ANSWER_BYTES = 4 + FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD
        + ReadOk.FIXED_BODY_LENGTH + MESSAGES * (4 + MESSAGE_BYTES);
    /** Netty counts each buffered message with an overhead (ChannelOutboundBuffer's entry), allow for a few. */
    private static final int ENTRY_SLACK = 4 * 1024;

    private static EventLoops loops;
    private static ReplogNode node;

    @BeforeAll
    static void start() throws Exception {
        loops = new EventLoops(2, "flow-test");
        node = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0), loops);
        try (ReplogClient client = ReplogClient.connect("127.0.0.1", node.port())) {
            for (int i = 0; i < MESSAGES; i++) {
                final byte[] payload = new byte[MESSAGE_BYTES];
                Arrays.fill(payload, (byte) ('a' + i));
                client.append(payload, 1, 0).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @AfterAll
    static void stop() {
        node.close();
        loops.close();
    }

    /** What the node's side of a connection looks like, read on its event loop. */
    private record Side(boolean reading, boolean writable, long bufferedBytes) {
    }

    private static Side side(final Channel channel) {
        try {
            return channel.eventLoop().submit(() -> {
                final ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
                return new Side(channel.config().isAutoRead(), channel.isWritable(),
                    out == null ? 0 : out.totalPendingWriteBytes());
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The node's channel for the connection {@code client} opened. */
    private static Channel nodeSideOf(final Socket client) {
        final InetSocketAddress local = (InetSocketAddress) client.getLocalSocketAddress();
        final Channel[] found = new Channel[1];
        Await.until("the node accepted " + local, () -> {
            for (final Channel c : node.connections()) {
                if (local.equals(c.remoteAddress())) {
                    found[0] = c;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** A socket with a small receive buffer, so that the node's answers back up quickly. */
    private static Socket slowReader(final int port) throws IOException {
        final Socket socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** Waits until the node stopped reading {@code channel} because its answers back up, and checks the bound. */
    private static void assertStoppedReadingWithin(final Channel channel, final long boundBytes) {
        Await.until("the node stops reading a connection whose answers are not read", () -> {
            final Side s = side(channel);
            return !s.reading() && !s.writable();
        });
        final Side stuck = side(channel);
        assertTrue(stuck.bufferedBytes() <= boundBytes, "the node buffered " + stuck.bufferedBytes()
            + " bytes for a client that does not read, more than the high water mark plus one answer (" + boundBytes
            + ")");
    }

    @Test
    void pipelinedReadsOfLargeAnswersNotReadBackStopTheNodeReadingAndArriveInOrderLater() throws Exception {
        final int reads = 200; // ~200 MiB of answers if the node answered them all at once
        try (Socket socket = slowReader(node.port())) {
            final ByteArrayOutputStream requests = new ByteArrayOutputStream();
            final DataOutputStream out = new DataOutputStream(requests);
            for (int id = 1; id <= reads; id++) {
                out.writeInt(FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD + 12);
                out.writeByte(FrameHeader.VERSION);
                out.writeByte(FrameType.READ);
                out.writeShort(0);
                out.writeLong(id);
                out.writeLong(1);
                out.writeInt(MESSAGES);
            }
            socket.getOutputStream().write(requests.toByteArray());
            final Channel channel = nodeSideOf(socket);
            assertStoppedReadingWithin(channel, ReadGate.WATER_MARK.high() + READ_ANSWER_BYTES + ENTRY_SLACK);

            assertOthersAreServed();
            assertTrue(side(channel).bufferedBytes() <= ReadGate.WATER_MARK.high() + READ_ANSWER_BYTES + ENTRY_SLACK);

            final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            for (int id = 1; id <= reads; id++) {
                final int length = in.readInt();
                assertEquals(FrameHeader.VERSION, in.readByte());
                assertEquals(FrameType.READ_OK, in.readByte(), "answer " + id);
                in.readShort();
                assertEquals(id, in.readLong(), "answers arrive in request order");
                final byte[] body = new byte[length - FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD];
                in.readFully(body);
                assertEquals(MESSAGES, java.nio.ByteBuffer.wrap(body).getInt(8), "count of answer " + id);
                assertEquals('a' + MESSAGES - 1, body[body.length - 1], "last byte of answer " + id);
            }
        }
    }

    @Test
    void aFloodOfSmallAndLargeAnswersNotReadBackIsThrottledAndEveryAnswerArrivesInOrder() throws Exception {
        // PING, HEALTH, READ of one 64 KiB message, round and round: answers small (PONG, HEALTH_OK, rendered
        // for each request) and large, ~200 MiB if the node answered all it is sent
        final int rounds = 3_000;
        final byte[] types = {FrameType.PING, FrameType.HEALTH, FrameType.READ};
        final byte[] answers = {FrameType.PONG, FrameType.HEALTH_OK, FrameType.READ_OK};
        try (Socket socket = slowReader(node.port())) {
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeFrames(socket, rounds, types));
            final Channel channel = nodeSideOf(socket);
            assertStoppedReadingWithin(channel, ReadGate.WATER_MARK.high() + MESSAGE_BYTES + ENTRY_SLACK);
            assertOthersAreServed();

            final DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            for (long id = 1; id <= (long) rounds * types.length; id++) {
                final int length = in.readInt();
                in.readByte();
                assertEquals(answers[(int) ((id - 1) % types.length)], in.readByte(), "type of answer " + id);
                in.readShort();
                assertEquals(id, in.readLong(), "answers arrive in request order");
                in.readNBytes(length - FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD);
            }
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code rounds} times each of {@code types}, request ids 1, 2, 3, …; a READ asks for message 1. */
    private static void writeFrames(final Socket socket, final int rounds, final byte[] types) {
        try {
            final DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                socket.getOutputStream(), 1 << 16));
            long id = 1;
            for (int round = 0; round < rounds; round++) {
                for (final byte type : types) {
                    final boolean read = type == FrameType.READ;
                    out.writeInt(FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD + (read ? 12 : 0));
                    out.writeByte(FrameHeader.VERSION);
                    out.writeByte(type);
                    out.writeShort(0);
                    out.writeLong(id++);
                    if (read) {
                        out.writeLong(1);
                        out.writeInt(1);
                    }
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void pipelinedHttpRequestsNotReadBackStopTheNodeReadingAndAreAnsweredInOrderLater() throws Exception {
        // /health (rendered for each request) and a 64 KiB message as JSON, ~130 MiB if all were answered at once
        final int rounds = 2_000;
        try (RawHttp http = new RawHttp(slowReader(node.httpPort()))) {
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        http.send(RawHttp.get("/health"), RawHttp.get("/messages?from=1&limit=1"));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            final Channel channel = nodeSideOf(http.socket());
            assertStoppedReadingWithin(channel, ReadGate.WATER_MARK.high() + 2 * MESSAGE_BYTES + ENTRY_SLACK);
            final HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpPort() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, other.statusCode(), "another HTTP client is served meanwhile");
            assertOthersAreServed();

            for (int i = 0; i < rounds; i++) {
                final RawHttp.Response health = http.read();
                assertTrue(health.body().startsWith("{\"role\":\"master\""), "answer " + (2 * i) + ": " + health);
                final RawHttp.Response messages = http.read();
                assertTrue(messages.body().startsWith("[{\"msg_id\":1,"), "answer " + (2 * i + 1));
            }
            writer.get(30, TimeUnit.SECONDS);
        }
    }

    /** Another client on the binary port gets its answers at once. */
    private static void assertOthersAreServed() throws Exception {
        try (ReplogClient other = ReplogClient.connect("127.0.0.1", node.port())) {
            other.ping().get(10, TimeUnit.SECONDS);
            final var read = other.read(1, 1).get(10, TimeUnit.SECONDS);
            final byte[] expected = new byte[MESSAGE_BYTES];
            Arrays.fill(expected, (byte) 'a');
            assertArrayEquals(expected, read.messages().get(0).payload());
        }
    }
}
