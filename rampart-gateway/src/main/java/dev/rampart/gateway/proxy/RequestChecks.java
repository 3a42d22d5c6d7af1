package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.util.List;

/**
 * Checks on a decoded request head that Netty's decoder leaves lenient: Host, Transfer-Encoding, methods a
 * reverse proxy does not serve. Framing checks that need the raw bytes live in the listener's decoder.
 */
final class RequestChecks {
    private RequestChecks() {
    }

    /** The reason to refuse the request, or null when it may be routed. */
    static ErrorCode check(HttpServerRequest request) {
        if (request.method() == HttpMethod.CONNECT) {
            return ErrorCode.METHOD_NOT_ALLOWED;
        }
        if (request.version() == HttpVersion.HTTP_1_1) {
            List<String> hosts = request.headers().getAll("host");
            if (hosts.size() != 1 || hosts.get(0).isEmpty()) {
                return ErrorCode.MISSING_HOST;
            }
        }
        List<String> encodings = request.headers().getAll("transfer-encoding");
        if (!encodings.isEmpty()) {
            if (encodings.size() > 1 || request.headers().contains("content-length")) {
                return ErrorCode.AMBIGUOUS_LENGTH;
            }
            if (!"chunked".equalsIgnoreCase(encodings.get(0).trim())) {
                return ErrorCode.NOT_IMPLEMENTED; // as nginx: only chunked is understood
            }
        }
        return null;
    }

    /** The declared Content-Length (already validated by the decoder), or -1. */
    static long contentLength(HttpServerRequest request) {
        String value = request.getHeader("content-length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // cannot happen after the decoder; refuse as too large if it does
        }
    }

    /** Safe methods (RFC 9110 §9.2.1) change nothing: they never invalidate cached responses. */
    static boolean isSafe(io.vertx.core.http.HttpMethod method) {
        return method == io.vertx.core.http.HttpMethod.GET || method == io.vertx.core.http.HttpMethod.HEAD
                || method == io.vertx.core.http.HttpMethod.OPTIONS || method == io.vertx.core.http.HttpMethod.TRACE;
    }

    static boolean isChunked(HttpServerRequest request) {
        return request.headers().contains("transfer-encoding");
    }

    static boolean hasBody(HttpServerRequest request) {
        return isChunked(request) || contentLength(request) > 0;
    }
}
