package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.routing.CompiledRoute;
import dev.rampart.gateway.tracing.HttpAttributes;
import dev.rampart.gateway.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/** Ends an exchange's tracing spans, the client span of each attempt and the server span, with their attributes. */
final class ExchangeSpans {
    private ExchangeSpans() {
    }

    /**
     * @param reported whether the attempt is the one the exchange reports
     * @param error the exchange's error so far, or null
     */
    static void endClientSpan(Attempt attempt, String outcome, HttpServerRequest request, CompiledRoute route,
                              String path, boolean reported, ErrorCode error) {
        Span span = attempt.span;
        if (span == null || !span.isRecording()) {
            return; // an unsampled span keeps nothing: building its attributes would be wasted
        }
        span.setAttribute(HttpAttributes.METHOD, request.method().name());
        span.setAttribute(HttpAttributes.SERVER_ADDRESS, attempt.endpoint.endpoint().host());
        span.setAttribute(HttpAttributes.SERVER_PORT, (long) attempt.endpoint.endpoint().port());
        span.setAttribute(HttpAttributes.URL_FULL, attempt.endpoint.label() + route.upstreamPath(path));
        if (attempt.number > 1) {
            span.setAttribute(HttpAttributes.RESEND_COUNT, (long) attempt.number - 1);
        }
        if (attempt.status > 0) {
            span.setAttribute(HttpAttributes.STATUS_CODE, (long) attempt.status);
        }
        // a client span is failed by any 4xx or 5xx answer (HTTP semantic conventions), or by no answer at all
        if (attempt.status >= 400) {
            boolean gatewayError = reported && error != null && attempt.status >= 500;
            Tracing.fail(span, gatewayError ? error.code() : String.valueOf(attempt.status));
        } else if (attempt.status == 0 && !"cancelled".equals(outcome)) {
            Tracing.fail(span, attempt.error != null ? attempt.error.code()
                    : reported && error != null ? error.code() : outcome);
        }
        span.end();
    }

    /**
     * @param route null when the request matched none
     * @param error the exchange's error, or null
     */
    static void endServerSpan(Span serverSpan, HttpServerRequest request, int status, String clientIp,
                              CompiledRoute route, ErrorCode error, String requestId) {
        if (!serverSpan.isRecording()) {
            return;
        }
        serverSpan.setAttribute(HttpAttributes.METHOD, request.method().name());
        serverSpan.setAttribute(HttpAttributes.URL_PATH, request.path());
        serverSpan.setAttribute(HttpAttributes.URL_SCHEME, request.isSSL() ? "https" : "http");
        serverSpan.setAttribute(HttpAttributes.PROTOCOL_VERSION, request.version() == HttpVersion.HTTP_1_0 ? "1.0" : "1.1");
        serverSpan.setAttribute(HttpAttributes.STATUS_CODE, (long) status);
        if (clientIp != null) {
            serverSpan.setAttribute(HttpAttributes.CLIENT_ADDRESS, clientIp);
        }
        if (route != null) {
            serverSpan.setAttribute(HttpAttributes.ROUTE, route.httpRoute());
            serverSpan.setAttribute(HttpAttributes.RAMPART_ROUTE, route.id());
        }
        if (status >= 500 || error != null && status >= 400 && error != ErrorCode.ROUTE_NOT_FOUND) {
            Tracing.fail(serverSpan, error != null ? error.code() : String.valueOf(status));
        }
        serverSpan.setAttribute(HttpAttributes.REQUEST_ID, requestId);
        serverSpan.end();
    }
}
