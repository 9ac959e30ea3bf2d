package io.replog.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.protocol.Append;
import io.replog.protocol.AppendOk;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameCodec;
import io.replog.protocol.FrameType;
import io.replog.protocol.Read;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What PROTOCOL.md promises for requests a node refuses: each gets its documented code, and whether the connection
 * stays open is what the code says (below 100 it closes, from 100 it stays).
 */
class ProtocolPromisesTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Settings.ephemeral(1));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static ReplogException refusal(final CompletableFuture<?> answer) {
        final ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(ReplogException.class, e.getCause());
    }

    private static void assertStillServes(final ReplogClient client) throws Exception {
        client.ping().get(10, TimeUnit.SECONDS);
        assertTrue(client.isConnected());
    }

    @Test
    void anAnswerSentToANodeIsAnUnexpectedFrameAndTheConnectionStays() throws Exception {
        for (final ReplogNode node : java.util.List.of(cluster.master(), cluster.secondaries().get(0))) {
            try (ReplogClient client = ClusterTestSupport.client(node)) {
                final ReplogException e = refusal(client.send(new AppendOk(client.nextRequestId(), 5)));
                assertEquals(ErrorCode.UNEXPECTED_FRAME, e.code(), node.role().name());
                assertStillServes(client);
            }
        }
    }

    @Test
    void aReadFromBelowOneOrANegativeCountIsAnInvalidRequest() throws Exception {
        try (ReplogClient client = ClusterTestSupport.client(cluster.master())) {
            for (final Read bad : new Read[] {new Read(client.nextRequestId(), 0, 10),
                new Read(client.nextRequestId(), -3, 10), new Read(client.nextRequestId(), 1, -1)}) {
                final ReplogException e = refusal(client.send(bad));
                assertEquals(ErrorCode.INVALID_REQUEST, e.code(), bad.toString());
                assertTrue(e.getMessage().contains("from_id must be >= 1 and max_count >= 0"), e.getMessage());
            }
            assertStillServes(client);
        }
    }

    /** Writes {@code frame} on a raw socket; returns the ERROR code answered, after checking the node closed. */
    private static short refusedAndClosed(final ReplogNode node, final ByteBuf frame) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", node.port())) {
            final byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            frame.release();
            final OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            socket.setSoTimeout(10_000);
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            assertEquals(FrameType.ERROR, answer[1]);
            assertEquals(-1, in.read(), "the node closes the connection after a framing error");
            return (short) (((answer[12] & 0xff) << 8) | (answer[13] & 0xff));
        }
    }

    @Test
    void aNegativeEntryCountIsMalformedAndClosesTheConnection() throws Exception {
        final ByteBuf frame = Unpooled.buffer();
        FrameCodec.writeReadOkHeader(frame, 4, 1, -1, 1, 0);
        assertEquals(ErrorCode.MALFORMED_FRAME, refusedAndClosed(cluster.secondaries().get(0), frame));
    }

    @Test
    void aTaggedAppendWithClientIdZeroIsMalformedAndClosesTheConnection() throws Exception {
        // the TAGGED flag with client_id 0, written by hand: the client library never sends it
        final ByteBuf frame = Unpooled.buffer();
        FrameCodec.writeHeader(frame, FrameType.APPEND, Append.FLAG_TAGGED, 3,
            Append.FIXED_BODY_LENGTH + Append.TAG_LENGTH + 1);
        frame.writeByte(1).writeMedium(0).writeInt(0).writeLong(0).writeLong(1).writeByte('x');
        assertEquals(ErrorCode.MALFORMED_FRAME, refusedAndClosed(cluster.master(), frame));
    }

    /**
     * Tags are remembered by the log's newest 65,536 entries, not by a window of seqs per client (the fixed-role
     * stack's 4096): a seq far below the client's newest is still recognised while its message is that recent
     * (the window's end: ReplicaBoundsTest.theMastersTagsStayWithinTheStoragesWindowAndAnOlderTagIsStoredAgain).
     */
    @Test
    void aTaggedSeqFarBelowTheClientsNewestIsStillRecognised() throws Exception {
        try (ReplogClient client = ClusterTestSupport.client(cluster.master())) {
            final long clientId = 0x0_1D_0_1DL;
            final long first = client.append("first".getBytes(), 1, 0, clientId, 1).get(10, TimeUnit.SECONDS);
            final long ahead = client.append("far ahead".getBytes(), 1, 0, clientId, 1 + 4096)
                .get(10, TimeUnit.SECONDS);
            assertEquals(first, client.append("first".getBytes(), 1, 0, clientId, 1).get(10, TimeUnit.SECONDS),
                "seq 1 again: the first msg_id, nothing stored");
            assertEquals(ahead, client.readAll().get(client.readAll().size() - 1).msgId(), "nothing new stored");
            assertStillServes(client);
        }
    }
}
