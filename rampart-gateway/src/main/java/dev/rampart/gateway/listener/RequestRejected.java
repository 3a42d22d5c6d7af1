package dev.rampart.gateway.listener;

import dev.rampart.gateway.errors.ErrorCode;

/** Why the listener refused a request before it reached routing; carried as a Netty decoder failure. */
public final class RequestRejected extends RuntimeException {
    private final ErrorCode error;

    public RequestRejected(ErrorCode error, String detail) {
        super(detail, null, false, false);
        this.error = error;
    }

    public ErrorCode error() {
        return error;
    }
}
