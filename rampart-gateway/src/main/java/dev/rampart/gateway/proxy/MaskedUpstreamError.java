package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Rule 13: an upstream's 5xx body may carry stack traces or internals. The client gets the gateway's JSON error
 * with the upstream's status; the log gets the status and a bounded prefix of the body.
 */
final class MaskedUpstreamError implements Handler<Buffer> {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class); // a request's lines keep one logger
    /** How much of a masked upstream error body reaches the log. */
    private static final int MASKED_BODY_LOG_LIMIT = 1024;

    private final Exchange exchange;
    private final Attempt attempt;
    private final Buffer prefix = Buffer.buffer(256);
    private final String retryAfter;

    private MaskedUpstreamError(Exchange exchange, Attempt attempt, HttpClientResponse upstream) {
        this.exchange = exchange;
        this.attempt = attempt;
        this.retryAfter = upstream.getHeader("retry-after");
    }

    /** Reads the upstream's error body in place of sending it, then answers with the JSON error. */
    static void start(Exchange exchange, Attempt attempt, HttpClientResponse upstream) {
        MaskedUpstreamError mask = new MaskedUpstreamError(exchange, attempt, upstream);
        exchange.enterPhase(Exchange.Phase.DOWNLOAD, exchange.route.idleTimeoutMillis);
        upstream.exceptionHandler(cause -> exchange.onAttemptFailure(attempt, cause));
        upstream.handler(mask);
        upstream.endHandler(v -> mask.onEnd());
    }

    @Override
    public void handle(Buffer chunk) {
        exchange.lastActivityNanos = System.nanoTime();
        int room = MASKED_BODY_LOG_LIMIT - prefix.length();
        if (room > 0) {
            prefix.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
        }
    }

    private void onEnd() {
        if (exchange.finished) {
            return;
        }
        attempt.endNanos = System.nanoTime();
        log.atWarn().addKeyValue("route", exchange.route.id()).addKeyValue("upstream", attempt.endpoint.label())
                .addKeyValue("upstream_status", exchange.upstreamStatus)
                .addKeyValue("upstream_body_prefix", prefix.toString(StandardCharsets.UTF_8))
                .addKeyValue("request_id", exchange.requestId).addKeyValue("trace_id", exchange.traceId())
                .addKeyValue("span_id", exchange.spanId())
                .log("upstream error body masked");
        exchange.error = ErrorCode.UPSTREAM_ERROR;
        if (retryAfter != null) {
            exchange.response.headers().set("retry-after", retryAfter);
        }
        exchange.sendError(ErrorCode.UPSTREAM_ERROR, exchange.upstreamStatus, !exchange.requestEnded, true);
    }
}
