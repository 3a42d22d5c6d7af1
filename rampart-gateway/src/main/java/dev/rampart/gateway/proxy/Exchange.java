package dev.rampart.gateway.proxy;

import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.errors.ErrorResponses;
import dev.rampart.gateway.listener.HardenedRequestDecoder;
import dev.rampart.gateway.observe.ExchangeListener;
import dev.rampart.gateway.observe.ExchangeRecord;
import dev.rampart.gateway.observe.ResilienceListener;
import dev.rampart.gateway.admission.Clients;
import dev.rampart.core.idempotency.IdempotencyKeys;
import dev.rampart.gateway.edge.SideEffectSwitch;
import dev.rampart.gateway.edge.StoredResponse;
import dev.rampart.gateway.admission.RouteAdmission;
import dev.rampart.gateway.resilience.FaultInjector;
import dev.rampart.gateway.resilience.LoadShedder;
import dev.rampart.gateway.resilience.RetryPolicy;
import dev.rampart.core.config.Endpoint;
import dev.rampart.core.resilience.RetryAfter;
import com.netflix.concurrency.limits.Limiter;
import dev.rampart.gateway.tracing.Tracing;
import dev.rampart.gateway.upstream.UpstreamCluster;
import io.opentelemetry.api.trace.Span;
import dev.rampart.gateway.routing.CompiledRoute;
import dev.rampart.gateway.routing.RouteTable;
import dev.rampart.gateway.upstream.EndpointState;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One client request and its way to an upstream and back: routing, chaos faults, load shedding, body limits, the
 * always-on timeouts, attempts (retries with backoff inside the deadline and the retry budget, hedges), streaming
 * with backpressure in both directions, error mapping and fallbacks, and the access-log line. Lives on one event
 * loop.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final Set<String> NOT_RETURNED = Set.of("x-request-id");
    /** Headers a 304 answer carries from the stored response (RFC 9110 §15.4.5). */
    private static final String[] NOT_MODIFIED_HEADERS = {"cache-control", "content-location", "date", "etag",
            "expires", "vary", "last-modified"};

    enum Phase { CONNECT, UPLOAD, FIRST_BYTE, DOWNLOAD, TUNNEL }

    final HttpServerRequest request;
    final HttpServerResponse response;
    private final RouteTable table;
    private final ExchangeListener listener;
    private final ResilienceListener resilience;
    private final Tracing tracing;
    private final EdgeServices edge;
    private final Span serverSpan;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    final String requestId;

    CompiledRoute route;
    String path;
    /** The attempt that streams (or will stream) to the client; null while waiting to retry. */
    Attempt current;
    /** A second attempt racing the current one. */
    Attempt hedge;
    /** The attempt the log reports: the winner, else the last one tried. */
    Attempt reported;
    private int attemptsStarted;
    private boolean repeatable;
    /** The request body received so far, kept to resend on a retry; null when not kept. */
    private Buffer bodyCopy;
    private boolean bodyHandlersSet;
    private long deadlineNanos;
    private Limiter.Listener routePermit;
    private Limiter.Listener upstreamPermit;
    private String fallbackReason;
    private RouteAdmission.Outcome admission;
    private String peerIp;
    private String rateLimitRejection;
    private String faultInjected;
    int upstreamStatus;
    private int sentStatus;
    private long bytesIn;
    private long bytesOut;
    ErrorCode error;
    private boolean responseStarted;
    boolean requestEnded;
    private boolean uploadWaitingOnUpstream;
    private boolean downloadWaitingOnClient;
    boolean finished;
    /** The request asks for a WebSocket and the route tunnels them: the handshake goes upstream, then the bytes. */
    private boolean upgrade;
    /** The upstream's side of the tunnel, from its 101 on; paused until the client's side is ready. */
    private NetSocket tunnelUpstream;
    private WebSocketTunnel tunnel;

    // the edge: cache and idempotency keys
    /** Made when this request may be answered from the cache or fill it. */
    private CacheStep cache;
    /** The response body teed for the cache and the idempotency record; null when not recording. */
    private ResponseRecording recording;
    private boolean bodyBuffered;
    /** Made when the route takes idempotency keys for the request's method. */
    private IdempotencyStep idempotency;
    /** Some attempt was cut by the gateway after the upstream had the whole request, before any answer. */
    boolean cutAfterSend;

    EventLoop eventLoop;
    private Phase phase = Phase.CONNECT;
    private long phaseTimeoutNanos;
    long lastActivityNanos;
    private ScheduledFuture<?> phaseTimer;
    private ScheduledFuture<?> totalTimer;
    private ScheduledFuture<?> waitTimer; // a backoff, a hedge delay or an injected delay

    Exchange(HttpServerRequest request, RouteTable table, ExchangeListener listener, ResilienceListener resilience,
             Tracing tracing, EdgeServices edge) {
        this.request = request;
        this.edge = edge;
        this.response = request.response();
        this.table = table;
        this.listener = listener;
        this.resilience = resilience;
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
        upgrade = route.webSocketIdleMillis > 0 && !RequestChecks.hasBody(request)
                && WebSocketTunnel.isRequested(request);
        long declaredLength = RequestChecks.contentLength(request);
        if (declaredLength > route.maxBodySize) {
            failBeforeRoute(ErrorCode.BODY_TOO_LARGE, true);
            return;
        }
        eventLoop = ((ContextInternal) ContextInternal.current()).nettyEventLoop();
        deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(route.totalTimeoutMillis);
        totalTimer = eventLoop.schedule(this::onTotalDeadline, route.totalTimeoutMillis, TimeUnit.MILLISECONDS);
        if (route.admission != null) {
            route.admission.admit(request, clientIp(), this::onAdmission);
        } else {
            afterAdmission();
        }
    }

    /** Rule 4: unknown or unwelcome callers and those over a limit are answered here, before any upstream work. */
    private void onAdmission(RouteAdmission.Outcome outcome) {
        if (finished) {
            route.admission.release(outcome); // the client left while Redis was deciding
            return;
        }
        admission = outcome;
        if (outcome.limit() != null && !outcome.admitted()) {
            rateLimitRejection = outcome.limit();
        }
        switch (outcome.kind()) {
            case ADMITTED -> afterAdmission();
            case UNAUTHORIZED -> {
                // RFC 9110 wants a challenge with every 401; API keys have no registered scheme, so it names the header
                response.headers().set("www-authenticate", "ApiKey header=\"" + route.admission.apiKeyHeader() + "\"");
                refuse(ErrorCode.UNAUTHORIZED, null);
            }
            case FORBIDDEN -> refuse(ErrorCode.FORBIDDEN, null);
            case RATE_LIMITED -> refuse(ErrorCode.RATE_LIMITED, outcome);
            case TOO_MANY_CONCURRENT -> refuse(ErrorCode.TOO_MANY_CONCURRENT, outcome);
            case UNAVAILABLE -> refuse(ErrorCode.RATE_LIMIT_UNAVAILABLE, outcome);
        }
    }

    void refuse(ErrorCode code, RouteAdmission.Outcome outcome) {
        MultiMap headers = response.headers();
        if (outcome != null && outcome.retryAfterNanos() > 0) {
            headers.set("retry-after", RetryAfter.format(outcome.retryAfterNanos()));
        }
        if (outcome != null && outcome.policyHeader() != null) {
            headers.set("ratelimit-policy", outcome.policyHeader());
            headers.set("ratelimit", outcome.rateLimitHeader());
        }
        error = code;
        sendError(code, code.status(), !requestEnded, true);
    }

    private void afterAdmission() {
        if (route.sideEffects) {
            SideEffectSwitch.Pause pause = edge.switches().pausedFor(route.id());
            if (pause != null) {
                edge.listener().paused(route.id());
                response.headers().set("retry-after", Long.toString(pause.retryAfterSeconds()));
                error = ErrorCode.PAUSED;
                sendError(ErrorCode.PAUSED, ErrorCode.PAUSED.status(), !requestEnded, true);
                return;
            }
        }
        FaultInjector.Fault fault = route.faults == null ? null : route.faults.decide(request);
        if (fault == null) {
            beforeUpstream();
            return;
        }
        faultInjected = fault.abort() ? (fault.reset() ? "reset" : "abort") : "delay";
        resilience.faultInjected(route.id(), faultInjected);
        log.atInfo().addKeyValue("route", route.id()).addKeyValue("fault", faultInjected)
                .addKeyValue("delay_ms", fault.delayNanos() / 1_000_000).addKeyValue("request_id", requestId)
                .addKeyValue("trace_id", traceId()).log("fault injected by a chaos drill");
        if (fault.delayNanos() > 0) {
            waitTimer = eventLoop.schedule(() -> {
                waitTimer = null;
                afterFaultDelay(fault);
            }, fault.delayNanos(), TimeUnit.NANOSECONDS);
        } else {
            afterFaultDelay(fault);
        }
    }

    private void afterFaultDelay(FaultInjector.Fault fault) {
        if (finished) {
            return;
        }
        if (!fault.abort()) {
            beforeUpstream();
            return;
        }
        if (fault.reset()) {
            error = ErrorCode.FAULT_INJECTED;
            finish();
            request.connection().close();
            return;
        }
        response.headers().set(ErrorAnswer.FAULT_HEADER, "abort");
        error = ErrorCode.FAULT_INJECTED;
        sendError(ErrorCode.FAULT_INJECTED, fault.abortStatus(), !requestEnded, true);
    }

    /** Load shedding, then the first attempt. */
    void admit() {
        if (route.shedder != null) {
            routePermit = route.shedder.tryAcquire(route.critical);
            if (routePermit == null) {
                shed("route");
                return;
            }
        }
        LoadShedder upstreamLimit = route.upstream().shedder();
        if (upstreamLimit != null) {
            upstreamPermit = upstreamLimit.tryAcquire(route.critical);
            if (upstreamPermit == null) {
                shed("upstream");
                return;
            }
        }
        boolean hasBody = RequestChecks.hasBody(request);
        repeatable = (route.retries.attempts() > 1 || route.hedge != null) && RetryPolicy.repeatable(request);
        if (repeatable && hasBody && !bodyBuffered) {
            long declared = RequestChecks.contentLength(request);
            if (declared > route.retries.maxBufferedBody()) {
                repeatable = false; // too large to keep for a second send
            } else {
                bodyCopy = Buffer.buffer((int) Math.max(0, Math.min(declared, 64 * 1024)));
            }
        }
        long now = System.nanoTime();
        route.upstream().requestSent(now);
        listener.started(route.id(), route.upstream().name());
        if (!startAttempt(Attempt.Kind.FIRST, null, now)) {
            failNoEndpoint();
        }
    }

    private void shed(String limiter) {
        resilience.shed(route.id(), limiter);
        response.headers().set("retry-after", "1");
        error = ErrorCode.LOAD_SHED;
        sendError(ErrorCode.LOAD_SHED, ErrorCode.LOAD_SHED.status(), !requestEnded, true);
    }

    // ---- the edge: cache lookup, idempotency keys ----------------------------------------------------------------

    private void beforeUpstream() {
        if (upgrade) {
            admit(); // a handshake is neither cached nor an idempotent write
            return;
        }
        HttpMethod method = request.method();
        if (route.cache != null && (method == HttpMethod.GET || method == HttpMethod.HEAD)) {
            cache = new CacheStep(this, route, edge);
            cache.lookUp();
        } else if (route.idempotency != null && route.idempotency.methods().contains(method.name())) {
            idempotency = new IdempotencyStep(this, route, edge);
            idempotency.checkKey();
        } else {
            admit();
        }
    }

    /** The path and query the upstream gets for this request. */
    String upstreamPathAndQuery() {
        String query = request.query();
        String upstreamPath = route.upstreamPath(path);
        return query == null ? upstreamPath : upstreamPath + '?' + query;
    }

    /**
     * Answers from a stored response: the cache's (with {@code Age} and {@code X-Cache}) or an idempotency record's
     * (with {@code extraHeader}). A cache answer honours the client's own conditional request with a 304
     * ({@code notModified}).
     */
    void serveStored(StoredResponse stored, String cacheResult, boolean notModified, String extraHeader) {
        int status = notModified ? 304 : stored.status();
        responseStarted = true;
        sentStatus = status;
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        headers.clear();
        if (notModified) {
            for (String name : NOT_MODIFIED_HEADERS) {
                for (String value : stored.headerValues(name)) {
                    headers.add(name, value);
                }
            }
        } else {
            for (Map.Entry<String, String> header : stored.headers()) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        headers.set("x-request-id", requestId);
        if (cacheResult != null) {
            headers.set("age", Long.toString(stored.ageSeconds(System.currentTimeMillis())));
            headers.set(CacheStep.CACHE_HEADER, cacheResult);
        }
        if (extraHeader != null) {
            headers.set(extraHeader, "true");
        }
        if (admission != null && admission.policyHeader() != null && route.admission.rateLimitHeadersOnSuccess()) {
            headers.set("ratelimit-policy", admission.policyHeader());
            headers.set("ratelimit", admission.rateLimitHeader());
        }
        boolean close = !requestEnded;
        if (close) {
            headers.set("connection", "close");
        }
        if (!bodyAllowed(status)) {
            if (status != 304 && status != 204) {
                headers.set("content-length", Integer.toString(stored.body().length())); // HEAD: the GET's length
            }
            endWith(Buffer.buffer(), close);
        } else {
            endWith(stored.body(), close);
        }
    }

    /** Whether the request holds an idempotency key: its answer is kept for the key's repeats. */
    private boolean keyClaimed() {
        return idempotency != null && idempotency.claim != null;
    }

    /** Whether the attempt runs on after the exchange, for its answer to complete the key's record. */
    private boolean isDetached(Attempt attempt) {
        return idempotency != null && attempt == idempotency.detached;
    }

    private void settleIdempotency() {
        if (idempotency != null) {
            idempotency.settle();
        }
    }

    /** Reads the request body before anything goes upstream (its hash is part of the fingerprint), bounded. */
    void readWholeBody(IdempotencyKeys.Fingerprint fingerprint, Runnable then) {
        bodyBuffered = true;
        bodyHandlersSet = true;
        bodyCopy = Buffer.buffer();
        if (requestEnded) {
            then.run();
            return;
        }
        enterPhase(Phase.UPLOAD, route.idleTimeoutMillis);
        request.handler(chunk -> {
            if (finished) {
                return;
            }
            bytesIn += chunk.length();
            if (bytesIn > route.maxBodySize) {
                fail(ErrorCode.BODY_TOO_LARGE, null);
                return;
            }
            lastActivityNanos = System.nanoTime();
            byte[] bytes = chunk.getBytes();
            fingerprint.body(bytes, 0, bytes.length);
            bodyCopy.appendBuffer(chunk);
        });
        whenRequestEnds(() -> {
            requestEnded = true;
            if (!finished) {
                cancelPhaseTimer();
                then.run();
            }
        });
        request.resume();
    }

    // ---- attempts ------------------------------------------------------------------------------------------------

    /**
     * Sends one attempt to an available endpoint of the route's upstream (or its backup), preferring one other than
     * {@code avoid}. False when no endpoint is available.
     */
    private boolean startAttempt(Attempt.Kind kind, EndpointState avoid, long now) {
        UpstreamCluster cluster = route.upstream();
        EndpointState endpoint = cluster.pickAvailable(avoid, now);
        if (endpoint == null && route.backup() != null) {
            cluster = route.backup();
            endpoint = cluster.pickAvailable(avoid, now);
        }
        if (endpoint == null) {
            return false;
        }
        if (kind == Attempt.Kind.HEDGE && endpoint == avoid) {
            settle(new Attempt(0, kind, cluster, endpoint, now), false, false, true);
            return false; // a hedge to the endpoint already waited on adds load and nothing else
        }
        Attempt attempt = new Attempt(++attemptsStarted, kind, cluster, endpoint, now);
        if (kind == Attempt.Kind.HEDGE) {
            hedge = attempt;
        } else {
            current = attempt;
        }
        reported = attempt;
        endpoint.requestStarted();
        attempt.span = tracing.startClientSpan(serverSpan, request.method().name(), attempt.number);
        long perTry = route.retries.perTryTimeoutMillis();
        if (perTry > 0) {
            attempt.perTryTimer = eventLoop.schedule(() -> {
                attempt.perTryTimer = null;
                onAttemptTimeout(attempt);
            }, perTry, TimeUnit.MILLISECONDS);
        }
        cluster.client().request(upstreamOptions(attempt)).onComplete(ar -> {
            if (ar.succeeded()) {
                onUpstreamRequest(attempt, ar.result());
            } else {
                onAttemptFailure(attempt, ar.cause());
            }
        });
        return true;
    }

    /** Where an attempt goes; its headers are written into the request itself once it exists ({@link #forwardHeaders}). */
    private RequestOptions upstreamOptions(Attempt attempt) {
        Endpoint endpoint = attempt.endpoint.endpoint();
        return new RequestOptions()
                .setMethod(request.method())
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setSsl(endpoint.tls())
                .setURI(upstreamPathAndQuery())
                .setConnectTimeout(route.connectTimeoutMillis);
    }

    /**
     * The attempt's request headers, written straight into the upstream request: built apart and handed over in
     * {@link RequestOptions}, they would be copied once more, header by header, for every request.
     */
    private void forwardHeaders(Attempt attempt, MultiMap headers) {
        HopByHopHeaders.copy(request.headers(), headers,
                cache == null ? route.notForwarded.onRequest : route.notForwarded.onCacheFetch);
        if (cache != null) {
            cache.addValidators(headers);
        }
        String clientIp = clientIp();
        String priorFor = Clients.forwardedFor(request);
        headers.set("x-forwarded-for", priorFor == null ? clientIp : priorFor + ", " + clientIp);
        headers.set("x-forwarded-proto", request.isSSL() ? "https" : "http");
        String host = request.getHeader("host");
        if (host != null) {
            headers.set("x-forwarded-host", host);
        }
        headers.set("x-request-id", requestId);
        if (attempt.number > 1) {
            headers.set("x-rampart-attempt", Integer.toString(attempt.number));
        }
        tracing.inject(attempt.span, headers);
        if (upgrade) {
            headers.set("connection", "upgrade"); // exactly this token: the HTTP client then hands over a 101
            headers.set("upgrade", request.getHeader("upgrade"));
        }
        headers.set("host", attempt.endpoint.endpoint().authority());
    }

    private void onUpstreamRequest(Attempt attempt, HttpClientRequest upstream) {
        if (finished || attempt.done) {
            upstream.reset();
            return;
        }
        attempt.request = upstream;
        forwardHeaders(attempt, upstream.headers());
        attempt.acquiredNanos = System.nanoTime();
        attempt.freshConnection = attempt.endpoint.leased(upstream.connection());
        upstream.exceptionHandler(cause -> onAttemptFailure(attempt, cause));
        upstream.response().onComplete(ar -> {
            if (ar.succeeded()) {
                onUpstreamResponse(attempt, ar.result());
            } else {
                onAttemptFailure(attempt, ar.cause());
            }
        });
        if (!RequestChecks.hasBody(request)) {
            if (upgrade) {
                upstream.connect(); // its answer is the same response future: a 101 leaves the connection to the tunnel
            } else {
                upstream.end();
            }
            attemptSent(attempt);
            request.resume();
            return;
        }
        if (RequestChecks.isChunked(request)) {
            upstream.setChunked(true);
        }
        if (bodyCopy != null && bodyCopy.length() > 0) {
            upstream.write(bodyCopy.copy()); // what arrived while this attempt was being set up
        }
        attempt.bodyFlowing = true;
        if (requestEnded) {
            upstream.end();
            attemptSent(attempt);
        } else if (attempt == current) {
            enterPhase(Phase.UPLOAD, route.idleTimeoutMillis);
        }
        if (!bodyHandlersSet) {
            bodyHandlersSet = true;
            request.handler(this::onClientBodyChunk);
            whenRequestEnds(this::onClientBodyEnd);
        }
        request.resume();
    }

    /** The whole request is with the upstream: wait for its answer, and perhaps hedge. */
    private void attemptSent(Attempt attempt) {
        attempt.sent = true;
        if (attempt != current || responseStarted) {
            return;
        }
        enterPhase(Phase.FIRST_BYTE, route.firstByteTimeoutMillis);
        // a hedge is one more attempt, allowed even when retries are off
        if (route.hedge != null && repeatable && !upgrade && hedge == null && attemptsStarted < Math.max(2, route.retries.attempts())
                && (bodyCopy != null || !RequestChecks.hasBody(request))) {
            cancelWaitTimer();
            waitTimer = eventLoop.schedule(() -> {
                waitTimer = null;
                onHedgeDelay(attempt);
            }, route.hedge.nanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void onHedgeDelay(Attempt waitedOn) {
        if (finished || responseStarted || hedge != null || current != waitedOn || waitedOn.responseHeadNanos >= 0) {
            return;
        }
        long now = System.nanoTime();
        long expected = now - waitedOn.startNanos; // the hedge should be given at least as long as the first had
        if (now + expected > deadlineNanos) {
            resilience.retrySuppressed(route.upstream().name(), "deadline");
            return;
        }
        if (!route.upstream().tryRetry(now)) {
            resilience.retrySuppressed(route.upstream().name(), "budget");
            return;
        }
        startAttempt(Attempt.Kind.HEDGE, waitedOn.endpoint, now);
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

    private void onClientBodyEnd() {
        requestEnded = true;
        if (finished) {
            return;
        }
        for (Attempt attempt : new Attempt[]{current, hedge}) {
            if (attempt != null && !attempt.done && attempt.request != null && attempt.bodyFlowing) {
                attempt.request.end();
                attemptSent(attempt);
            }
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
        if (bodyCopy != null) {
            if (bodyCopy.length() + chunk.length() > route.retries.maxBufferedBody()) {
                bodyCopy = null; // too large to resend: this request gets no further attempt
                repeatable = false;
            } else {
                bodyCopy.appendBuffer(chunk);
            }
        }
        Attempt attempt = current;
        if (attempt == null || attempt.done || attempt.request == null || !attempt.bodyFlowing) {
            request.pause(); // between attempts: the copy holds what came, the next attempt resumes
            return;
        }
        HttpClientRequest upstream = attempt.request;
        upstream.write(chunk);
        if (upstream.writeQueueFull()) {
            request.pause();
            uploadWaitingOnUpstream = true;
            upstream.drainHandler(v -> {
                uploadWaitingOnUpstream = false;
                lastActivityNanos = System.nanoTime();
                if (!finished && attempt == current) {
                    request.resume();
                }
            });
        }
    }

    private void onUpstreamResponse(Attempt attempt, HttpClientResponse upstream) {
        if (isDetached(attempt)) {
            idempotency.onDetachedResponse(attempt, upstream);
            return;
        }
        if (finished || attempt.done) {
            upstream.exceptionHandler(ignored -> { });
            upstream.request().reset();
            return;
        }
        long now = System.nanoTime();
        attempt.response = upstream;
        attempt.responseHeadNanos = now;
        attempt.status = upstream.statusCode();
        attempt.cancelPerTryTimer();
        int status = attempt.status;
        boolean gatewayFailure = status == 502 || status == 503 || status == 504;
        settle(attempt, status >= 500, gatewayFailure, false);
        if (route.retries.retriesOnStatus(status)) {
            if (UpstreamSignals.overloaded(upstream)) {
                if (repeatable && attemptsStarted < route.retries.attempts()) {
                    resilience.retrySuppressed(attempt.cluster.name(), "overload");
                }
            } else if (other(attempt) != null) {
                abandon(attempt, "retryable_status"); // the other attempt may still answer well
                promoteOther(attempt);
                return;
            } else if (retry(attempt, RetryPolicy.Failure.STATUS, UpstreamSignals.retryAfterNanos(upstream, status))) {
                abandon(attempt, "retryable_status");
                return;
            }
        }
        win(attempt);
        upstreamStatus = status;
        if (upgrade && status == 101) {
            openTunnel(attempt, upstream);
            return;
        }
        if (status == 304 && cache != null && cache.staleCopy != null) {
            endAttempt(attempt, "response");
            cache.onRevalidated(upstream);
            return;
        }
        if (status >= 500 && status <= 504 && cache != null && cache.staleCopyUsable()) {
            endAttempt(attempt, "response");
            reset(attempt);
            cache.serveStale();
            return;
        }
        if (status >= 500 && route.fallback != null && gatewayFailure) {
            fallbackReason = ErrorCode.UPSTREAM_ERROR.code();
            endAttempt(attempt, "response");
            reset(attempt);
            error = ErrorCode.UPSTREAM_ERROR;
            sendFallback(!requestEnded);
            return;
        }
        if (status >= 500 && route.config().maskUpstreamErrors()) {
            MaskedUpstreamError.start(this, attempt, upstream);
            return;
        }
        responseStarted = true;
        response.setStatusCode(status);
        MultiMap headers = response.headers();
        HopByHopHeaders.copy(upstream.headers(), headers, NOT_RETURNED);
        headers.set("x-request-id", requestId);
        if (faultInjected != null) {
            headers.set(ErrorAnswer.FAULT_HEADER, faultInjected);
        }
        if (admission != null && admission.policyHeader() != null && route.admission.rateLimitHeadersOnSuccess()) {
            headers.set("ratelimit-policy", admission.policyHeader());
            headers.set("ratelimit", admission.rateLimitHeader());
        }
        if (!requestEnded) {
            // the upstream answers before the whole request body arrived: unless the body completes, the
            // connection cannot be reused, and the head (sent with the first chunk) must say so now
            headers.set("connection", "close");
        }
        if (route.config().serverTiming()) {
            headers.set("server-timing", ServerTiming.header(reported, attemptsStarted, startNanos));
        }
        if (!headers.contains("content-length") && bodyAllowed(status)) {
            if (request.version() == HttpVersion.HTTP_1_0) {
                headers.set("connection", "close"); // HTTP/1.0 has no chunked encoding: the close delimits the body
            } else {
                response.setChunked(true);
            }
        }
        if (cache != null || keyClaimed()) {
            recording = ResponseRecording.start(cache, idempotency, keyClaimed(), upstream, status, headers);
        }
        enterPhase(Phase.DOWNLOAD, route.idleTimeoutMillis);
        upstream.exceptionHandler(cause -> onAttemptFailure(attempt, cause));
        upstream.handler(chunk -> onUpstreamBodyChunk(attempt, chunk));
        upstream.endHandler(v -> onUpstreamEnd(attempt));
    }

    /**
     * The upstream accepted the WebSocket: the client gets its 101 (end-to-end headers, Sec-WebSocket-Accept among
     * them), and from then on both connections carry the tunnel's bytes. The handshake was the request: the total
     * timeout and concurrency permits end here, and the tunnel's idle timeout takes over. The admission (a client's
     * concurrent requests) is held until the tunnel closes.
     */
    private void openTunnel(Attempt attempt, HttpClientResponse upstream) {
        responseStarted = true;
        cancelPhaseTimer();
        if (totalTimer != null) {
            totalTimer.cancel(false);
            totalTimer = null;
        }
        completePermits(101);
        tunnelUpstream = upstream.netSocket();
        tunnelUpstream.pause(); // what the upstream sends right after its 101 waits for the client's side
        response.setStatusCode(101);
        MultiMap headers = response.headers();
        HopByHopHeaders.copy(upstream.headers(), headers, NOT_RETURNED);
        headers.set("connection", "upgrade");
        String protocol = upstream.getHeader("upgrade");
        headers.set("upgrade", protocol != null ? protocol : "websocket");
        headers.set("x-request-id", requestId);
        request.toNetSocket().onComplete(ar -> {
            if (finished) {
                if (ar.succeeded()) {
                    ar.result().close();
                }
                return;
            }
            if (ar.failed()) {
                tunnelUpstream.close();
                attempt.endNanos = System.nanoTime();
                error = ErrorCode.CLIENT_CLOSED;
                finish();
                return;
            }
            enterPhase(Phase.TUNNEL, route.webSocketIdleMillis);
            tunnel = new WebSocketTunnel(ar.result(), tunnelUpstream, this::tunnelActivity,
                    why -> onTunnelEnd(attempt, why));
        });
    }

    private void tunnelActivity() {
        lastActivityNanos = System.nanoTime();
    }

    private void onTunnelEnd(Attempt attempt, WebSocketTunnel.End why) {
        bytesIn = tunnel.bytesFromClient();
        bytesOut = tunnel.bytesFromUpstream();
        attempt.endNanos = System.nanoTime();
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue("route", route.id()).addKeyValue("request_id", requestId)
                    .addKeyValue("end", why.name().toLowerCase(Locale.ROOT)).addKeyValue("bytes_in", bytesIn)
                    .addKeyValue("bytes_out", bytesOut).log("websocket tunnel closed");
        }
        finish();
    }

    /** This attempt's answer goes to the client: a racing attempt is cancelled. */
    private void win(Attempt attempt) {
        cancelWaitTimer();
        Attempt loser = other(attempt);
        if (loser != null) {
            abandon(loser, "cancelled");
        }
        current = attempt;
        hedge = null;
        reported = attempt;
    }

    private Attempt other(Attempt attempt) {
        Attempt other = attempt == current ? hedge : attempt == hedge ? current : null;
        return other != null && !other.done ? other : null;
    }

    /** After {@code failed} is over, the attempt still racing becomes the current one. */
    private void promoteOther(Attempt failed) {
        Attempt survivor = other(failed);
        current = survivor;
        hedge = null;
        reported = survivor;
        if (survivor != null && survivor.responseHeadNanos < 0 && survivor.acquiredNanos >= 0 && requestEnded) {
            long waited = System.nanoTime() - survivor.acquiredNanos;
            enterPhase(Phase.FIRST_BYTE, Math.max(1, route.firstByteTimeoutMillis - waited / 1_000_000));
        }
    }

    /**
     * Schedules another attempt after {@code failed}, if the request is repeatable, attempts remain, the policy
     * retries this failure, it fits the deadline (backoff, or the upstream's {@code Retry-After}, plus a whole
     * attempt) and the upstream's retry budget allows it.
     */
    private boolean retry(Attempt failed, RetryPolicy.Failure failure, long retryAfterNanos) {
        if (finished || responseStarted || !repeatable || attemptsStarted >= route.retries.attempts()) {
            return false;
        }
        if (failure != RetryPolicy.Failure.STATUS && !route.retries.retriesOn(failure)) {
            return false;
        }
        if (RequestChecks.hasBody(request) && bodyCopy == null) {
            return false;
        }
        long now = System.nanoTime();
        long delay = route.retries.backoff().delayNanos(attemptsStarted, ThreadLocalRandom.current());
        if (retryAfterNanos > delay) {
            delay = retryAfterNanos;
        }
        long perTry = route.retries.perTryTimeoutMillis();
        long expected = perTry > 0 ? TimeUnit.MILLISECONDS.toNanos(perTry) : now - failed.startNanos;
        if (now + delay + expected > deadlineNanos) {
            resilience.retrySuppressed(failed.cluster.name(), "deadline");
            return false;
        }
        if (!route.upstream().tryRetry(now)) {
            resilience.retrySuppressed(failed.cluster.name(), "budget");
            return false;
        }
        cancelPhaseTimer();
        cancelWaitTimer();
        current = null;
        EndpointState avoid = failed.endpoint;
        waitTimer = eventLoop.schedule(() -> {
            waitTimer = null;
            if (!finished && !startAttempt(Attempt.Kind.RETRY, avoid, System.nanoTime())) {
                failNoEndpoint();
            }
        }, delay, TimeUnit.NANOSECONDS);
        return true;
    }

    /** Gives up on an attempt that will not answer the client: its connection is reset, its span ended. */
    private void abandon(Attempt attempt, String outcome) {
        if (attempt.done) {
            return;
        }
        settle(attempt, false, false, true);
        endAttempt(attempt, outcome);
        reset(attempt);
    }

    /**
     * Resets an attempt's stream (and so its connection). The response's handlers are silenced first: the reset is
     * ours, not a failure to report.
     */
    private void reset(Attempt attempt) {
        if (attempt.sent && attempt.responseHeadNanos < 0 && attempt.error != ErrorCode.UPSTREAM_RESET) {
            cutAfterSend = true; // the upstream had the whole request: it may have acted on it
        }
        if (attempt.response != null) {
            attempt.response.exceptionHandler(ignored -> { });
            attempt.response.handler(null);
            attempt.response.endHandler(null);
        }
        if (attempt.request != null) {
            // its own exception handler ignores an attempt that is over; once sent, the handler cannot change
            attempt.request.reset();
        }
    }

    /**
     * Tells the endpoint's breaker and outlier detection how the call went, once; or hands back the breaker's
     * permission when the call's result says nothing about the endpoint.
     */
    private void settle(Attempt attempt, boolean failure, boolean gatewayFailure, boolean release) {
        if (attempt.outcomeSettled) {
            return;
        }
        attempt.outcomeSettled = true;
        if (release) {
            if (attempt.endpoint.breaker() != null) {
                attempt.endpoint.breaker().release();
            }
            return;
        }
        long now = System.nanoTime();
        attempt.cluster.recordOutcome(attempt.endpoint, failure, gatewayFailure, now - attempt.startNanos, now);
    }

    /** Ends the attempt's bookkeeping: timers, in-flight count, span; the outcome goes to the metrics. */
    private void endAttempt(Attempt attempt, String outcome) {
        if (attempt.done) {
            return;
        }
        attempt.done = true;
        attempt.cancelPerTryTimer();
        if (attempt.endNanos < 0 && attempt.acquiredNanos >= 0) {
            attempt.endNanos = System.nanoTime();
        }
        if (attempt.acquiredNanos >= 0) {
            attempt.endpoint.released();
        }
        attempt.endpoint.requestFinished();
        resilience.attemptFinished(attempt.cluster.name(), attempt.kind.label, outcome);
        ExchangeSpans.endClientSpan(attempt, outcome, request, route, path, attempt == reported, error);
    }

    private void onAttemptTimeout(Attempt attempt) {
        if (finished || attempt.done || attempt.responseHeadNanos >= 0) {
            return;
        }
        attemptFailed(attempt, ErrorCode.UPSTREAM_TIMEOUT, RetryPolicy.Failure.PER_TRY_TIMEOUT, "timeout", null);
    }

    void onAttemptFailure(Attempt attempt, Throwable cause) {
        if (tunnel != null) {
            tunnel.close(WebSocketTunnel.End.UPSTREAM_CLOSED); // the upstream's connection ended under the tunnel
            return;
        }
        if (isDetached(attempt)) {
            idempotency.onDetachedFailure(attempt, idempotency.claim);
            return;
        }
        if (finished || attempt.done) {
            return;
        }
        ErrorCode code = FailureClassifier.classify(attempt, cause);
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue("route", route.id()).addKeyValue("upstream", attempt.endpoint.label())
                    .addKeyValue("attempt", attempt.number).addKeyValue("error_code", code.code())
                    .addKeyValue("cause", cause.toString()).addKeyValue("request_id", requestId)
                    .addKeyValue("trace_id", traceId()).addKeyValue("span_id", spanId()).log("upstream call failed");
        }
        if (attempt.responseHeadNanos >= 0) {
            // the answer is under way to the client (or being masked): nothing can be retried any more
            attempt.endNanos = System.nanoTime();
            fail(code, cause);
            return;
        }
        attemptFailed(attempt, code, FailureClassifier.retryFailure(code), FailureClassifier.outcome(code), cause);
    }

    /** An attempt failed before any answer: retry it, let a racing attempt carry on, or fail the request. */
    private void attemptFailed(Attempt attempt, ErrorCode code, RetryPolicy.Failure failure, String outcome,
                               Throwable cause) {
        boolean poolBusy = code == ErrorCode.UPSTREAM_OVERLOADED; // our own queue is full: not the endpoint's fault
        attempt.error = code;
        settle(attempt, true, failure != null, poolBusy);
        endAttempt(attempt, outcome);
        reset(attempt);
        if (other(attempt) != null) {
            promoteOther(attempt);
            return;
        }
        boolean wasCurrent = attempt == current;
        if (wasCurrent && failure != null && retry(attempt, failure, -1)) {
            return;
        }
        fail(code, cause);
    }

    /** No endpoint of the upstream (nor of its backup) may take a request now. */
    private void failNoEndpoint() {
        long now = System.nanoTime();
        UpstreamCluster upstream = route.upstream();
        boolean breakerOpen = upstream.anyBreakerOpen() || route.backup() != null && route.backup().anyBreakerOpen();
        if (reported != null && reported.done && error == null) {
            // a retry found nothing to go to: the client learns what the last attempt met
            error = reported.error != null ? reported.error
                    : reported.status >= 500 ? ErrorCode.UPSTREAM_ERROR : ErrorCode.UPSTREAM_UNAVAILABLE;
            upstreamStatus = reported.status;
        }
        if (breakerOpen) {
            long retryAfter = upstream.breakerRetryAfterNanos(now);
            response.headers().set("retry-after", RetryAfter.format(retryAfter));
            fail(error != null ? error : ErrorCode.CIRCUIT_OPEN, null);
        } else {
            fail(error != null ? error : ErrorCode.NO_HEALTHY_UPSTREAM, null);
        }
    }

    // ---- the answer ----------------------------------------------------------------------------------------------

    String traceId() {
        return serverSpan.getSpanContext().getTraceId();
    }

    String spanId() {
        return serverSpan.getSpanContext().getSpanId();
    }

    private boolean bodyAllowed(int status) {
        return request.method() != HttpMethod.HEAD && status >= 200 && status != 204 && status != 304;
    }

    private void onUpstreamBodyChunk(Attempt attempt, Buffer chunk) {
        if (finished) {
            return;
        }
        bytesOut += chunk.length();
        lastActivityNanos = System.nanoTime();
        if (recording != null && !recording.append(chunk)) {
            recording = null; // too large for every store that wanted it
        }
        response.write(chunk);
        if (response.writeQueueFull()) {
            attempt.response.pause();
            downloadWaitingOnClient = true;
            response.drainHandler(v -> {
                downloadWaitingOnClient = false;
                lastActivityNanos = System.nanoTime();
                if (!finished) {
                    attempt.response.resume();
                }
            });
        }
    }

    private void onUpstreamEnd(Attempt attempt) {
        if (finished) {
            return;
        }
        attempt.endNanos = System.nanoTime();
        if (recording != null) {
            recording.store(upstreamStatus);
            recording = null;
        }
        // before the answer leaves: a request sent the moment it arrives must see what it changed
        settleIdempotency();
        if (upstreamStatus >= 200 && upstreamStatus < 400 && !RequestChecks.isSafe(request.method())) {
            CacheStep.purgeAfterWrite(edge, table, route, path);
        }
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

    private void onClientFailure(Throwable cause) {
        if (tunnel != null) {
            tunnel.close(WebSocketTunnel.End.CLIENT_CLOSED);
            return;
        }
        if (!finished) {
            // a body that fails to decode (bad chunk) was answered 400 by the listener, which then closed
            abortBothSides(FailureClassifier.malformed(cause) ? ErrorCode.BAD_CHUNK : ErrorCode.CLIENT_CLOSED);
        }
    }

    private void onClientGone() {
        if (tunnel != null) {
            tunnel.close(WebSocketTunnel.End.CLIENT_CLOSED);
            return;
        }
        if (!finished) {
            abortBothSides(ErrorCode.CLIENT_CLOSED);
        }
    }

    private void onTotalDeadline() {
        totalTimer = null;
        if (finished) {
            return;
        }
        for (Attempt attempt : new Attempt[]{current, hedge}) {
            if (attempt != null && !attempt.done && attempt.responseHeadNanos < 0) {
                // the endpoint did not answer in time: that counts against it, like any other timeout
                attempt.error = ErrorCode.UPSTREAM_TIMEOUT;
                settle(attempt, true, true, false);
                endAttempt(attempt, "timeout");
            }
        }
        fail(ErrorCode.UPSTREAM_TIMEOUT, null);
    }

    void enterPhase(Phase next, long timeoutMillis) {
        phase = next;
        phaseTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lastActivityNanos = System.nanoTime();
        if (phaseTimer != null) {
            phaseTimer.cancel(false);
        }
        phaseTimer = eventLoop.schedule(this::onPhaseTimer, phaseTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelPhaseTimer() {
        if (phaseTimer != null) {
            phaseTimer.cancel(false);
            phaseTimer = null;
        }
    }

    private void cancelWaitTimer() {
        if (waitTimer != null) {
            waitTimer.cancel(false);
            waitTimer = null;
        }
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
            case FIRST_BYTE -> {
                if (keyClaimed() && current != null && !current.done && current.responseHeadNanos < 0) {
                    // the upstream has the request: keep its call running, so that its answer completes the key
                    current.error = ErrorCode.UPSTREAM_TIMEOUT;
                    settle(current, true, true, false);
                    endAttempt(current, "timeout");
                    fail(ErrorCode.UPSTREAM_TIMEOUT, null);
                } else if (current != null && !current.done && current.responseHeadNanos < 0) {
                    // the route's first-byte timeout bounds the request, not one try (that is per-try-timeout's
                    // job): it counts against the endpoint, and a racing hedge may still answer, but no retry follows
                    current.error = ErrorCode.UPSTREAM_TIMEOUT;
                    settle(current, true, true, false);
                    attemptFailed(current, ErrorCode.UPSTREAM_TIMEOUT, null, "timeout", null);
                } else {
                    fail(ErrorCode.UPSTREAM_TIMEOUT, null);
                }
            }
            // an idle tunnel is closed quietly, as nginx's proxy_read_timeout does: idleness is not an error
            case TUNNEL -> tunnel.close(WebSocketTunnel.End.IDLE);
            default -> fail(ErrorCode.UPSTREAM_TIMEOUT, null);
        }
    }

    /** Fails the exchange: a JSON error (or the fallback) if nothing was sent yet, otherwise the connection is cut. */
    private void fail(ErrorCode code, Throwable cause) {
        if (finished) {
            return;
        }
        if (error == null || code != ErrorCode.UPSTREAM_TIMEOUT || !responseStarted) {
            error = code;
        }
        Attempt[] inFlight = {current, hedge};
        if (responseStarted) {
            finish();
            request.connection().close();
        } else {
            ErrorCode sent = error;
            sendError(sent, sent == ErrorCode.UPSTREAM_ERROR && upstreamStatus >= 500 ? upstreamStatus : sent.status(),
                    !requestEnded, sent == ErrorCode.CIRCUIT_OPEN || sent == ErrorCode.LOAD_SHED);
        }
        for (Attempt attempt : inFlight) {
            if (attempt != null && !isDetached(attempt)) {
                reset(attempt); // after finish(), so the failure this causes is not mistaken for another one
            }
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

    void sendError(ErrorCode code, int status, boolean close, boolean keepHeadersSet) {
        if (cache != null && cache.staleCopyCovers(code, status)) {
            cache.serveStale();
            return;
        }
        if (keyClaimed() && upstreamStatus >= 500) {
            // the upstream answered, with an error: that answer (masked) is what a repeat gets
            idempotency.complete(status, List.of(Map.entry("content-type", "application/json")),
                    ErrorResponses.buffer(code, requestId, traceId()));
        }
        if (route != null && route.fallback != null && ErrorAnswer.fallbackCovers(code, status)) {
            fallbackReason = code.code();
            sendFallback(close);
            return;
        }
        responseStarted = true;
        sentStatus = status;
        endWith(ErrorAnswer.jsonError(response, code, status, close, keepHeadersSet, requestId, traceId()), close);
    }

    /** Sends a whole body Rampart made itself, finishes the exchange, and closes the connection if it must. */
    private void endWith(Buffer body, boolean close) {
        bytesOut = body.length();
        settleIdempotency(); // before the answer leaves: a retry sent the moment it arrives must find the key settled
        Future<Void> written = response.end(body);
        finish();
        if (close) {
            written.onComplete(ar -> request.connection().close());
        } else {
            responseCompleted();
        }
    }

    private void sendFallback(boolean close) {
        resilience.fallbackServed(route.id(), fallbackReason);
        responseStarted = true;
        sentStatus = route.fallback.status();
        endWith(ErrorAnswer.fallback(response, route.fallback, fallbackReason, requestId, faultInjected, close), close);
    }

    private void abortBothSides(ErrorCode code) {
        error = code;
        Attempt[] inFlight = {current, hedge};
        finish();
        for (Attempt attempt : inFlight) {
            if (attempt != null && !isDetached(attempt)) {
                reset(attempt);
            }
        }
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        cancelPhaseTimer();
        cancelWaitTimer();
        if (tunnelUpstream != null && tunnel == null) {
            tunnelUpstream.close(); // the client left before its side of the tunnel was ready
        }
        if (totalTimer != null) {
            totalTimer.cancel(false);
            totalTimer = null;
        }
        // the status the client got: what Rampart sent itself, else the upstream's (499 when the client left first)
        int status = sentStatus > 0 ? sentStatus
                : error != null && (!responseStarted || upstreamStatus == 0) ? error.status() : upstreamStatus;
        if (cache != null) {
            cache.finish();
        }
        Attempt main = current;
        Attempt second = hedge;
        endAtFinish(main);
        endAtFinish(second);
        settleIdempotency();
        completePermits(status);
        if (admission != null) {
            route.admission.release(admission);
        }
        Attempt shown = reported;
        long queueNanos = -1;
        if (shown != null) {
            queueNanos = shown.acquiredNanos >= 0 ? shown.queueNanos() : System.nanoTime() - shown.startNanos;
        }
        String clientIp = clientIp();
        listener.finished(new ExchangeRecord(startMillis, route == null ? null : route.id(),
                route == null ? null : route.upstream().name(), shown == null ? null : shown.endpoint.label(),
                request.method().name(), request.path(), request.query(), status, System.nanoTime() - startNanos,
                upstreamStatus, bytesIn, bytesOut, requestId, clientIp, error == null ? null : error.code(),
                queueNanos, shown == null ? -1 : shown.connectNanos(), shown == null ? -1 : shown.firstByteNanos(),
                shown == null ? -1 : shown.upstreamNanos(), traceId(), spanId(), attemptsStarted, fallbackReason,
                faultInjected, client(), rateLimitRejection, cache == null ? null : cache.status,
                idempotency == null ? null : idempotency.outcome));
        ExchangeSpans.endServerSpan(serverSpan, request, status, clientIp, route, error, requestId);
    }

    /** Tells the concurrency limits how the request went: latency samples for adaptive limits, drops on overload. */
    /** An attempt still open when the exchange finishes: answered (its response was relayed) or cancelled. */
    private void endAtFinish(Attempt attempt) {
        if (attempt != null && !attempt.done) {
            boolean answered = attempt.responseHeadNanos >= 0;
            if (!answered) {
                settle(attempt, false, false, true);
            }
            endAttempt(attempt, answered ? "response" : "cancelled");
        }
    }

    private void completePermits(int status) {
        if (routePermit == null && upstreamPermit == null) {
            return;
        }
        boolean dropped = error == ErrorCode.UPSTREAM_TIMEOUT || error == ErrorCode.UPSTREAM_CONNECT_TIMEOUT
                || error == ErrorCode.UPSTREAM_OVERLOADED || upstreamStatus == 503;
        boolean ignored = !dropped && (error != null || status >= 500);
        complete(routePermit, dropped, ignored);
        complete(upstreamPermit, dropped, ignored);
        routePermit = null;
        upstreamPermit = null;
    }

    private static void complete(Limiter.Listener permit, boolean dropped, boolean ignored) {
        if (permit == null) {
            return;
        }
        if (dropped) {
            permit.onDropped();
        } else if (ignored) {
            permit.onIgnore();
        } else {
            permit.onSuccess();
        }
    }

    private void responseCompleted() {
        if (request.connection() instanceof ConnectionBase connection) {
            Object decoder = connection.channelHandlerContext().pipeline().get(HardenedRequestDecoder.PIPELINE_NAME);
            if (decoder instanceof HardenedRequestDecoder hardened) {
                hardened.responseCompleted();
            }
        }
    }

    /** The API key's client, or null. */
    String client() {
        return admission == null ? null : admission.client();
    }

    /** The peer's address as text, worked out once: Vert.x formats it anew on every call. */
    String clientIp() {
        if (peerIp == null && request.remoteAddress() != null) {
            peerIp = request.remoteAddress().hostAddress();
        }
        return peerIp;
    }
}
