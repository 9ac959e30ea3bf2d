package io.replog.protocol;

/**
 * Layout of the header that starts every replog frame, client and replication traffic alike.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Frame Length (uint32)                     |  0
 *  +---------------+---------------+-------------------------------+
 *  |    Version    |     Type      |            Flags              |  4
 *  +---------------+---------------+-------------------------------+
 *  |                                                               |  8
 *  +                      Request Id (int64)                       +
 *  |                                                               | 12
 *  +---------------------------------------------------------------+
 *  |                         Body ...                              | 16
 * </pre>
 *
 * <p>All integers are big-endian. Frame Length counts the bytes after the length field (header rest + body), so
 * an empty-bodied frame has length {@value #HEADER_LENGTH_AFTER_LENGTH_FIELD}. The length field is stripped by
 * {@link io.netty.handler.codec.LengthFieldBasedFrameDecoder} before {@link FrameDecoder} sees the frame, which is
 * why the offsets below that the decoder uses are relative to the version byte.
 */
public final class FrameHeader {
    /**
     * Protocol version spoken by this build; a frame with any other version is refused (ERROR UNSUPPORTED_VERSION,
     * connection closed). 2: one replication family (APPEND_ENTRIES, TAIL_*, VOTE_*) for every node; version 1's
     * REPLICATE, ACK and TRUNCATE are gone, so a version-1 node cannot replicate to or from this one.
     */
    public static final byte VERSION = 2;

    /** Size of the length prefix. */
    public static final int LENGTH_FIELD_LENGTH = 4;
    /** Offset of the version byte, relative to the end of the length prefix. */
    public static final int VERSION_OFFSET = 0;
    /** Offset of the type byte, relative to the end of the length prefix. */
    public static final int TYPE_OFFSET = 1;
    /** Offset of the flags (uint16), relative to the end of the length prefix. */
    public static final int FLAGS_OFFSET = 2;
    /** Offset of the request id (int64), relative to the end of the length prefix. */
    public static final int REQUEST_ID_OFFSET = 4;
    /** Header bytes that follow the length prefix: version, type, flags, request id. */
    public static final int HEADER_LENGTH_AFTER_LENGTH_FIELD = 12;
    /** Whole header, length prefix included: where the body starts on the wire. */
    public static final int HEADER_LENGTH = LENGTH_FIELD_LENGTH + HEADER_LENGTH_AFTER_LENGTH_FIELD;

    /** Default limit on Frame Length (bytes after the prefix); a larger frame is answered with FRAME_TOO_LARGE. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 4 * 1024 * 1024;

    private FrameHeader() {
    }

    /**
     * Largest message payload a node accepts under {@code maxFrameLength}: the limit − 89 bytes, so that every
     * accepted message fits an APPEND_ENTRIES frame alone as a tagged entry (header 12, fixed body 48, entry 29).
     */
    public static int maxPayload(final int maxFrameLength) {
        return AppendEntries.maxPayload(maxFrameLength);
    }
}
