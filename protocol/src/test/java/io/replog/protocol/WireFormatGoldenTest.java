package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire format against its specification, {@code PROTOCOL.md}. Every number here (type bytes, error codes,
 * offsets, sizes, the hex of the examples) is a literal copied from the document, never one of the production
 * constants: a constant changed by mistake, or a codec that drifts from the page, fails this test. Each example
 * frame is decoded with {@link FrameCodec#decode}, its fields read both through the decoded frame and straight
 * from the documented offsets, and re-encoded with {@link FrameCodec#encode} byte for byte. The same hex must stand
 * in the document's Example section, so the page and the code cannot part ways.
 */
class WireFormatGoldenTest {
    private static final Path PROTOCOL_MD = Path.of("PROTOCOL.md");

    /** One documented field: frame (variant), offset from the start of the frame, size (-1 = rest), name. */
    private record Layout(String frame, int offset, int size, String field) {
    }

    /** The header every frame starts with (the ASCII diagram of PROTOCOL.md). */
    private static final Layout LENGTH = new Layout("header", 0, 4, "Frame Length");
    private static final Layout VERSION = new Layout("header", 4, 1, "Version");
    private static final Layout TYPE = new Layout("header", 5, 1, "Type");
    private static final Layout FLAGS = new Layout("header", 6, 2, "Flags");
    private static final Layout REQUEST_ID = new Layout("header", 8, 8, "Request Id");

    /** Every row of the Frames table of PROTOCOL.md. */
    private static final List<Layout> FRAME_TABLE = List.of(
        new Layout("APPEND", 16, 1, "w"),
        new Layout("APPEND", 17, 3, "reserved"),
        new Layout("APPEND", 20, 4, "timeout_ms"),
        new Layout("APPEND", 24, -1, "payload"),
        new Layout("APPEND TAGGED", 24, 8, "client_id"),
        new Layout("APPEND TAGGED", 32, 8, "seq"),
        new Layout("APPEND TAGGED", 40, -1, "payload"),
        new Layout("APPEND_OK", 16, 8, "msg_id"),
        new Layout("READ", 16, 8, "from_id"),
        new Layout("READ", 24, 4, "max_count"),
        new Layout("READ WAIT", 28, 4, "wait_ms"),
        new Layout("READ_OK", 16, 8, "first_id"),
        new Layout("READ_OK", 24, 4, "count"),
        new Layout("READ_OK", 28, 8, "last_id"),
        new Layout("READ_OK", 36, -1, "entry run"),
        new Layout("ERROR", 16, 2, "code"),
        new Layout("ERROR", 18, -1, "text"),
        new Layout("PING", 16, 0, "—"),
        new Layout("PONG", 16, 0, "—"),
        new Layout("HEALTH", 16, 0, "—"),
        new Layout("HEALTH_OK", 16, -1, "json"),
        new Layout("AUTH_HELLO", 16, 8, "log_id"),
        new Layout("AUTH_HELLO", 24, 32, "nonce"),
        new Layout("AUTH_CHALLENGE", 16, 32, "nonce"),
        new Layout("AUTH_CHALLENGE", 48, 32, "proof"),
        new Layout("AUTH_PROOF", 16, 32, "proof"),
        new Layout("AUTH_OK", 16, 0, "—"),
        new Layout("VOTE_REQUEST", 16, 4, "from"),
        new Layout("VOTE_REQUEST", 20, 8, "epoch"),
        new Layout("VOTE_REQUEST", 28, 8, "last_epoch"),
        new Layout("VOTE_REQUEST", 36, 8, "last_id"),
        new Layout("VOTE_REPLY", 16, 4, "from"),
        new Layout("VOTE_REPLY", 20, 8, "epoch"),
        new Layout("VOTE_REPLY", 28, 1, "granted"),
        new Layout("APPEND_ENTRIES", 16, 4, "from"),
        new Layout("APPEND_ENTRIES", 20, 8, "epoch"),
        new Layout("APPEND_ENTRIES", 28, 8, "prev_id"),
        new Layout("APPEND_ENTRIES", 36, 8, "prev_epoch"),
        new Layout("APPEND_ENTRIES", 44, 8, "commit_id"),
        new Layout("APPEND_ENTRIES", 52, 8, "log_id"),
        new Layout("APPEND_ENTRIES", 60, 4, "count"),
        new Layout("APPEND_ENTRIES", 64, -1, "entries"),
        new Layout("APPEND_ENTRIES_REPLY", 16, 4, "from"),
        new Layout("APPEND_ENTRIES_REPLY", 20, 8, "epoch"),
        new Layout("APPEND_ENTRIES_REPLY", 28, 1, "accepted"),
        new Layout("APPEND_ENTRIES_REPLY", 29, 8, "accepted_id"),
        new Layout("APPEND_ENTRIES_REPLY", 37, 8, "durable_id"),
        new Layout("APPEND_ENTRIES_REPLY", 45, 8, "conflict_epoch"),
        new Layout("APPEND_ENTRIES_REPLY", 53, 8, "conflict_id"),
        new Layout("TAIL_REQUEST", 16, 4, "from"),
        new Layout("TAIL_REQUEST", 20, 8, "epoch"),
        new Layout("TAIL_REQUEST", 28, 8, "prev_id"),
        new Layout("TAIL_REQUEST", 36, 8, "prev_epoch"),
        new Layout("TAIL_REQUEST", 44, 8, "log_id"),
        new Layout("TAIL_REPLY", 16, 4, "from"),
        new Layout("TAIL_REPLY", 20, 8, "epoch"),
        new Layout("TAIL_REPLY", 28, 8, "last_epoch"),
        new Layout("TAIL_REPLY", 36, 8, "last_id"),
        new Layout("TAIL_REPLY", 44, 8, "prev_id"),
        new Layout("TAIL_REPLY", 52, 1, "matched"),
        new Layout("TAIL_REPLY", 53, 4, "count"),
        new Layout("TAIL_REPLY", 57, -1, "entries"));

    /**
     * Every row of the table "Entries of APPEND_ENTRIES" of PROTOCOL.md: offsets from the start of the entry, size -1
     * = the entry's {@code length} bytes.
     */
    private static final List<Layout> ENTRY_TABLE = List.of(
        new Layout("entry", 0, 8, "epoch"),
        new Layout("entry", 8, 1, "flags"),
        new Layout("entry", 9, 4, "length"),
        new Layout("entry", 13, -1, "payload"),
        new Layout("entry TAGGED", 9, 8, "client_id"),
        new Layout("entry TAGGED", 17, 8, "seq"),
        new Layout("entry TAGGED", 25, 4, "length"),
        new Layout("entry TAGGED", 29, -1, "payload"));

    /** Frame types of PROTOCOL.md, in table order. */
    private static final Map<String, Integer> TYPES = orderedMap(
        "APPEND", 0x01, "APPEND_OK", 0x02, "READ", 0x03, "READ_OK", 0x04,
        "ERROR", 0x07, "PING", 0x08, "PONG", 0x09, "HEALTH", 0x0A, "HEALTH_OK", 0x0B,
        "AUTH_HELLO", 0x0D, "AUTH_CHALLENGE", 0x0E, "AUTH_PROOF", 0x0F, "AUTH_OK", 0x10,
        "VOTE_REQUEST", 0x11, "VOTE_REPLY", 0x12, "APPEND_ENTRIES", 0x13, "APPEND_ENTRIES_REPLY", 0x14,
        "TAIL_REQUEST", 0x15, "TAIL_REPLY", 0x16);

    /** Error codes of PROTOCOL.md and whether each one closes the connection. */
    private record Code(String name, boolean closes) {
    }

    private static final Map<Integer, Code> CODES = new TreeMap<>(Map.ofEntries(
        Map.entry(1, new Code("MALFORMED_FRAME", true)),
        Map.entry(2, new Code("UNSUPPORTED_VERSION", true)),
        Map.entry(3, new Code("UNKNOWN_TYPE", true)),
        Map.entry(4, new Code("FRAME_TOO_LARGE", true)),
        Map.entry(5, new Code("INTERNAL_ERROR", true)),
        Map.entry(6, new Code("TOO_MANY_CONNECTIONS", true)),
        Map.entry(100, new Code("INVALID_REQUEST", false)),
        Map.entry(101, new Code("NOT_MASTER", false)),
        Map.entry(102, new Code("READ_ONLY", false)),
        Map.entry(103, new Code("TIMEOUT", false)),
        Map.entry(104, new Code("PAYLOAD_TOO_LARGE", false)),
        Map.entry(105, new Code("UNEXPECTED_FRAME", false)),
        Map.entry(106, new Code("REPLICATION_FAILED", false)),
        Map.entry(107, new Code("SHUTTING_DOWN", false)),
        Map.entry(108, new Code("LOG_MISMATCH", false)),
        Map.entry(109, new Code("STORAGE_FULL", false)),
        Map.entry(110, new Code("OVERLOADED", false)),
        Map.entry(111, new Code("LOG_DAMAGED", false)),
        Map.entry(112, new Code("STORAGE_FAILED", false)),
        Map.entry(113, new Code("UNAUTHORIZED", false)),
        Map.entry(114, new Code("TAG_REUSED", false))));

    // The examples of PROTOCOL.md's Example section, field by field as they are laid out there.
    private static final String APPEND = "00 00 00 16  02 01 00 00  00 00 00 00 00 00 00 01  02 00 00 00  00 00 03 e8"
        + "  68 69";
    private static final String APPEND_TAGGED = "00 00 00 26  02 01 00 01  00 00 00 00 00 00 00 02  03 00 00 00"
        + "  00 00 00 fa  00 00 00 00 00 00 00 2a  00 00 00 00 00 00 00 07  68 69";
    private static final String APPEND_OK = "00 00 00 14  02 02 00 00  00 00 00 00 00 00 00 01"
        + "  00 00 00 00 00 00 00 07";
    private static final String APPEND_OK_DUPLICATE = "00 00 00 14  02 02 00 01  00 00 00 00 00 00 00 02"
        + "  00 00 00 00 00 00 00 07";
    private static final String READ = "00 00 00 18  02 03 00 00  00 00 00 00 00 00 00 03  00 00 00 00 00 00 00 06"
        + "  00 00 00 64";
    private static final String READ_OK = "00 00 00 2d  02 04 00 00  00 00 00 00 00 00 00 03  00 00 00 00 00 00 00 06"
        + "  00 00 00 02  00 00 00 00 00 00 00 07  00 00 00 02 68 69  00 00 00 03 79 6f 75";
    private static final String ERROR = "00 00 00 17  02 07 00 00  00 00 00 00 00 00 00 05  00 66"
        + "  72 65 61 64 2d 6f 6e 6c 79";
    private static final String PING = "00 00 00 0c  02 08 00 00  00 00 00 00 00 00 00 06";
    private static final String PONG = "00 00 00 0c  02 09 00 00  00 00 00 00 00 00 00 06";
    private static final String HEALTH = "00 00 00 0c  02 0a 00 00  00 00 00 00 00 00 00 07";
    private static final String HEALTH_OK = "00 00 00 1d  02 0b 00 00  00 00 00 00 00 00 00 07"
        + "  7b 22 72 6f 6c 65 22 3a 22 6d 61 73 74 65 72 22 7d";

    private static final String AUTH_HELLO = "00 00 00 34  02 0d 00 00  00 00 00 00 00 00 00 01"
        + "  01 23 45 67 89 ab cd ef  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  10 11 12 13 14 15 16 17"
        + "  18 19 1a 1b 1c 1d 1e 1f";
    private static final String AUTH_CHALLENGE = "00 00 00 4c  02 0e 00 00  00 00 00 00 00 00 00 01"
        + "  20 21 22 23 24 25 26 27  28 29 2a 2b 2c 2d 2e 2f  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f"
        + "  c3 3d f4 5d 23 14 07 5b  39 ba cb da b9 62 1b 34  0e cc 21 21 e6 b7 8a 19  31 9f f2 2d 96 dd 77 14";
    private static final String AUTH_PROOF = "00 00 00 2c  02 0f 00 00  00 00 00 00 00 00 00 02"
        + "  bc 22 97 c0 ce 30 e0 cf  ae f6 e8 aa 39 94 3a 2a  28 92 f5 e9 79 74 16 ce  68 4f 06 02 b4 29 c8 f8";
    private static final String AUTH_OK = "00 00 00 0c  02 10 00 00  00 00 00 00 00 00 00 02";
    private static final String VOTE_REQUEST = "00 00 00 28  02 11 00 00  00 00 00 00 00 00 00 08  00 00 00 02"
        + "  00 00 00 00 00 00 00 05  00 00 00 00 00 00 00 04  00 00 00 00 00 00 00 11";
    private static final String VOTE_REPLY = "00 00 00 19  02 12 00 00  00 00 00 00 00 00 00 08  00 00 00 03"
        + "  00 00 00 00 00 00 00 05  01";
    private static final String APPEND_ENTRIES = "00 00 00 68  02 13 00 00  00 00 00 00 00 00 00 09  00 00 00 02"
        + "  00 00 00 00 00 00 00 05  00 00 00 00 00 00 00 11  00 00 00 00 00 00 00 04  00 00 00 00 00 00 00 0f"
        + "  01 23 45 67 89 ab cd ef  00 00 00 02"
        + "  00 00 00 00 00 00 00 05  02  00 00 00 00"
        + "  00 00 00 00 00 00 00 05  01  00 00 00 00 00 00 00 2a  00 00 00 00 00 00 00 07  00 00 00 02 68 69";
    private static final String APPEND_ENTRIES_REPLY = "00 00 00 39  02 14 00 00  00 00 00 00 00 00 00 09"
        + "  00 00 00 03  00 00 00 00 00 00 00 05  01  00 00 00 00 00 00 00 13  00 00 00 00 00 00 00 12"
        + "  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00";
    private static final String APPEND_ENTRIES_REFUSED = "00 00 00 39  02 14 00 00  00 00 00 00 00 00 00 0a"
        + "  00 00 00 04  00 00 00 00 00 00 00 05  00  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00"
        + "  00 00 00 00 00 00 00 03  00 00 00 00 00 00 00 0c";
    private static final String TAIL_REQUEST = "00 00 00 30  02 15 00 01  00 00 00 00 00 00 00 03  00 00 00 01"
        + "  00 00 00 00 00 00 00 04  00 00 00 00 00 00 00 09  00 00 00 00 00 00 00 03  01 23 45 67 89 ab cd ef";
    private static final String TAIL_REPLY = "00 00 00 64  02 16 00 00  00 00 00 00 00 00 00 03  00 00 00 02"
        + "  00 00 00 00 00 00 00 04  00 00 00 00 00 00 00 03  00 00 00 00 00 00 00 0b  00 00 00 00 00 00 00 09"
        + "  01  00 00 00 02"
        + "  00 00 00 00 00 00 00 03  00  00 00 00 02 68 69"
        + "  00 00 00 00 00 00 00 03  01  00 00 00 00 00 00 00 2a  00 00 00 00 00 00 00 07  00 00 00 03 79 6f 75";

    /** The key of the handshake example. */
    private static final byte[] EXAMPLE_KEY =
        "example-cluster-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static final List<String> EXAMPLES = List.of(APPEND, APPEND_TAGGED, APPEND_OK, APPEND_OK_DUPLICATE,
        READ, READ_OK, ERROR, PING, PONG, HEALTH, HEALTH_OK,
        AUTH_HELLO, AUTH_CHALLENGE, AUTH_PROOF, AUTH_OK,
        VOTE_REQUEST, VOTE_REPLY, APPEND_ENTRIES, APPEND_ENTRIES_REPLY, APPEND_ENTRIES_REFUSED,
        TAIL_REQUEST, TAIL_REPLY);

    /** The entry run of the READ_OK example: "hi" then "you". */
    private static final byte[] RUN = bytes("00 00 00 02 68 69 00 00 00 03 79 6f 75");

    @Test
    void frameTypeBytesAreTheDocumentedOnes() throws IOException {
        assertEquals(TYPES, constants(FrameType.class, byte.class), "FrameType constants (name -> byte)");
        TYPES.forEach((name, type) -> assertEquals(name, FrameType.name((byte) (int) type)));
        assertEquals(TYPES, documentedTypes(), "the Frames table of PROTOCOL.md");
    }

    @Test
    void errorCodesAreTheDocumentedOnes() throws IOException {
        final Map<String, Integer> byName = new LinkedHashMap<>();
        CODES.forEach((code, c) -> byName.put(c.name(), code));
        assertEquals(byName, constants(ErrorCode.class, short.class), "ErrorCode constants (name -> code)");
        CODES.forEach((code, c) -> {
            assertEquals(c.name(), ErrorCode.name(code));
            assertEquals(c.closes(), ErrorCode.isFraming(code), c.name() + " closes the connection");
            // the code travels as a uint16 at offset 16 of an ERROR frame
            final byte[] wire = encode(new ErrorFrame(9, (short) (int) code, c.name()));
            assertEquals(code, (int) read(wire, field("ERROR", "code")), c.name() + " on the wire");
        });
        assertEquals(CODES, documentedCodes(), "the Error codes table of PROTOCOL.md");
    }

    @Test
    void theFramesTableHasTheseOffsetsAndSizes() throws IOException {
        assertEquals(FRAME_TABLE, documentedLayout());
    }

    @Test
    void theEntriesTableHasTheseOffsetsAndSizes() throws IOException {
        assertEquals(ENTRY_TABLE, documentedEntryLayout());
    }

    @Test
    void versionFlagsAndLimitsAreTheDocumentedOnes() {
        assertEquals(2, FrameHeader.VERSION);
        assertEquals(0x0001, Append.FLAG_TAGGED);
        assertEquals(0x0001, Read.FLAG_WAIT);
        assertEquals(0x01, PeerEntry.FLAG_TAGGED);
        assertEquals(0x02, PeerEntry.FLAG_EPOCH_START);
        assertEquals(4_194_304, FrameHeader.DEFAULT_MAX_FRAME_LENGTH, "4 MiB");
        assertEquals(4_194_304 - 89, FrameHeader.maxPayload(4_194_304), "largest message: the limit - 89 bytes");
        assertEquals(1024 - 89, FrameHeader.maxPayload(1024));
    }

    @Test
    void aFrameOfVersionOneIsRefusedNamingBothVersions() {
        // version 1's PING (the example above with its version byte 01): a node of the previous protocol
        final byte[] wire = bytes("00 00 00 0c  01 08 00 00  00 00 00 00 00 00 00 06");
        final ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
            () -> decode(wire));
        assertEquals(2, e.code(), "UNSUPPORTED_VERSION");
        assertEquals(6, e.requestId(), "answered with the request's id");
        assertEquals("unsupported protocol version 1 (this node speaks 2)", e.getMessage());
        assertTrue(ErrorCode.isFraming(e.code()), "the connection is closed after the ERROR");
    }

    @Test
    void appendUntagged() {
        final byte[] wire = bytes(APPEND);
        assertHeader(wire, 0x01, 0, 1);
        final Append f = assertInstanceOf(Append.class, decode(wire));
        try {
            assertEquals(2, f.w());
            assertEquals(2, read(wire, field("APPEND", "w")));
            assertEquals(0, read(wire, field("APPEND", "reserved")));
            assertEquals(1000, f.timeoutMs());
            assertEquals(1000, read(wire, field("APPEND", "timeout_ms")));
            assertFalse(f.tagged());
            assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), ByteBufUtil.getBytes(f.payload()));
            assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), rest(wire, field("APPEND", "payload")));
            assertArrayEquals(wire, encode(f));
        } finally {
            f.release();
        }
    }

    @Test
    void appendTagged() {
        final byte[] wire = bytes(APPEND_TAGGED);
        assertHeader(wire, 0x01, 0x0001, 2);
        final Append f = assertInstanceOf(Append.class, decode(wire));
        try {
            assertEquals(3, f.w());
            assertEquals(3, read(wire, field("APPEND", "w")));
            assertEquals(250, f.timeoutMs());
            assertEquals(250, read(wire, field("APPEND", "timeout_ms")));
            assertTrue(f.tagged());
            assertEquals(42, f.clientId());
            assertEquals(42, read(wire, field("APPEND TAGGED", "client_id")));
            assertEquals(7, f.seq());
            assertEquals(7, read(wire, field("APPEND TAGGED", "seq")));
            assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), ByteBufUtil.getBytes(f.payload()));
            assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), rest(wire, field("APPEND TAGGED", "payload")));
            assertArrayEquals(wire, encode(f));
        } finally {
            f.release();
        }
    }

    @Test
    void appendOk() {
        final byte[] wire = bytes(APPEND_OK);
        assertHeader(wire, 0x02, 0, 1);
        final AppendOk f = assertInstanceOf(AppendOk.class, decode(wire));
        assertEquals(7, f.msgId());
        assertEquals(7, read(wire, field("APPEND_OK", "msg_id")));
        assertFalse(f.duplicate());
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void appendOkDuplicate() {
        final byte[] wire = bytes(APPEND_OK_DUPLICATE);
        assertHeader(wire, 0x02, AppendOk.FLAG_DUPLICATE, 2);
        final AppendOk f = assertInstanceOf(AppendOk.class, decode(wire));
        assertEquals(new AppendOk(2, 7, true), f);
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void read() {
        final byte[] wire = bytes(READ);
        assertHeader(wire, 0x03, 0, 3);
        final Read f = assertInstanceOf(Read.class, decode(wire));
        assertEquals(6, f.fromId());
        assertEquals(6, read(wire, field("READ", "from_id")));
        assertEquals(100, f.maxCount());
        assertEquals(100, read(wire, field("READ", "max_count")));
        assertArrayEquals(wire, encode(f));
    }

    /** Not among PROTOCOL.md's examples: READ with flag WAIT, request id 4, from msg_id 7, 100 at most, 30 s. */
    private static final String READ_WAIT = "00 00 00 1c  02 03 00 01  00 00 00 00 00 00 00 04"
        + "  00 00 00 00 00 00 00 07  00 00 00 64  00 00 75 30";

    @Test
    void readWait() {
        final byte[] wire = bytes(READ_WAIT);
        assertHeader(wire, 0x03, Read.FLAG_WAIT, 4);
        final Read f = assertInstanceOf(Read.class, decode(wire));
        assertEquals(7, read(wire, field("READ", "from_id")));
        assertEquals(100, read(wire, field("READ", "max_count")));
        assertEquals(30_000, f.waitMs());
        assertEquals(30_000, read(wire, field("READ WAIT", "wait_ms")));
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void readOk() {
        final byte[] wire = bytes(READ_OK);
        assertHeader(wire, 0x04, 0, 3);
        final ReadOk f = assertInstanceOf(ReadOk.class, decode(wire));
        try {
            assertEquals(6, f.firstId());
            assertEquals(6, read(wire, field("READ_OK", "first_id")));
            assertEquals(2, f.count());
            assertEquals(2, read(wire, field("READ_OK", "count")));
            assertEquals(7, f.lastId());
            assertEquals(7, read(wire, field("READ_OK", "last_id")));
            assertArrayEquals(RUN, ByteBufUtil.getBytes(f.entries()));
            assertArrayEquals(RUN, rest(wire, field("READ_OK", "entry run")));
            assertEquals(List.of("hi", "you"), texts(f.entries(), f.count()));
            assertArrayEquals(wire, encode(f));
        } finally {
            f.release();
        }
    }

    @Test
    void theHandshakeFramesAndTheirProofs() {
        final byte[] nonceM = new byte[32];
        final byte[] nonceS = new byte[32];
        for (int i = 0; i < 32; i++) {
            nonceM[i] = (byte) i;
            nonceS[i] = (byte) (32 + i);
        }
        final byte[] hello = bytes(AUTH_HELLO);
        assertHeader(hello, 0x0D, 0, 1);
        final AuthHello h = assertInstanceOf(AuthHello.class, decode(hello));
        assertEquals(0x0123456789abcdefL, h.logId());
        assertEquals(0x0123456789abcdefL, read(hello, field("AUTH_HELLO", "log_id")));
        assertArrayEquals(nonceM, h.nonce());
        assertArrayEquals(nonceM, slice(hello, field("AUTH_HELLO", "nonce")));
        assertArrayEquals(hello, encode(h));

        final byte[] challenge = bytes(AUTH_CHALLENGE);
        assertHeader(challenge, 0x0E, 0, 1);
        final AuthChallenge c = assertInstanceOf(AuthChallenge.class, decode(challenge));
        assertArrayEquals(nonceS, c.nonce());
        assertArrayEquals(nonceS, slice(challenge, field("AUTH_CHALLENGE", "nonce")));
        assertArrayEquals(AuthMac.proof(EXAMPLE_KEY, "secondary", 0x0123456789abcdefL, nonceM, nonceS),
            slice(challenge, field("AUTH_CHALLENGE", "proof")));
        assertTrue(AuthMac.verify(EXAMPLE_KEY, "secondary", 0x0123456789abcdefL, nonceM, nonceS, c.proof()));
        assertFalse(AuthMac.verify(EXAMPLE_KEY, "master", 0x0123456789abcdefL, nonceM, nonceS, c.proof()),
            "a secondary's proof never passes as a master's");
        assertArrayEquals(challenge, encode(c));

        final byte[] proof = bytes(AUTH_PROOF);
        assertHeader(proof, 0x0F, 0, 2);
        final AuthProof p = assertInstanceOf(AuthProof.class, decode(proof));
        assertArrayEquals(AuthMac.proof(EXAMPLE_KEY, "master", 0x0123456789abcdefL, nonceM, nonceS),
            slice(proof, field("AUTH_PROOF", "proof")));
        assertFalse(AuthMac.verify("another-key-0123456789abcdef-0123456".getBytes(StandardCharsets.US_ASCII),
            "master", 0x0123456789abcdefL, nonceM, nonceS, p.proof()));
        assertArrayEquals(proof, encode(p));

        final byte[] ok = bytes(AUTH_OK);
        assertHeader(ok, 0x10, 0, 2);
        assertArrayEquals(ok, encode(assertInstanceOf(AuthOk.class, decode(ok))));
    }

    @Test
    void voteRequest() {
        final byte[] wire = bytes(VOTE_REQUEST);
        assertHeader(wire, 0x11, 0, 8);
        final VoteRequest f = assertInstanceOf(VoteRequest.class, decode(wire));
        assertEquals(2, f.from());
        assertEquals(2, read(wire, field("VOTE_REQUEST", "from")));
        assertEquals(5, f.epoch());
        assertEquals(5, read(wire, field("VOTE_REQUEST", "epoch")));
        assertEquals(4, f.lastEpoch());
        assertEquals(4, read(wire, field("VOTE_REQUEST", "last_epoch")));
        assertEquals(17, f.lastId());
        assertEquals(17, read(wire, field("VOTE_REQUEST", "last_id")));
        assertEquals(44, wire.length, "nothing after last_id");
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void voteReply() {
        final byte[] wire = bytes(VOTE_REPLY);
        assertHeader(wire, 0x12, 0, 8);
        final VoteReply f = assertInstanceOf(VoteReply.class, decode(wire));
        assertEquals(3, f.from());
        assertEquals(3, read(wire, field("VOTE_REPLY", "from")));
        assertEquals(5, f.epoch());
        assertEquals(5, read(wire, field("VOTE_REPLY", "epoch")));
        assertTrue(f.granted());
        assertEquals(1, read(wire, field("VOTE_REPLY", "granted")));
        assertEquals(29, wire.length, "nothing after granted");
        assertArrayEquals(wire, encode(f));
        // refused: the same bytes with granted 0
        final VoteReply refused = new VoteReply(8, 3, 5, false);
        final byte[] refusedWire = encode(refused);
        assertEquals(0, read(refusedWire, field("VOTE_REPLY", "granted")));
        assertEquals(refused, decode(refusedWire));
    }

    @Test
    void appendEntries() {
        final byte[] wire = bytes(APPEND_ENTRIES);
        assertHeader(wire, 0x13, 0, 9);
        final AppendEntries f = assertInstanceOf(AppendEntries.class, decode(wire));
        assertEquals(2, f.from());
        assertEquals(2, read(wire, field("APPEND_ENTRIES", "from")));
        assertEquals(5, f.epoch());
        assertEquals(5, read(wire, field("APPEND_ENTRIES", "epoch")));
        assertEquals(17, f.prevId());
        assertEquals(17, read(wire, field("APPEND_ENTRIES", "prev_id")));
        assertEquals(4, f.prevEpoch());
        assertEquals(4, read(wire, field("APPEND_ENTRIES", "prev_epoch")));
        assertEquals(15, f.commitId());
        assertEquals(15, read(wire, field("APPEND_ENTRIES", "commit_id")));
        assertEquals(0x0123456789abcdefL, f.logId());
        assertEquals(0x0123456789abcdefL, read(wire, field("APPEND_ENTRIES", "log_id")));
        assertEquals(2, f.entries().size());
        assertEquals(2, read(wire, field("APPEND_ENTRIES", "count")));
        assertEquals(19, f.lastId());

        // entry 0 (log index 18, no msg_id): EPOCH_START of epoch 5, where the entries start
        final int first = field("APPEND_ENTRIES", "entries").offset();
        final PeerEntry start = f.entries().get(0);
        assertEquals(5, start.epoch());
        assertEquals(5, read(wire, entryField(first, "entry", "epoch")));
        assertTrue(start.epochStart());
        assertFalse(start.tagged());
        assertEquals(0x02, start.flags());
        assertEquals(0x02, read(wire, entryField(first, "entry", "flags")));
        assertEquals(0, start.payload().length);
        assertEquals(0, read(wire, entryField(first, "entry", "length")));

        // entry 1 (log index 19): "hi" tagged 42/7, of epoch 5, right after entry 0's (empty) payload
        final int second = entryField(first, "entry", "payload").offset();
        final PeerEntry hi = f.entries().get(1);
        assertEquals(5, hi.epoch());
        assertEquals(5, read(wire, entryField(second, "entry", "epoch")));
        assertFalse(hi.epochStart());
        assertTrue(hi.tagged());
        assertEquals(0x01, hi.flags());
        assertEquals(0x01, read(wire, entryField(second, "entry", "flags")));
        assertEquals(42, hi.clientId());
        assertEquals(42, read(wire, entryField(second, "entry TAGGED", "client_id")));
        assertEquals(7, hi.seq());
        assertEquals(7, read(wire, entryField(second, "entry TAGGED", "seq")));
        assertEquals(2, read(wire, entryField(second, "entry TAGGED", "length")));
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), hi.payload());
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8),
            rest(wire, entryField(second, "entry TAGGED", "payload")), "the last entry ends the frame");

        assertEquals(List.of(PeerEntry.epochStart(5),
            PeerEntry.tagged(5, 42, 7, "hi".getBytes(StandardCharsets.UTF_8))), f.entries());
        assertEquals(wire.length - 16, f.encodedBodyLength());
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void appendEntriesReplyAccepted() {
        final byte[] wire = bytes(APPEND_ENTRIES_REPLY);
        assertHeader(wire, 0x14, 0, 9);
        final AppendEntriesReply f = assertInstanceOf(AppendEntriesReply.class, decode(wire));
        assertEquals(3, f.from());
        assertEquals(3, read(wire, field("APPEND_ENTRIES_REPLY", "from")));
        assertEquals(5, f.epoch());
        assertEquals(5, read(wire, field("APPEND_ENTRIES_REPLY", "epoch")));
        assertTrue(f.accepted());
        assertEquals(1, read(wire, field("APPEND_ENTRIES_REPLY", "accepted")));
        assertEquals(19, f.acceptedId());
        assertEquals(19, read(wire, field("APPEND_ENTRIES_REPLY", "accepted_id")));
        assertEquals(18, f.durableId());
        assertEquals(18, read(wire, field("APPEND_ENTRIES_REPLY", "durable_id")));
        assertEquals(0, f.conflictEpoch());
        assertEquals(0, read(wire, field("APPEND_ENTRIES_REPLY", "conflict_epoch")));
        assertEquals(0, f.conflictId());
        assertEquals(0, read(wire, field("APPEND_ENTRIES_REPLY", "conflict_id")));
        assertEquals(61, wire.length, "nothing after conflict_id");
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void appendEntriesReplyRefused() {
        final byte[] wire = bytes(APPEND_ENTRIES_REFUSED);
        assertHeader(wire, 0x14, 0, 10);
        final AppendEntriesReply f = assertInstanceOf(AppendEntriesReply.class, decode(wire));
        assertEquals(4, f.from());
        assertEquals(4, read(wire, field("APPEND_ENTRIES_REPLY", "from")));
        assertEquals(5, f.epoch());
        assertEquals(5, read(wire, field("APPEND_ENTRIES_REPLY", "epoch")));
        assertFalse(f.accepted());
        assertEquals(0, read(wire, field("APPEND_ENTRIES_REPLY", "accepted")));
        assertEquals(0, f.acceptedId());
        assertEquals(0, read(wire, field("APPEND_ENTRIES_REPLY", "accepted_id")));
        assertEquals(0, f.durableId());
        assertEquals(0, read(wire, field("APPEND_ENTRIES_REPLY", "durable_id")));
        assertEquals(3, f.conflictEpoch());
        assertEquals(3, read(wire, field("APPEND_ENTRIES_REPLY", "conflict_epoch")));
        assertEquals(12, f.conflictId());
        assertEquals(12, read(wire, field("APPEND_ENTRIES_REPLY", "conflict_id")));
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void tailRequest() {
        final byte[] wire = bytes(TAIL_REQUEST);
        assertHeader(wire, 0x15, TailRequest.FLAG_WITH_ENTRIES, 3);
        final TailRequest f = assertInstanceOf(TailRequest.class, decode(wire));
        assertEquals(1, f.from());
        assertEquals(1, read(wire, field("TAIL_REQUEST", "from")));
        assertEquals(4, f.epoch());
        assertEquals(4, read(wire, field("TAIL_REQUEST", "epoch")));
        assertEquals(9, f.prevId());
        assertEquals(9, read(wire, field("TAIL_REQUEST", "prev_id")));
        assertEquals(3, f.prevEpoch());
        assertEquals(3, read(wire, field("TAIL_REQUEST", "prev_epoch")));
        assertEquals(0x0123456789abcdefL, f.logId());
        assertEquals(0x0123456789abcdefL, read(wire, field("TAIL_REQUEST", "log_id")));
        assertTrue(f.withEntries());
        assertEquals(52, wire.length, "nothing after log_id");
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void tailReply() {
        final byte[] wire = bytes(TAIL_REPLY);
        assertHeader(wire, 0x16, 0, 3);
        final TailReply f = assertInstanceOf(TailReply.class, decode(wire));
        assertEquals(2, f.from());
        assertEquals(2, read(wire, field("TAIL_REPLY", "from")));
        assertEquals(4, f.epoch());
        assertEquals(4, read(wire, field("TAIL_REPLY", "epoch")));
        assertEquals(3, f.lastEpoch());
        assertEquals(3, read(wire, field("TAIL_REPLY", "last_epoch")));
        assertEquals(11, f.lastId());
        assertEquals(11, read(wire, field("TAIL_REPLY", "last_id")));
        assertEquals(9, f.prevId());
        assertEquals(9, read(wire, field("TAIL_REPLY", "prev_id")));
        assertTrue(f.matched());
        assertEquals(1, read(wire, field("TAIL_REPLY", "matched")));
        assertEquals(2, read(wire, field("TAIL_REPLY", "count")));

        final int first = field("TAIL_REPLY", "entries").offset();
        assertEquals(3, read(wire, entryField(first, "entry", "epoch")));
        assertEquals(0, read(wire, entryField(first, "entry", "flags")));
        assertEquals(2, read(wire, entryField(first, "entry", "length")));
        final int second = entryField(first, "entry", "payload").offset() + 2;
        assertEquals(3, read(wire, entryField(second, "entry", "epoch")));
        assertEquals(0x01, read(wire, entryField(second, "entry", "flags")));
        assertEquals(42, read(wire, entryField(second, "entry TAGGED", "client_id")));
        assertEquals(7, read(wire, entryField(second, "entry TAGGED", "seq")));
        assertArrayEquals("you".getBytes(StandardCharsets.UTF_8),
            rest(wire, entryField(second, "entry TAGGED", "payload")), "the last entry ends the frame");

        assertEquals(List.of(PeerEntry.message(3, "hi".getBytes(StandardCharsets.UTF_8)),
            PeerEntry.tagged(3, 42, 7, "you".getBytes(StandardCharsets.UTF_8))), f.entries());
        assertEquals(wire.length - 16, f.encodedBodyLength());
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void error() {
        final byte[] wire = bytes(ERROR);
        assertHeader(wire, 0x07, 0, 5);
        final ErrorFrame f = assertInstanceOf(ErrorFrame.class, decode(wire));
        assertEquals(102, f.code());
        assertEquals(102, read(wire, field("ERROR", "code")));
        assertEquals("read-only", f.message());
        assertEquals("read-only", new String(rest(wire, field("ERROR", "text")), StandardCharsets.UTF_8));
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void pingPongAndHealthHaveAnEmptyBody() {
        for (final Object[] example : new Object[][] {{PING, 0x08, 6L, Ping.class}, {PONG, 0x09, 6L, Pong.class},
            {HEALTH, 0x0A, 7L, Health.class}}) {
            final byte[] wire = bytes((String) example[0]);
            assertHeader(wire, (int) example[1], 0, (long) example[2]);
            assertEquals(16, wire.length, "header only");
            final Frame f = decode(wire);
            assertInstanceOf((Class<?>) example[3], f);
            assertArrayEquals(wire, encode(f));
        }
    }

    @Test
    void healthOk() {
        final byte[] wire = bytes(HEALTH_OK);
        assertHeader(wire, 0x0B, 0, 7);
        final HealthOk f = assertInstanceOf(HealthOk.class, decode(wire));
        assertEquals("{\"role\":\"master\"}", f.json());
        assertEquals(f.json(), new String(rest(wire, field("HEALTH_OK", "json")), StandardCharsets.UTF_8));
        assertArrayEquals(wire, encode(f));
    }

    @Test
    void everyExampleStandsInProtocolMdAndNoOther() throws IOException {
        final Set<String> documented = new HashSet<>(documentedExamples());
        final Set<String> tested = new HashSet<>();
        for (final String example : EXAMPLES) {
            tested.add(ByteBufUtil.hexDump(bytes(example)));
        }
        assertEquals(tested, documented, "hex of the Example section of PROTOCOL.md");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static void assertHeader(final byte[] wire, final int type, final int flags, final long requestId) {
        assertEquals(wire.length - 4, read(wire, LENGTH), "Frame Length counts the bytes after itself");
        assertEquals(2, read(wire, VERSION));
        assertEquals(type, read(wire, TYPE));
        assertEquals(flags, read(wire, FLAGS));
        assertEquals(requestId, read(wire, REQUEST_ID));
        final Frame decoded = decode(wire);
        try {
            assertEquals(type, decoded.type());
            assertEquals(requestId, decoded.requestId());
        } finally {
            io.netty.util.ReferenceCountUtil.release(decoded);
        }
    }

    /** Decodes one frame as the pipeline hands it over: with the 4-byte length prefix stripped. */
    private static Frame decode(final byte[] wire) {
        final ByteBuf frame = Unpooled.wrappedBuffer(wire, 4, wire.length - 4);
        try {
            final Frame decoded = FrameCodec.decode(frame);
            assertEquals(0, frame.readableBytes(), "the decoder consumed the whole frame");
            return decoded;
        } finally {
            frame.release();
        }
    }

    private static byte[] encode(final Frame frame) {
        final List<Object> out = new ArrayList<>();
        FrameCodec.encode(frame, UnpooledByteBufAllocator.DEFAULT, out);
        final ByteBuf all = Unpooled.buffer();
        for (final Object part : out) {
            all.writeBytes((ByteBuf) part);
            ((ByteBuf) part).release();
        }
        final byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    private static Layout field(final String frame, final String name) {
        return FRAME_TABLE.stream().filter(l -> l.frame().equals(frame) && l.field().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError("no field " + name + " of " + frame));
    }

    /** A field of the entries table, moved to the entry that starts at {@code entryStart}. */
    private static Layout entryField(final int entryStart, final String variant, final String name) {
        final Layout l = ENTRY_TABLE.stream().filter(e -> e.frame().equals(variant) && e.field().equals(name))
            .findFirst().orElseThrow(() -> new AssertionError("no field " + name + " of " + variant));
        return new Layout(l.frame(), entryStart + l.offset(), l.size(), l.field());
    }

    /** The big-endian unsigned integer of {@code layout.size()} bytes at {@code layout.offset()}. */
    private static long read(final byte[] wire, final Layout layout) {
        long value = 0;
        for (int i = 0; i < layout.size(); i++) {
            value = value << 8 | wire[layout.offset() + i] & 0xff;
        }
        return value;
    }

    /** The {@code layout.size()} bytes at {@code layout.offset()}. */
    private static byte[] slice(final byte[] wire, final Layout layout) {
        final byte[] out = new byte[layout.size()];
        System.arraycopy(wire, layout.offset(), out, 0, out.length);
        return out;
    }

    /** Everything from {@code layout.offset()} to the end of the frame. */
    private static byte[] rest(final byte[] wire, final Layout layout) {
        final byte[] out = new byte[wire.length - layout.offset()];
        System.arraycopy(wire, layout.offset(), out, 0, out.length);
        return out;
    }

    private static byte[] bytes(final String hex) {
        return ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
    }

    private static List<String> texts(final ByteBuf run, final int count) {
        final List<String> out = new ArrayList<>();
        EntryRun.forEach(run, count, (i, p) -> out.add(p.toString(StandardCharsets.UTF_8)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> orderedMap(final Object... pairs) {
        final Map<K, V> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((K) pairs[i], (V) pairs[i + 1]);
        }
        return map;
    }

    /** The public static constants of {@code type} (name -> value), to compare with the documented literals. */
    private static Map<String, Integer> constants(final Class<?> holder, final Class<?> type) {
        final Map<String, Integer> out = new LinkedHashMap<>();
        for (final Field f : holder.getDeclaredFields()) {
            final int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && f.getType() == type) {
                try {
                    out.put(f.getName(), ((Number) f.get(null)).intValue() & (type == byte.class ? 0xff : 0xffff));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    // ---- PROTOCOL.md -----------------------------------------------------------------------------------------

    private static List<String> markdown() throws IOException {
        assertTrue(Files.exists(PROTOCOL_MD), "run from the protocol module: " + PROTOCOL_MD.toAbsolutePath());
        return Files.readAllLines(PROTOCOL_MD, StandardCharsets.UTF_8);
    }

    private static List<String> cells(final String row) {
        final List<String> out = new ArrayList<>();
        for (final String cell : row.split("\\|", -1)) {
            out.add(cell.trim());
        }
        return out.subList(1, out.size() - 1);
    }

    private static Map<String, Integer> documentedTypes() throws IOException {
        final Map<String, Integer> out = new LinkedHashMap<>();
        final Pattern row = Pattern.compile("^\\| 0x([0-9A-F]{2}) \\| ([A-Z_]+) \\|");
        for (final String line : markdown()) {
            final Matcher m = row.matcher(line);
            if (m.find()) {
                out.put(m.group(2), Integer.parseInt(m.group(1), 16));
            }
        }
        return out;
    }

    private static Map<Integer, Code> documentedCodes() throws IOException {
        final Map<Integer, Code> out = new TreeMap<>();
        final Pattern row = Pattern.compile("^\\| (\\d+) \\| ([A-Z_]+) \\| (yes|no) \\|");
        for (final String line : markdown()) {
            final Matcher m = row.matcher(line);
            if (m.find()) {
                out.put(Integer.parseInt(m.group(1)), new Code(m.group(2), "yes".equals(m.group(3))));
            }
        }
        return out;
    }

    /** The rows of the Frames table: | Type | Name | Direction | Offset | Size | Field | Meaning |. */
    private static List<Layout> documentedLayout() throws IOException {
        final List<Layout> out = new ArrayList<>();
        final Pattern fieldName = Pattern.compile("^`([a-z_]+)`");
        String frame = null;
        for (final String line : markdown()) {
            if (!line.startsWith("| ") || line.startsWith("| Type") || line.startsWith("|---")) {
                continue;
            }
            final List<String> c = cells(line);
            if (c.size() != 7 || !c.get(3).matches("\\d+")) {
                continue; // another table
            }
            if (!c.get(0).isEmpty()) {
                frame = c.get(1);
            } else if (c.get(1).startsWith("*flag ")) { // a flag's extra fields: "APPEND TAGGED", "READ WAIT"
                frame = frame.split(" ")[0] + " " + c.get(1).substring("*flag ".length()).split(" ")[0];
            }
            final Matcher m = fieldName.matcher(c.get(5));
            final String name = m.find() ? m.group(1) : c.get(5);
            out.add(new Layout(frame, Integer.parseInt(c.get(3)), "n".equals(c.get(4)) ? -1
                : Integer.parseInt(c.get(4)), name));
        }
        return out;
    }

    /**
     * The rows of the table "Entries of APPEND_ENTRIES": | Entry | Offset | Size | Field | Meaning |, the first
     * column naming a flag's variant ("*flag TAGGED (0x01)*") for its row and the rows after it.
     */
    private static List<Layout> documentedEntryLayout() throws IOException {
        final List<Layout> out = new ArrayList<>();
        final Pattern fieldName = Pattern.compile("^`([a-z_]+)`");
        boolean inTable = false;
        String variant = "entry";
        for (final String line : markdown()) {
            if (line.startsWith("| Entry | Offset |")) {
                inTable = true;
                continue;
            }
            if (!inTable || line.startsWith("|---")) {
                continue;
            }
            if (!line.startsWith("|")) {
                if (!out.isEmpty()) {
                    break;
                }
                continue;
            }
            final List<String> c = cells(line);
            assertEquals(5, c.size(), "entries table row: " + line);
            if (c.get(0).startsWith("*flag ")) {
                variant = "entry " + c.get(0).substring("*flag ".length()).split(" ")[0];
            }
            final Matcher m = fieldName.matcher(c.get(3));
            out.add(new Layout(variant, Integer.parseInt(c.get(1)), "n".equals(c.get(2)) ? -1
                : Integer.parseInt(c.get(2)), m.find() ? m.group(1) : c.get(3)));
        }
        assertFalse(out.isEmpty(), "PROTOCOL.md has the table 'Entries of APPEND_ENTRIES'");
        return out;
    }

    /**
     * The hex of every fenced block in the Example section: each line is hex bytes, optionally followed by two or
     * more spaces and a comment.
     */
    private static List<String> documentedExamples() throws IOException {
        final List<String> out = new ArrayList<>();
        final Pattern hexLine = Pattern.compile("^([0-9a-f]{2}(?: [0-9a-f]{2})*)(?: {2,}.*)?$");
        boolean inExamples = false;
        StringBuilder block = null;
        for (final String line : markdown()) {
            if (line.startsWith("## ")) {
                inExamples = line.equals("## Examples");
            } else if (inExamples && line.startsWith("```")) {
                if (block == null) {
                    block = new StringBuilder();
                } else {
                    out.add(block.toString());
                    block = null;
                }
            } else if (block != null) {
                final Matcher m = hexLine.matcher(line);
                assertTrue(m.matches(), "PROTOCOL.md example line is not 'hex  comment': " + line);
                block.append(m.group(1).replace(" ", ""));
            }
        }
        assertFalse(out.isEmpty(), "PROTOCOL.md has an '## Examples' section of fenced hex blocks");
        return out;
    }
}
