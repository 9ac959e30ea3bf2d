package io.replog.protocol;

/**
 * The type byte of a frame. Requests and their answers share the request id. 0x05, 0x06 and 0x0C were version 1's
 * REPLICATE, ACK and TRUNCATE: not reused, so a stray one is an unknown type, not another frame.
 */
public final class FrameType {
    /** Client → master: append one message with a write concern. Answered by APPEND_OK or ERROR. */
    public static final byte APPEND = 0x01;
    /** Master → client: the message is stored with the requested number of copies; carries its msg_id. */
    public static final byte APPEND_OK = 0x02;
    /** Client → any node: read up to max_count messages starting at from_id. Answered by READ_OK or ERROR. */
    public static final byte READ = 0x03;
    /** Node → client: a run of consecutive messages and the node's last readable msg_id. */
    public static final byte READ_OK = 0x04;
    /** Either direction: a request failed or a frame was refused; carries an error code and text. */
    public static final byte ERROR = 0x07;
    /** Client → node: a no-op answered on the event loop; the latency floor for benchmarks. */
    public static final byte PING = 0x08;
    /** Node → client: the answer to PING. */
    public static final byte PONG = 0x09;
    /** Client → node: ask for the health report. Answered by HEALTH_OK. */
    public static final byte HEALTH = 0x0A;
    /** Node → client: the health report as UTF-8 JSON. */
    public static final byte HEALTH_OK = 0x0B;
    /** Master → secondary: starts the cluster-key handshake (log_id, nonce). Answered by AUTH_CHALLENGE. */
    public static final byte AUTH_HELLO = 0x0D;
    /** Secondary → master: its nonce and its proof of the key. */
    public static final byte AUTH_CHALLENGE = 0x0E;
    /** Master → secondary: the master's proof of the key. Answered by AUTH_OK. */
    public static final byte AUTH_PROOF = 0x0F;
    /** Secondary → master: the connection is authenticated. */
    public static final byte AUTH_OK = 0x10;
    /**
     * Node → node (node mode): a candidate asks for a vote in an epoch, naming its log's last entry. Answered by
     * VOTE_REPLY, sent on the voter's own connection to the candidate.
     */
    public static final byte VOTE_REQUEST = 0x11;
    /** Node → node (node mode): a vote given or refused, with the voter's epoch. */
    public static final byte VOTE_REPLY = 0x12;
    /**
     * Master → node (both modes): entries to append after (prev_id, prev_epoch), and the commit point; no entries is
     * the heartbeat. Answered by APPEND_ENTRIES_REPLY, sent on the node's own connection to the master (a fixed
     * secondary, which knows no master address: on the master's connection).
     */
    public static final byte APPEND_ENTRIES = 0x13;
    /** Node → master (both modes): how far the node's log matches the master's (and durably), or where they part. */
    public static final byte APPEND_ENTRIES_REPLY = 0x14;
    /**
     * Master → secondary (fixed roles): a master starting a new epoch asks where the secondary's log ends and
     * whether it holds the master's entry prev_id (and, flagged, for the entries after it: the tail the master lost).
     * Answered by TAIL_REPLY.
     */
    public static final byte TAIL_REQUEST = 0x15;
    /** Secondary → master (fixed roles): where its log ends, whether it matched, and the entries asked for. */
    public static final byte TAIL_REPLY = 0x16;

    private FrameType() {
    }

    /** Human-readable name for logs and error texts. */
    public static String name(final byte type) {
        return switch (type) {
            case APPEND -> "APPEND";
            case APPEND_OK -> "APPEND_OK";
            case READ -> "READ";
            case READ_OK -> "READ_OK";
            case ERROR -> "ERROR";
            case PING -> "PING";
            case PONG -> "PONG";
            case HEALTH -> "HEALTH";
            case HEALTH_OK -> "HEALTH_OK";
            case AUTH_HELLO -> "AUTH_HELLO";
            case AUTH_CHALLENGE -> "AUTH_CHALLENGE";
            case AUTH_PROOF -> "AUTH_PROOF";
            case AUTH_OK -> "AUTH_OK";
            case VOTE_REQUEST -> "VOTE_REQUEST";
            case VOTE_REPLY -> "VOTE_REPLY";
            case APPEND_ENTRIES -> "APPEND_ENTRIES";
            case APPEND_ENTRIES_REPLY -> "APPEND_ENTRIES_REPLY";
            case TAIL_REQUEST -> "TAIL_REQUEST";
            case TAIL_REPLY -> "TAIL_REPLY";
            default -> String.format("0x%02x", type & 0xff);
        };
    }
}
