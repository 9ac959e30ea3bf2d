package io.replog.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Frame;
import io.replog.protocol.FrameCodec;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.ProtocolPipeline;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Garbage on a real node's binary port: one ERROR frame, the connection closed, everyone else unaffected. */
class MalformedInputTest {
    @RegisterExtension
    static final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(1));
    private static ReplogClient bystander;

    @BeforeAll
    static void connect() {
        bystander = cluster.client(cluster.master());
    }

    @AfterAll
    static void disconnect() {
        bystander.close();
    }

    /** Sends raw bytes, reads until the node closes the connection, decodes what came back. */
    private static ErrorFrame sendRaw(final byte[] bytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", cluster.master().port())) {
            socket.setSoTimeout(30_000);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.write(bytes);
            out.flush();
            final InputStream in = socket.getInputStream();
            final byte[] answer = in.readAllBytes(); // returns at EOF: the node closed the connection
            final EmbeddedChannel decoder = new EmbeddedChannel();
            ProtocolPipeline.addCodec(decoder.pipeline(), FrameHeader.DEFAULT_MAX_FRAME_LENGTH);
            decoder.writeInbound(Unpooled.wrappedBuffer(answer));
            final Frame frame = decoder.readInbound();
            assertFalse(decoder.finish());
            return assertInstanceOf(ErrorFrame.class, frame);
        }
    }

    private void assertOthersStillServed() {
        final long before = cluster.master().role().log().lastId();
        assertEquals(before + 1, Await.result(bystander.append("bystander", 2)));
    }

    @Test
    void oversizedFrame() throws Exception {
        final ByteBuf buf = Unpooled.buffer();
        buf.writeInt(FrameHeader.DEFAULT_MAX_FRAME_LENGTH + 1);
        buf.writeBytes(new byte[64]);
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        assertEquals(ErrorCode.FRAME_TOO_LARGE, sendRaw(bytes).code());
        assertOthersStillServed();
    }

    @Test
    void unknownVersionAndType() throws Exception {
        final ByteBuf buf = Unpooled.buffer();
        FrameCodec.writeHeader(buf, (byte) 0x55, 0, 9, 0);
        buf.setByte(4, 7); // version 7
        final byte[] badVersion = new byte[buf.readableBytes()];
        buf.getBytes(0, badVersion);
        buf.setByte(4, FrameHeader.VERSION);
        final byte[] badType = new byte[buf.readableBytes()];
        buf.getBytes(0, badType);
        buf.release();
        final ErrorFrame version = sendRaw(badVersion);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, version.code());
        assertEquals(9, version.requestId());
        assertEquals(ErrorCode.UNKNOWN_TYPE, sendRaw(badType).code());
        assertOthersStillServed();
    }

    @Test
    void aNodeOfProtocolVersionOneIsToldWhyItIsRefused() throws Exception {
        // what a master of the previous protocol sends first on its link: an empty REPLICATE (version 1, type 0x05)
        final ByteBuf buf = Unpooled.buffer();
        FrameCodec.writeHeader(buf, (byte) 0x05, 0, -1, 28);
        buf.setByte(4, 1);
        buf.writeLong(0x0123456789abcdefL).writeLong(1).writeInt(0).writeLong(1);
        final byte[] probe = new byte[buf.readableBytes()];
        buf.getBytes(0, probe);
        buf.release();
        final ErrorFrame refused = sendRaw(probe);
        assertEquals(ErrorCode.UNSUPPORTED_VERSION, refused.code());
        assertEquals(-1, refused.requestId());
        assertEquals("unsupported protocol version 1 (this node speaks 2)", refused.message());
        assertOthersStillServed();
    }

    @Test
    void randomGarbage() throws Exception {
        final Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            final byte[] garbage = new byte[64];
            random.nextBytes(garbage);
            garbage[0] = 0; // a small length, so the frame decoder (not only the framer) sees garbage
            garbage[1] = 0;
            garbage[2] = 0;
            garbage[3] = 40;
            final ErrorFrame error = sendRaw(garbage);
            assertTrue(ErrorCode.isFraming(error.code()), error.toString());
        }
        assertOthersStillServed();
    }
}
