package dev.rampart.gateway.proxy;

import dev.rampart.core.config.IdempotencyConfig;
import dev.rampart.core.idempotency.IdempotencyKeys;
import dev.rampart.gateway.edge.StoredResponse;
import dev.rampart.gateway.errors.ErrorCode;
import dev.rampart.gateway.errors.ErrorResponses;
import dev.rampart.gateway.idempotency.IdempotencyStore;
import dev.rampart.gateway.routing.CompiledRoute;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Rule 17: a request with an Idempotency-Key goes upstream once; repeats get the first one's answer. Made for the
 * requests whose route and method take keys: checks and claims the key, keeps the answer for it, and leaves a call
 * whose client has gone running detached until its answer completes the record.
 */
final class IdempotencyStep {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class); // a request's lines keep one logger

    private final Exchange exchange;
    private final CompiledRoute route;
    private final EdgeServices edge;
    /** The key this request holds until its answer is stored or the key released; null when it holds none. */
    IdempotencyStore.Claim.Claimed claim;
    private String fingerprint;
    /** What became of the key, for the access log; null while undecided. */
    String outcome;
    private long claimedNanos;
    /** An attempt left running after the exchange ended, for its answer to complete an idempotency record. */
    Attempt detached;
    private ScheduledFuture<?> detachTimer;

    IdempotencyStep(Exchange exchange, CompiledRoute route, EdgeServices edge) {
        this.exchange = exchange;
        this.route = route;
        this.edge = edge;
    }

    void checkKey() {
        String header = exchange.request.getHeader(IdempotencyConfig.HEADER);
        if (header == null) {
            if (route.idempotency.required()) {
                outcome = "missing";
                edge.listener().idempotency(route.id(), outcome);
                exchange.refuse(ErrorCode.IDEMPOTENCY_KEY_MISSING, null);
            } else {
                exchange.admit();
            }
            return;
        }
        String key = IdempotencyKeys.parse(header);
        if (key == null) {
            outcome = "invalid";
            edge.listener().idempotency(route.id(), outcome);
            exchange.refuse(ErrorCode.IDEMPOTENCY_KEY_INVALID, null);
            return;
        }
        String client = exchange.client();
        IdempotencyKeys.Fingerprint fingerprint = new IdempotencyKeys.Fingerprint(
                exchange.request.method().name(), exchange.path, exchange.request.query(), client);
        exchange.readWholeBody(fingerprint, () -> {
            this.fingerprint = fingerprint.finish();
            // keys are per client (Stripe's semantics); callers without an API key, per address
            String scoped = (client != null ? "c:" + client : "ip:" + exchange.clientIp()) + ' ' + key;
            edge.idempotency().claim(scoped, this.fingerprint, route.idempotency.lockTimeout())
                    .onComplete(ar -> onClaim(ar.result()));
        });
    }

    private void onClaim(IdempotencyStore.Claim claim) {
        if (exchange.finished) {
            if (claim instanceof IdempotencyStore.Claim.Claimed claimed) {
                edge.idempotency().release(claimed); // the client left while the store was deciding
            }
            return;
        }
        if (claim instanceof IdempotencyStore.Claim.Claimed claimed) {
            this.claim = claimed;
            claimedNanos = System.nanoTime();
            exchange.admit();
        } else if (claim instanceof IdempotencyStore.Claim.InFlight inFlight) {
            refused(inFlight.sameRequest() ? "in_flight" : "reused",
                    inFlight.sameRequest() ? ErrorCode.IDEMPOTENCY_KEY_IN_USE : ErrorCode.IDEMPOTENCY_KEY_REUSED);
        } else if (claim instanceof IdempotencyStore.Claim.Done done) {
            if (!done.sameRequest()) {
                refused("reused", ErrorCode.IDEMPOTENCY_KEY_REUSED);
            } else if (done.response() == null) {
                refused("in_flight", ErrorCode.IDEMPOTENCY_RESPONSE_UNAVAILABLE);
            } else {
                outcome = "replayed";
                edge.listener().idempotency(route.id(), outcome);
                exchange.serveStored(done.response(), null, false, "idempotent-replayed");
            }
        }
    }

    private void refused(String outcome, ErrorCode code) {
        this.outcome = outcome;
        edge.listener().idempotency(route.id(), outcome);
        if (code == ErrorCode.IDEMPOTENCY_KEY_IN_USE) {
            exchange.response.headers().set("retry-after", "1");
        }
        exchange.refuse(code, null);
    }

    /** The largest answer kept for the key's repeats. */
    long maxResponseSize() {
        return route.idempotency.maxResponseSize();
    }

    /** The claimed key's request has its answer: kept for repeats (null body: too large to keep). */
    void complete(int status, List<Map.Entry<String, String>> headers, Buffer body) {
        IdempotencyStore.Claim.Claimed claim = this.claim;
        this.claim = null;
        StoredResponse stored = body == null ? null
                : new StoredResponse(status, headers, body, System.currentTimeMillis(), 0, 0, 0, 0);
        edge.idempotency().complete(claim, fingerprint, stored, route.idempotency.retention());
        outcome = stored == null ? "stored_without_body" : "stored";
        edge.listener().idempotency(route.id(), outcome);
    }

    /**
     * The exchange is over without a stored answer for its key. If an attempt has the whole request and no answer
     * yet, the upstream may be acting on it: the attempt keeps running detached and its answer completes the record
     * (a retry meanwhile gets 409). Otherwise the upstream never had the request and the key is free again.
     */
    void settle() {
        if (claim == null || detached != null) {
            return; // settled already: released, completed, or left running detached
        }
        Attempt waiting = null;
        for (Attempt attempt : new Attempt[]{exchange.current, exchange.hedge, exchange.reported}) {
            if (attempt != null && attempt.sent && attempt.responseHeadNanos < 0 && attempt.request != null
                    && attempt.error != ErrorCode.UPSTREAM_RESET) {
                waiting = attempt;
                break;
            }
        }
        int upstreamStatus = exchange.upstreamStatus;
        if (waiting == null && exchange.cutAfterSend && upstreamStatus == 0) {
            // no answer, and no way to get one: whether the upstream acted is unknown, so the key stays taken
            outcome = "unknown";
            edge.listener().idempotency(route.id(), outcome);
            logKeyStaysTaken();
            claim = null;
            return;
        }
        if (upstreamStatus > 0) {
            // the upstream answered, but the answer was not kept (too large, cut off, or replaced by a fallback):
            // it acted, so the key stays spent and a repeat is told so (409), never sent again
            complete(upstreamStatus, List.of(), null);
            return;
        }
        if (waiting == null) {
            outcome = "released";
            edge.listener().idempotency(route.id(), outcome);
            edge.idempotency().release(claim);
            claim = null;
            return;
        }
        detached = waiting;
        edge.detached().started();
        outcome = "detached";
        edge.listener().idempotency(route.id(), outcome);
        Attempt attempt = waiting;
        detachTimer = exchange.eventLoop.schedule(() -> {
            detachTimer = null;
            if (detached == attempt) {
                detached = null;
                edge.detached().ended();
                edge.listener().idempotency(route.id(), "unknown");
                logKeyStaysTaken();
                if (attempt.request != null) {
                    attempt.request.reset();
                }
            }
        }, Math.max(1, claimedNanos + route.idempotency.lockTimeout().toNanos() - System.nanoTime()),
                TimeUnit.NANOSECONDS); // no longer than the key's lock: after it, another request may hold the key
        // no new handler on attempt.request: once sent, Vert.x refuses ("Request already complete"); the one set when
        // the attempt started hands failures to onAttemptFailure, which passes a detached attempt's on
    }

    private void logKeyStaysTaken() {
        log.atWarn().addKeyValue("route", route.id()).addKeyValue("request_id", exchange.requestId)
                .log("no answer for a request with an idempotency key: the key stays taken until its lock "
                        + "times out, since the upstream may have acted on it");
    }

    void onDetachedResponse(Attempt attempt, HttpClientResponse upstream) {
        IdempotencyStore.Claim.Claimed claim = this.claim;
        attempt.response = upstream;
        attempt.responseHeadNanos = System.nanoTime();
        int status = upstream.statusCode();
        List<Map.Entry<String, String>> headers = CacheRefresh.storableHeaders(upstream.headers());
        boolean mask = status >= 500 && route.config().maskUpstreamErrors();
        Buffer body = Buffer.buffer();
        long limit = route.idempotency.maxResponseSize();
        upstream.exceptionHandler(cause -> onDetachedFailure(attempt, claim));
        upstream.handler(chunk -> {
            if (body.length() + chunk.length() <= limit + 1) {
                body.appendBuffer(chunk);
            }
        });
        upstream.endHandler(v -> {
            if (detached != attempt) {
                return;
            }
            detached = null;
            cancelDetachTimer();
            StoredResponse stored;
            if (mask) {
                Buffer masked = ErrorResponses.buffer(ErrorCode.UPSTREAM_ERROR, exchange.requestId, exchange.traceId());
                stored = new StoredResponse(status, List.of(Map.entry("content-type", "application/json")), masked,
                        System.currentTimeMillis(), 0, 0, 0, 0);
            } else {
                stored = body.length() > limit ? null : new StoredResponse(status, headers, body,
                        System.currentTimeMillis(), 0, 0, 0, 0);
            }
            // the graceful stop waits for this write, not just for the answer
            edge.idempotency().complete(claim, fingerprint, stored, route.idempotency.retention())
                    .onComplete(ar -> edge.detached().ended());
            edge.listener().idempotency(route.id(), "stored");
            log.atInfo().addKeyValue("route", route.id()).addKeyValue("request_id", exchange.requestId)
                    .addKeyValue("upstream_status", status)
                    .log("answer to a request whose client had gone stored for its idempotency key");
        });
    }

    private void cancelDetachTimer() {
        if (detachTimer != null) {
            detachTimer.cancel(false);
            detachTimer = null;
        }
    }

    void onDetachedFailure(Attempt attempt, IdempotencyStore.Claim.Claimed claim) {
        if (detached != attempt) {
            return;
        }
        detached = null;
        edge.detached().ended();
        cancelDetachTimer();
        if (attempt.responseHeadNanos < 0 && attempt.response == null) {
            // reset before any byte of an answer: taken as never processed, as for any failure before a response
            edge.idempotency().release(claim);
            edge.listener().idempotency(route.id(), "released");
        } else {
            // it answered, then broke off: it acted, but its answer cannot be replayed
            edge.idempotency().complete(claim, fingerprint, null, route.idempotency.retention());
            edge.listener().idempotency(route.id(), "stored_without_body");
        }
    }
}
