package dev.rampart.gateway.proxy;

import dev.rampart.core.resilience.RetryAfter;
import io.vertx.core.http.HttpClientResponse;

/** What an upstream's answer says about retrying it: that it is overloaded, or when to come back. */
final class UpstreamSignals {
    /** Headers by which an upstream says it is overloaded: such an answer is never retried. */
    private static final String[] OVERLOAD_HEADERS = {"x-rampart-overloaded", "x-envoy-overloaded"};

    private UpstreamSignals() {
    }

    static boolean overloaded(HttpClientResponse upstream) {
        for (String header : OVERLOAD_HEADERS) {
            if (upstream.getHeader(header) != null) {
                return true;
            }
        }
        return false;
    }

    /** The wait a 503 or 429 asks for with {@code Retry-After}, or -1. */
    static long retryAfterNanos(HttpClientResponse upstream, int status) {
        if (status != 503 && status != 429) {
            return -1;
        }
        return RetryAfter.parseNanos(upstream.getHeader("retry-after"), System.currentTimeMillis());
    }
}
