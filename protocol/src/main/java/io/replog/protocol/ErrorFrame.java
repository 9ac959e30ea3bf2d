package io.replog.protocol;

/** ERROR: request {@code requestId} failed (0 when the failing frame's id could not be read). */
public record ErrorFrame(long requestId, short code, String message) implements Frame {
    /** Body bytes before the UTF-8 text: code (u16). */
    public static final int FIXED_BODY_LENGTH = 2;

    @Override
    public byte type() {
        return FrameType.ERROR;
    }

    @Override
    public String toString() {
        return "ErrorFrame[requestId=" + requestId + ", " + ErrorCode.name(code) + ": " + message + "]";
    }
}
