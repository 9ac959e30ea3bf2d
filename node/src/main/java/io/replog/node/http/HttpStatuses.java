package io.replog.node.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.replog.protocol.ErrorCode;

/** The HTTP status that matches each protocol error code. */
final class HttpStatuses {
    private HttpStatuses() {
    }

    static HttpResponseStatus forErrorCode(final int code) {
        return switch (code) {
            case ErrorCode.INVALID_REQUEST -> HttpResponseStatus.BAD_REQUEST;
            // 421 Misdirected Request: this node cannot answer it, another can (the text names it when known)
            case ErrorCode.NOT_MASTER -> HttpResponseStatus.MISDIRECTED_REQUEST;
            case ErrorCode.UNAUTHORIZED -> HttpResponseStatus.FORBIDDEN;
            case ErrorCode.PAYLOAD_TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            case ErrorCode.READ_ONLY, ErrorCode.SHUTTING_DOWN -> HttpResponseStatus.SERVICE_UNAVAILABLE;
            case ErrorCode.TIMEOUT -> HttpResponseStatus.GATEWAY_TIMEOUT;
            case ErrorCode.TAG_REUSED -> HttpResponseStatus.CONFLICT;
            case ErrorCode.STORAGE_FULL -> HttpResponseStatus.INSUFFICIENT_STORAGE;
            case ErrorCode.OVERLOADED -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case ErrorCode.LOG_DAMAGED, ErrorCode.STORAGE_FAILED -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
            default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }
}
