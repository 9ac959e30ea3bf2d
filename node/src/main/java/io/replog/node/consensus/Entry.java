package io.replog.node.consensus;

import java.util.Arrays;

/**
 * One entry of a replicated log as the consensus core sees it: the epoch it was written in, its bytes and the tag
 * (client id, sequence number) of a tagged append, or client id 0 for an untagged one. A new master's first entry
 * ({@link #epochStart}) carries no message: it is how earlier entries become committed (Raft §5.4.2).
 */
public record Entry(long epoch, byte[] payload, long clientId, long seq, boolean epochStart) {
    private static final byte[] NOTHING = new byte[0];

    public static Entry message(final long epoch, final byte[] payload, final long clientId, final long seq) {
        return new Entry(epoch, payload, clientId, seq, false);
    }

    public static Entry epochStart(final long epoch) {
        return new Entry(epoch, NOTHING, 0, 0, true);
    }

    public boolean tagged() {
        return clientId != 0;
    }

    /** Same epoch, kind, tag and bytes (records compare arrays by reference). */
    public boolean sameAs(final Entry other) {
        return other != null && epoch == other.epoch && epochStart == other.epochStart && clientId == other.clientId
            && seq == other.seq && Arrays.equals(payload, other.payload);
    }

    @Override
    public String toString() {
        return epochStart ? "epoch-start(" + epoch + ")"
            : "entry(epoch " + epoch + ", " + payload.length + " bytes" + (tagged() ? ", tag " + clientId + "/" + seq : "")
            + ")";
    }
}
