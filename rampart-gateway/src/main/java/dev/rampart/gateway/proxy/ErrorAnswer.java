package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.errors.ErrorResponses;
import dev.rampart.gateway.resilience.Fallback;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/** Answers Rampart writes in place of an upstream's: the JSON error, and the route's fallback where it covers. */
final class ErrorAnswer {
    static final String FAULT_HEADER = "x-rampart-fault";

    private ErrorAnswer() {
    }

    /** The failures a fallback stands in for: the upstream is unreachable, failing, too slow, or switched off. */
    static boolean fallbackCovers(ErrorCode code, int status) {
        return switch (code) {
            case UPSTREAM_UNAVAILABLE, UPSTREAM_CONNECT_TIMEOUT, UPSTREAM_TIMEOUT, UPSTREAM_RESET,
                 UPSTREAM_BAD_RESPONSE, UPSTREAM_OVERLOADED, CIRCUIT_OPEN, NO_HEALTHY_UPSTREAM -> true;
            case UPSTREAM_ERROR -> status == 502 || status == 503 || status == 504;
            default -> false;
        };
    }

    /**
     * Sets the status and head of the JSON error and returns its body.
     *
     * @param keepHeadersSet whether headers set before (Retry-After, rate-limit headers) stay
     */
    static Buffer jsonError(HttpServerResponse response, ErrorCode code, int status, boolean close,
                            boolean keepHeadersSet, String requestId, String traceId) {
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        if (!keepHeadersSet) {
            headers.clear();
        }
        headers.set("content-type", "application/json");
        headers.set("x-request-id", requestId);
        if (close) {
            headers.set("connection", "close");
        }
        return ErrorResponses.buffer(code, requestId, traceId);
    }

    /**
     * Sets the status and head of the route's fallback and returns its body.
     *
     * @param faultInjected the chaos fault injected into the request, or null
     */
    static Buffer fallback(HttpServerResponse response, Fallback fallback, String reason, String requestId,
                           String faultInjected, boolean close) {
        response.setStatusCode(fallback.status());
        MultiMap headers = response.headers();
        headers.clear();
        headers.addAll(fallback.headers());
        headers.set(Fallback.HEADER, reason);
        headers.set("x-request-id", requestId);
        if (faultInjected != null) {
            headers.set(FAULT_HEADER, faultInjected);
        }
        if (close) {
            headers.set("connection", "close");
        }
        return fallback.body();
    }
}
