package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.errors.ErrorResponses;
import dev.rampart.gateway.listener.HardenedRequestDecoder;
import dev.rampart.gateway.logging.JsonText;
import dev.rampart.gateway.observe.ExchangeListener;
import dev.rampart.gateway.observe.ExchangeRecord;
import dev.rampart.gateway.tracing.HttpAttributes;
import dev.rampart.gateway.tracing.Tracing;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.opentelemetry.api.trace.Span;
import dev.rampart.gateway.routing.CompiledRoute;
import dev.rampart.gateway.routing.RouteTable;
import dev.rampart.gateway.upstream.EndpointState;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client request and its way to an upstream and back: routing, body limits, the always-on timeouts, streaming
 * with backpressure in both directions, error mapping, and the access-log line. Lives on one event loop.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final Set<String> NOT_FORWARDED = Set.of("host", "expect", "x-request-id", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-for");
    private static final Set<String> NOT_RETURNED = Set.of("x-request-id");

    private enum Phase { CONNECT, UPLOAD, FIRST_BYTE, DOWNLOAD }

    /** How much of a masked upstream error body reaches the log. */
    private static final int MASKED_BODY_LOG_LIMIT = 1024;

    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final RouteTable table;
    private final ExchangeListener listener;
    private final Tracing tracing;
    private final Span serverSpan;
    private Span clientSpan;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final String requestId;

    private CompiledRoute route;
    private String path;
    private EndpointState endpoint;
    private HttpClientRequest upstreamRequest;
    private HttpClientResponse upstreamResponse;
    private int upstreamStatus;
    private long acquireStartNanos = -1;
    private long acquiredNanos = -1;
    private boolean freshConnection;
    private long responseHeadNanos = -1;
    private long upstreamEndNanos = -1;
    private long bytesIn;
    private long bytesOut;
    private ErrorCode error;
    private boolean responseStarted;
    private boolean requestEnded;
    private boolean uploadWaitingOnUpstream;
    private boolean downloadWaitingOnClient;
    private boolean finished;

    private EventLoop eventLoop;
    private Phase phase = Phase.CONNECT;
    private long phaseTimeoutNanos;
    private long lastActivityNanos;
    private ScheduledFuture<?> phaseTimer;
    private ScheduledFuture<?> totalTimer;

    Exchange(HttpServerRequest request, RouteTable table, ExchangeListener listener, Tracing tracing) {
        this.request = request;
        this.response = request.response();
        this.table = table;
        this.listener = listener;
        this.tracing = tracing;
        this.serverSpan = tracing.startServerSpan(tracing.extract(request.headers()), request.method().name(),
                TimeUnit.MILLISECONDS.toNanos(startMillis));
        this.requestId = RequestIds.acceptOrGenerate(request.getHeader("x-request-id"));
    }

    void start() {
        request.pause();
        request.exceptionHandler(this::onClientFailure);
        response.closeHandler(v -> onClientGone());
        ErrorCode rejected = RequestChecks.check(request);
        if (rejected != null) {
            failBeforeRoute(rejected, true);
            return;
        }
        path = RequestPaths.normalize(request.path());
        if (path == null) {
            failBeforeRoute(ErrorCode.BAD_PATH, true);
            return;
        }
        route = table.match(request, path);
        if (route != null) {
            serverSpan.updateName(request.method().name() + " " + route.httpRoute());
        }
        if (route == null) {
            failBeforeRoute(ErrorCode.ROUTE_NOT_FOUND, false);
            return;
        }
        // a request without a body is complete once its head is here; its end event may come later than the
        // upstream's answer, and must not make a finished request look unfinished
        requestEnded = !RequestChecks.hasBody(request) || request.isEnded();
        long declaredLength = RequestChecks.contentLength(request);
        if (declaredLength > route.maxBodySize) {
            failBeforeRoute(ErrorCode.BODY_TOO_LARGE, true);
            return;
        }
        eventLoop = ((ContextInternal) ContextInternal.current()).nettyEventLoop();
        totalTimer = eventLoop.schedule(this::onTotalDeadline, route.totalTimeoutMillis, TimeUnit.MILLISECONDS);
        endpoint = route.upstream().pick();
        endpoint.requestStarted();
        listener.started(route.id(), route.upstream().name());
        clientSpan = tracing.startClientSpan(serverSpan, request.method().name(), 1);
        acquireStartNanos = System.nanoTime();
        route.upstream().client().request(upstreamOptions()).onComplete(ar -> {
            if (ar.succeeded()) {
                onUpstreamRequest(ar.result());
            } else {
                onUpstreamFailure(ar.cause());
            }
        });
    }

    private RequestOptions upstreamOptions() {
        String query = request.query();
        String upstreamPath = route.upstreamPath(path);
        MultiMap headers = HttpHeaders.headers();
        HopByHopHeaders.copy(request.headers(), headers, NOT_FORWARDED);
        String clientIp = clientIp();
        String priorFor = request.getHeader("x-forwarded-for");
        headers.set("x-forwarded-for", priorFor == null ? clientIp : priorFor + ", " + clientIp);
        headers.set("x-forwarded-proto", request.isSSL() ? "https" : "http");
        String host = request.getHeader("host");
        if (host != null) {
            headers.set("x-forwarded-host", host);
        }
        headers.set("x-request-id", requestId);
        tracing.inject(clientSpan, headers);
        return new RequestOptions()
                .setMethod(request.method())
                .setHost(endpoint.endpoint().host())
                .setPort(endpoint.endpoint().port())
                .setSsl(endpoint.endpoint().tls())
                .setURI(query == null ? upstreamPath : upstreamPath + '?' + query)
                .setHeaders(headers.set("host", endpoint.endpoint().authority()))
                .setConnectTimeout(route.connectTimeoutMillis);
    }

    private void onUpstreamRequest(HttpClientRequest upstream) {
        if (finished) {
            upstream.reset();
            return;
        }
        upstreamRequest = upstream;
        acquiredNanos = System.nanoTime();
        freshConnection = UpstreamCluster.takeFreshMark(upstream.connection());
        upstream.exceptionHandler(this::onUpstreamFailure);
        upstream.response().onComplete(ar -> {
            if (ar.succeeded()) {
                onUpstreamResponse(ar.result());
            } else {
                onUpstreamFailure(ar.cause());
            }
        });
        if (!RequestChecks.hasBody(request)) {
            upstream.end();
            enterPhase(Phase.FIRST_BYTE, route.firstByteTimeoutMillis);
            request.resume();
            return;
        }
        if (RequestChecks.isChunked(request)) {
            upstream.setChunked(true);
        }
        enterPhase(Phase.UPLOAD, route.idleTimeoutMillis);
        request.handler(this::onClientBodyChunk);
        whenRequestEnds(() -> {
            requestEnded = true;
            if (!finished) {
                upstream.end();
                if (!responseStarted) {
                    enterPhase(Phase.FIRST_BYTE, route.firstByteTimeoutMillis);
                }
            }
        });
        request.resume();
    }

    /**
     * Runs once the whole request has arrived. Vert.x holds a pipelined request back until the previous response is
     * done and may record its end before handing it over; then no end event follows, so ask first.
     */
    private void whenRequestEnds(Runnable action) {
        if (request.isEnded()) {
            action.run();
        } else {
            request.endHandler(v -> action.run());
        }
    }

    private void onClientBodyChunk(Buffer chunk) {
        if (finished) {
            return;
        }
        bytesIn += chunk.length();
        if (bytesIn > route.maxBodySize) {
            fail(ErrorCode.BODY_TOO_LARGE, null);
            return;
        }
        lastActivityNanos = System.nanoTime();
        upstreamRequest.write(chunk);
        if (upstreamRequest.writeQueueFull()) {
            request.pause();
            uploadWaitingOnUpstream = true;
            upstreamRequest.drainHandler(v -> {
                uploadWaitingOnUpstream = false;
                lastActivityNanos = System.nanoTime();
                if (!finished) {
                    request.resume();
                }
            });
        }
    }

    private void onUpstreamResponse(HttpClientResponse upstream) {
        if (finished) {
            return;
        }
        upstreamResponse = upstream;
        responseHeadNanos = System.nanoTime();
        upstreamStatus = upstream.statusCode();
        if (upstreamStatus >= 500 && route.config().maskUpstreamErrors()) {
            maskUpstreamError(upstream);
            return;
        }
        responseStarted = true;
        response.setStatusCode(upstreamStatus);
        MultiMap headers = response.headers();
        HopByHopHeaders.copy(upstream.headers(), headers, NOT_RETURNED);
        headers.set("x-request-id", requestId);
        if (!requestEnded) {
            // the upstream answers before the whole request body arrived: unless the body completes, the
            // connection cannot be reused, and the head (sent with the first chunk) must say so now
            headers.set("connection", "close");
        }
        if (route.config().serverTiming()) {
            headers.set("server-timing", serverTiming());
        }
        if (!headers.contains("content-length") && bodyAllowed(upstreamStatus)) {
            if (request.version() == HttpVersion.HTTP_1_0) {
                headers.set("connection", "close"); // HTTP/1.0 has no chunked encoding: the close delimits the body
            } else {
                response.setChunked(true);
            }
        }
        enterPhase(Phase.DOWNLOAD, route.idleTimeoutMillis);
        upstream.exceptionHandler(this::onUpstreamFailure);
        upstream.handler(this::onUpstreamBodyChunk);
        upstream.endHandler(v -> onUpstreamEnd());
    }

    /**
     * Rule 13: an upstream's 5xx body may carry stack traces or internals. The client gets the gateway's JSON error
     * with the upstream's status; the log gets the status and a bounded prefix of the body.
     */
    private void maskUpstreamError(HttpClientResponse upstream) {
        Buffer prefix = Buffer.buffer(256);
        String retryAfter = upstream.getHeader("retry-after");
        enterPhase(Phase.DOWNLOAD, route.idleTimeoutMillis);
        upstream.exceptionHandler(this::onUpstreamFailure);
        upstream.handler(chunk -> {
            lastActivityNanos = System.nanoTime();
            int room = MASKED_BODY_LOG_LIMIT - prefix.length();
            if (room > 0) {
                prefix.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
            }
        });
        upstream.endHandler(v -> {
            if (finished) {
                return;
            }
            upstreamEndNanos = System.nanoTime();
            log.atWarn().addKeyValue("route", route.id()).addKeyValue("upstream", endpoint.label())
                    .addKeyValue("upstream_status", upstreamStatus)
                    .addKeyValue("upstream_body_prefix", prefix.toString(StandardCharsets.UTF_8))
                    .addKeyValue("request_id", requestId).addKeyValue("trace_id", traceId())
                    .addKeyValue("span_id", spanId())
                    .log("upstream error body masked");
            error = ErrorCode.UPSTREAM_ERROR;
            if (retryAfter != null) {
                response.headers().set("retry-after", retryAfter);
            }
            sendError(ErrorCode.UPSTREAM_ERROR, upstreamStatus, !requestEnded, true);
        });
    }

    private String serverTiming() {
        StringBuilder out = new StringBuilder(96);
        if (acquiredNanos >= 0) {
            timing(out, "queue", freshConnection ? 0 : acquiredNanos - acquireStartNanos);
            timing(out, "connect", freshConnection ? acquiredNanos - acquireStartNanos : 0);
            timing(out, "upstream", responseHeadNanos - acquiredNanos);
        }
        timing(out, "total", System.nanoTime() - startNanos);
        return out.toString();
    }

    private static void timing(StringBuilder out, String name, long nanos) {
        if (out.length() > 0) {
            out.append(", ");
        }
        JsonText.millis(out.append(name).append(";dur="), nanos);
    }

    private String traceId() {
        return serverSpan.getSpanContext().getTraceId();
    }

    private String spanId() {
        return serverSpan.getSpanContext().getSpanId();
    }

    private boolean bodyAllowed(int status) {
        return request.method() != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }

    private void onUpstreamBodyChunk(Buffer chunk) {
        if (finished) {
            return;
        }
        bytesOut += chunk.length();
        lastActivityNanos = System.nanoTime();
        response.write(chunk);
        if (response.writeQueueFull()) {
            upstreamResponse.pause();
            downloadWaitingOnClient = true;
            response.drainHandler(v -> {
                downloadWaitingOnClient = false;
                lastActivityNanos = System.nanoTime();
                if (!finished) {
                    upstreamResponse.resume();
                }
            });
        }
    }

    private void onUpstreamEnd() {
        if (finished) {
            return;
        }
        upstreamEndNanos = System.nanoTime();
        Future<Void> written = response.end();
        boolean closeAfter = !requestEnded || "close".equals(response.headers().get("connection"));
        finish();
        if (closeAfter) {
            written.onComplete(ar -> request.connection().close());
        } else {
            responseCompleted();
        }
    }

    // ---- failures ------------------------------------------------------------------------------------------------

    private void onUpstreamFailure(Throwable cause) {
        if (finished) {
            return;
        }
        ErrorCode code = classify(cause);
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue("route", route.id()).addKeyValue("upstream", endpoint.label())
                    .addKeyValue("error_code", code.code()).addKeyValue("cause", cause.toString())
                    .addKeyValue("request_id", requestId).addKeyValue("trace_id", traceId())
                    .addKeyValue("span_id", spanId()).log("upstream call failed");
        }
        fail(code, cause);
    }

    private ErrorCode classify(Throwable cause) {
        if (cause instanceof ConnectionPoolTooBusyException) {
            return ErrorCode.UPSTREAM_OVERLOADED;
        }
        if (upstreamRequest == null) {
            // still obtaining a connection
            if (cause instanceof TimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException) {
                return ErrorCode.UPSTREAM_CONNECT_TIMEOUT;
            }
            return ErrorCode.UPSTREAM_UNAVAILABLE;
        }
        if (cause instanceof TimeoutException) {
            return ErrorCode.UPSTREAM_TIMEOUT;
        }
        if (cause instanceof DecoderException || cause instanceof TooLongFrameException
                || cause instanceof IllegalArgumentException) {
            return ErrorCode.UPSTREAM_BAD_RESPONSE;
        }
        if (cause instanceof HttpClosedException || cause instanceof IOException
                || cause instanceof io.vertx.core.http.StreamResetException || cause instanceof ConnectException) {
            return ErrorCode.UPSTREAM_RESET;
        }
        return ErrorCode.UPSTREAM_BAD_RESPONSE;
    }

    private void onClientFailure(Throwable cause) {
        if (!finished) {
            // a body that fails to decode (bad chunk) was answered 400 by the listener, which then closed
            boolean badBody = cause instanceof IllegalArgumentException || cause instanceof DecoderException
                    || cause instanceof TooLongFrameException;
            abortBothSides(badBody ? ErrorCode.BAD_CHUNK : ErrorCode.CLIENT_CLOSED);
        }
    }

    private void onClientGone() {
        if (!finished) {
            abortBothSides(ErrorCode.CLIENT_CLOSED);
        }
    }

    private void onTotalDeadline() {
        totalTimer = null;
        if (!finished) {
            fail(ErrorCode.UPSTREAM_TIMEOUT, null);
        }
    }

    private void enterPhase(Phase next, long timeoutMillis) {
        phase = next;
        phaseTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lastActivityNanos = System.nanoTime();
        if (phaseTimer != null) {
            phaseTimer.cancel(false);
        }
        phaseTimer = eventLoop.schedule(this::onPhaseTimer, phaseTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Idle timers are lazy: activity only stamps a time, and the timer re-arms itself for what remains. */
    private void onPhaseTimer() {
        phaseTimer = null;
        if (finished) {
            return;
        }
        long idleFor = System.nanoTime() - lastActivityNanos;
        if (idleFor < phaseTimeoutNanos) {
            phaseTimer = eventLoop.schedule(this::onPhaseTimer, phaseTimeoutNanos - idleFor, TimeUnit.NANOSECONDS);
            return;
        }
        switch (phase) {
            case UPLOAD -> fail(uploadWaitingOnUpstream ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.CLIENT_BODY_TIMEOUT, null);
            case DOWNLOAD -> fail(downloadWaitingOnClient ? ErrorCode.CLIENT_TOO_SLOW : ErrorCode.UPSTREAM_TIMEOUT, null);
            default -> fail(ErrorCode.UPSTREAM_TIMEOUT, null);
        }
    }

    /** Fails the exchange: a JSON error if nothing was sent yet, otherwise the client connection is cut. */
    private void fail(ErrorCode code, Throwable cause) {
        if (finished) {
            return;
        }
        error = code;
        HttpClientRequest upstream = upstreamRequest;
        if (responseStarted) {
            finish();
            request.connection().close();
        } else {
            sendError(code, !requestEnded);
        }
        if (upstream != null) {
            upstream.reset(); // after finish(), so the failure this causes is not mistaken for another one
        }
    }

    /** A bug in the gateway, not the client's or the upstream's fault: 500 to the client, the cause to the log. */
    void failUnexpectedly(Throwable cause) {
        log.atError().setCause(cause).addKeyValue("request_id", requestId).addKeyValue("trace_id", traceId())
                .addKeyValue("span_id", spanId()).log("request handling failed");
        fail(ErrorCode.INTERNAL, cause);
    }

    private void failBeforeRoute(ErrorCode code, boolean close) {
        error = code;
        // a request whose body we will not read leaves the connection unusable
        boolean mustClose = close || RequestChecks.hasBody(request);
        if (!mustClose) {
            requestEnded = true;
            request.resume();
        }
        sendError(code, mustClose);
    }

    private void sendError(ErrorCode code, boolean close) {
        sendError(code, code.status(), close, false);
    }

    private void sendError(ErrorCode code, int status, boolean close, boolean keepHeadersSet) {
        responseStarted = true;
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
        Buffer body = ErrorResponses.buffer(code, requestId, traceId());
        bytesOut = body.length();
        Future<Void> written = response.end(body);
        finish();
        if (close) {
            written.onComplete(ar -> request.connection().close());
        } else {
            responseCompleted();
        }
    }

    private void abortBothSides(ErrorCode code) {
        error = code;
        finish();
        if (upstreamRequest != null) {
            upstreamRequest.reset();
        }
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (phaseTimer != null) {
            phaseTimer.cancel(false);
            phaseTimer = null;
        }
        if (totalTimer != null) {
            totalTimer.cancel(false);
            totalTimer = null;
        }
        if (endpoint != null) {
            endpoint.requestFinished();
        }
        int status = error != null && (!responseStarted || upstreamStatus == 0) ? error.status() : upstreamStatus;
        long queueNanos = -1;
        long connectNanos = -1;
        if (acquiredNanos >= 0) {
            long acquire = acquiredNanos - acquireStartNanos;
            // a connection opened for this request: its wait was the connect; otherwise it queued for a pooled one
            connectNanos = freshConnection ? acquire : 0;
            queueNanos = freshConnection ? 0 : acquire;
        } else if (acquireStartNanos >= 0) {
            queueNanos = System.nanoTime() - acquireStartNanos; // never got a connection
        }
        listener.finished(new ExchangeRecord(startMillis, route == null ? null : route.id(),
                route == null ? null : route.upstream().name(), endpoint == null ? null : endpoint.label(),
                request.method().name(), request.path(), request.query(), status, System.nanoTime() - startNanos,
                upstreamStatus, bytesIn, bytesOut, requestId, clientIp(), error == null ? null : error.code(),
                queueNanos, connectNanos,
                responseHeadNanos >= 0 && acquiredNanos >= 0 ? responseHeadNanos - acquiredNanos : -1,
                upstreamEndNanos >= 0 && acquiredNanos >= 0 ? upstreamEndNanos - acquiredNanos : -1,
                traceId(), spanId()));
        endSpans(status);
    }

    private void endSpans(int status) {
        if (clientSpan != null) {
            clientSpan.setAttribute(HttpAttributes.METHOD, request.method().name());
            clientSpan.setAttribute(HttpAttributes.SERVER_ADDRESS, endpoint.endpoint().host());
            clientSpan.setAttribute(HttpAttributes.SERVER_PORT, (long) endpoint.endpoint().port());
            clientSpan.setAttribute(HttpAttributes.URL_FULL, endpoint.label() + route.upstreamPath(path));
            if (upstreamStatus > 0) {
                clientSpan.setAttribute(HttpAttributes.STATUS_CODE, (long) upstreamStatus);
            }
            // a client span is failed by any 4xx or 5xx answer (HTTP semantic conventions), or by no answer at all
            if (upstreamStatus >= 400 || (upstreamStatus == 0 && error != null)) {
                Tracing.fail(clientSpan, upstreamStatus == 0 || upstreamStatus >= 500 && error != null
                        ? error.code() : String.valueOf(upstreamStatus));
            }
            clientSpan.end();
        }
        serverSpan.setAttribute(HttpAttributes.METHOD, request.method().name());
        serverSpan.setAttribute(HttpAttributes.URL_PATH, request.path());
        serverSpan.setAttribute(HttpAttributes.URL_SCHEME, request.isSSL() ? "https" : "http");
        serverSpan.setAttribute(HttpAttributes.PROTOCOL_VERSION, request.version() == HttpVersion.HTTP_1_0 ? "1.0" : "1.1");
        serverSpan.setAttribute(HttpAttributes.STATUS_CODE, (long) status);
        String clientIp = clientIp();
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

    private void responseCompleted() {
        if (request.connection() instanceof ConnectionBase connection) {
            Object decoder = connection.channelHandlerContext().pipeline().get(HardenedRequestDecoder.PIPELINE_NAME);
            if (decoder instanceof HardenedRequestDecoder hardened) {
                hardened.responseCompleted();
            }
        }
    }

    private String clientIp() {
        return request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }
}
