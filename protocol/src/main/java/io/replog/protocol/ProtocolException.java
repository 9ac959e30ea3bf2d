package io.replog.protocol;

import io.netty.handler.codec.CorruptedFrameException;

/** A frame the decoder refuses. Carries the {@link ErrorCode} to answer with and, if known, the request id. */
public final class ProtocolException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;

    private final short code;
    private final long requestId;

    public ProtocolException(final short code, final long requestId, final String message) {
        super(message);
        this.code = code;
        this.requestId = requestId;
    }

    public short code() {
        return code;
    }

    public long requestId() {
        return requestId;
    }
}
