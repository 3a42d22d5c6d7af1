package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.upstream.EndpointState;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.netty.util.concurrent.ScheduledFuture;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/** One try of a request against one upstream endpoint: its connection, timings and client span. */
final class Attempt {
    enum Kind {
        FIRST("first"), RETRY("retry"), HEDGE("hedge");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    final int number;
    final Kind kind;
    final UpstreamCluster cluster;
    final EndpointState endpoint;
    final long startNanos;
    Span span;
    HttpClientRequest request;
    HttpClientResponse response;
    int status;
    long acquiredNanos = -1;
    long responseHeadNanos = -1;
    long endNanos = -1;
    boolean freshConnection;
    /** The whole request has been handed to the upstream connection. */
    boolean sent;
    /** The error the attempt failed with before any answer, or null. */
    ErrorCode error;
    /** The body received so far has been written to this attempt; later chunks follow as they come. */
    boolean bodyFlowing;
    ScheduledFuture<?> perTryTimer;
    /** Over: won and finished, failed, or abandoned. Events arriving later are ignored. */
    boolean done;
    /** Its outcome went to the breaker and outlier detection, or its breaker permission was handed back. */
    boolean outcomeSettled;

    Attempt(int number, Kind kind, UpstreamCluster cluster, EndpointState endpoint, long startNanos) {
        this.number = number;
        this.kind = kind;
        this.cluster = cluster;
        this.endpoint = endpoint;
        this.startNanos = startNanos;
    }

    /** Time waiting for a pooled connection, or -1 before one was obtained. */
    long queueNanos() {
        return acquiredNanos < 0 ? -1 : freshConnection ? 0 : acquiredNanos - startNanos;
    }

    long connectNanos() {
        return acquiredNanos < 0 ? -1 : freshConnection ? acquiredNanos - startNanos : 0;
    }

    long firstByteNanos() {
        return responseHeadNanos >= 0 && acquiredNanos >= 0 ? responseHeadNanos - acquiredNanos : -1;
    }

    long upstreamNanos() {
        return endNanos >= 0 && acquiredNanos >= 0 ? endNanos - acquiredNanos : -1;
    }

    void cancelPerTryTimer() {
        if (perTryTimer != null) {
            perTryTimer.cancel(false);
            perTryTimer = null;
        }
    }
}
