package io.replog.protocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link FirstBytes} makes of a peer's first bytes, however they are split, and that it passes them on. */
class FirstBytesTest {
    private final FirstBytes firstBytes = new FirstBytes();
    private final EmbeddedChannel channel = new EmbeddedChannel(firstBytes);

    private void receive(final String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** Everything the handler passed on, as text. */
    private String passedOn() {
        final StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readInbound()) != null) {
            text.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return text.toString();
    }

    @Test
    void anHttpStatusLineSplitAcrossReadsIsNamed() {
        receive("HT");
        assertFalse(firstBytes.looksLikeHttp(), "two bytes are not a status line yet");
        receive("TP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        assertTrue(firstBytes.looksLikeHttp());
        assertEquals("it answered like an HTTP server: \"HTTP/1.1 400 Bad Request\"", firstBytes.describe());
        assertEquals("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", passedOn(), "every byte passed on");
        assertFalse(channel.finish());
    }

    @Test
    void fiveBytesAreEnoughToKnowHttp() {
        receive("HTTP");
        assertFalse(firstBytes.looksLikeHttp());
        receive("/");
        assertTrue(firstBytes.looksLikeHttp());
        assertEquals("it answered like an HTTP server: \"HTTP/\"", firstBytes.describe(), "no line end yet");
        passedOn();
        channel.finish();
    }

    @Test
    void aStatusLineEndingInABareNewlineIsCutThere() {
        receive("HTTP/1.0 404 Not Found\nServer: x\n");
        assertEquals("it answered like an HTTP server: \"HTTP/1.0 404 Not Found\"", firstBytes.describe());
        passedOn();
        channel.finish();
    }

    @Test
    void otherBytesAreShownAsTheirFirstSixteenInHex() {
        receive("SSH-2.0-OpenSSH_9.2p1 Debian");
        assertFalse(firstBytes.looksLikeHttp());
        assertEquals("its answer is not a replog frame (first bytes 5353482d322e302d4f70656e5353485f)",
            firstBytes.describe());
        passedOn();
        channel.finish();
    }

    @Test
    void fewerThanSixteenBytesAreShownWhole() {
        receive("abc");
        assertEquals("its answer is not a replog frame (first bytes 616263)", firstBytes.describe());
        passedOn();
        channel.finish();
    }

    @Test
    void itKeepsSixtyFourBytesThenLeavesThePipeline() {
        final String sixtyThree = "HTTP/1.1 200 OK " + "x".repeat(63 - 16);
        receive(sixtyThree);
        assertNotNull(channel.pipeline().get(FirstBytes.class), "63 bytes: still watching");
        receive("yz");
        assertNull(channel.pipeline().get(FirstBytes.class), "gone once it holds 64");
        receive("after");
        assertEquals(sixtyThree + "yzafter", passedOn(), "the bytes before and after it left, all passed on");
        assertEquals("it answered like an HTTP server: \"" + sixtyThree + "y\"", firstBytes.describe(),
            "the first 64 bytes, no more");
        assertFalse(channel.finish());
    }
}
