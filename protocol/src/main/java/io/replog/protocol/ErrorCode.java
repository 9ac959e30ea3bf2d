package io.replog.protocol;

/**
 * Error codes carried by ERROR frames. Codes below 100 are framing errors: the sender of the bad frame is
 * disconnected after the ERROR frame. Codes from 100 are request errors: the connection stays open.
 */
public final class ErrorCode {
    /** The frame body is shorter than its type requires, or its fields are inconsistent. Connection closed. */
    public static final short MALFORMED_FRAME = 1;
    /** The version byte is not {@link FrameHeader#VERSION}. Connection closed. */
    public static final short UNSUPPORTED_VERSION = 2;
    /** The type byte names no known frame. Connection closed. */
    public static final short UNKNOWN_TYPE = 3;
    /** Frame Length exceeds the node's maximum frame length. Connection closed. */
    public static final short FRAME_TOO_LARGE = 4;
    /** The node failed while handling the connection (a bug); the connection is closed, the node keeps serving. */
    public static final short INTERNAL_ERROR = 5;
    /** The node holds its maximum of connections ({@code --max-connections}); sent on connecting. Connection closed. */
    public static final short TOO_MANY_CONNECTIONS = 6;

    /** The request is well-formed but not valid here, e.g. w outside 1..1+secondaries. */
    public static final short INVALID_REQUEST = 100;
    /** An APPEND reached a secondary; only the master accepts appends. */
    public static final short NOT_MASTER = 101;
    /** The master has no quorum of healthy nodes and refuses appends; reads still work. */
    public static final short READ_ONLY = 102;
    /** The write concern was not met within the request's timeout; the message stays in the log. */
    public static final short TIMEOUT = 103;
    /** The message payload is larger than the node accepts. */
    public static final short PAYLOAD_TOO_LARGE = 104;
    /** A frame type this node does not accept in this direction (e.g. AUTH_OK sent to a node). */
    public static final short UNEXPECTED_FRAME = 105;
    /** The secondary could not apply a replication request; the master retries. */
    public static final short REPLICATION_FAILED = 106;
    /** The node is shutting down; the request was not executed. */
    public static final short SHUTTING_DOWN = 107;
    /** An APPEND_ENTRIES or TAIL_REQUEST of one log reached a node that holds entries of another (the master restarted empty). */
    public static final short LOG_MISMATCH = 108;
    /** The node's log reached its size limit (memory); the message was not stored. */
    public static final short STORAGE_FULL = 109;
    /** The node has too many appends waiting for an answer (--max-pending-appends); retry later. Nothing stored. */
    public static final short OVERLOADED = 110;
    /** The node's log is damaged where the request reads: it never serves damaged entries (its log says where). */
    public static final short LOG_DAMAGED = 111;
    /**
     * The node's disk failed under the message (an fsync failed): it was written but could not be made durable, so
     * it may be lost; the node refuses further appends until it is restarted.
     */
    public static final short STORAGE_FAILED = 112;
    /**
     * Replication refused: the connection did not authenticate with the cluster key (or the handshake failed: wrong
     * key, no key on one side, frames out of order). Nothing was stored.
     */
    public static final short UNAUTHORIZED = 113;
    /**
     * A tagged append whose (client_id, seq) was stored before with other bytes: a client reused a tag for another
     * message. Nothing was stored; the text names the msg_id the tag holds.
     */
    public static final short TAG_REUSED = 114;

    private ErrorCode() {
    }

    /** True for codes after which the connection is closed. */
    public static boolean isFraming(final int code) {
        return code < 100;
    }

    /** Symbolic name for logs and CLI output. */
    public static String name(final int code) {
        return switch (code) {
            case MALFORMED_FRAME -> "MALFORMED_FRAME";
            case UNSUPPORTED_VERSION -> "UNSUPPORTED_VERSION";
            case UNKNOWN_TYPE -> "UNKNOWN_TYPE";
            case FRAME_TOO_LARGE -> "FRAME_TOO_LARGE";
            case INTERNAL_ERROR -> "INTERNAL_ERROR";
            case TOO_MANY_CONNECTIONS -> "TOO_MANY_CONNECTIONS";
            case INVALID_REQUEST -> "INVALID_REQUEST";
            case NOT_MASTER -> "NOT_MASTER";
            case READ_ONLY -> "READ_ONLY";
            case TIMEOUT -> "TIMEOUT";
            case PAYLOAD_TOO_LARGE -> "PAYLOAD_TOO_LARGE";
            case UNEXPECTED_FRAME -> "UNEXPECTED_FRAME";
            case REPLICATION_FAILED -> "REPLICATION_FAILED";
            case SHUTTING_DOWN -> "SHUTTING_DOWN";
            case TAG_REUSED -> "TAG_REUSED";
            case LOG_MISMATCH -> "LOG_MISMATCH";
            case STORAGE_FULL -> "STORAGE_FULL";
            case OVERLOADED -> "OVERLOADED";
            case LOG_DAMAGED -> "LOG_DAMAGED";
            case STORAGE_FAILED -> "STORAGE_FAILED";
            case UNAUTHORIZED -> "UNAUTHORIZED";
            default -> "ERROR_" + code;
        };
    }
}
