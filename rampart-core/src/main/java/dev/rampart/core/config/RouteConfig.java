package dev.rampart.core.config;

import java.util.Objects;

/**
 * One route: which requests it takes and where they go.
 *
 * @param rewrite     how the path is changed before it is sent upstream; {@code null} keeps it as it is
 * @param maxBodySize        largest request body accepted, in bytes; larger gets 413
 * @param serverTiming       whether responses carry a {@code Server-Timing} header with the gateway's per-hop times
 * @param maskUpstreamErrors whether an upstream's 5xx body is replaced by the gateway's JSON error (rule 13)
 * @param retries            when a failed request is tried again; {@link RetryConfig#disabled()} when off
 * @param hedge              a second attempt when the first is slow; {@code null} = no hedging
 * @param fallback           the response given when the upstream cannot be used; {@code null} = the usual error
 * @param concurrencyLimit   the most requests in flight on this route; {@code null} = no limit of its own
 * @param critical           whether the route is kept serving first when the gateway sheds load
 * @param fault              faults injected on purpose; {@code null} = none
 * @param admission          which requests are admitted: client required, rate and per-client concurrency limits
 * @param sideEffects        whether the route changes the world (charges, e-mails, writes): such routes can be
 *                           paused by an operator (rule 16)
 * @param cache              the response cache; {@code null} = none
 * @param idempotency        idempotency keys at the edge; {@code null} = off
 * @param cachePurge         paths (exact, or a prefix ending in {@code *}) whose cached responses are dropped after
 *                           a successful request on this route, beyond the request's own path
 */
public record RouteConfig(String id, RouteMatch match, String upstream, PathRewrite rewrite, TimeoutsConfig timeouts,
                          long maxBodySize, boolean serverTiming, boolean maskUpstreamErrors, RetryConfig retries,
                          HedgeConfig hedge, FallbackConfig fallback, ConcurrencyLimitConfig concurrencyLimit,
                          boolean critical, FaultConfig fault, AdmissionConfig admission,
                          boolean sideEffects, CacheConfig cache, IdempotencyConfig idempotency,
                          java.util.List<String> cachePurge, WebSocketConfig webSocket) {
    public static final long DEFAULT_MAX_BODY_SIZE = 10L * 1024 * 1024;
    public static final long MAX_MAX_BODY_SIZE = 64L * 1024 * 1024 * 1024;

    public RouteConfig {
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(webSocket, "webSocket");
        cachePurge = java.util.List.copyOf(cachePurge);
    }
}
