package dev.rampart.gateway.resilience;

import dev.rampart.core.config.RetryCondition;
import dev.rampart.core.config.RetryConfig;
import dev.rampart.core.resilience.Backoff;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.util.Set;

/**
 * When a route's request may be sent again: how many attempts in all, on which failures, after how long, and
 * whether the request itself is safe to repeat (its method is idempotent or it carries an {@code Idempotency-Key}).
 */
public final class RetryPolicy {
    /** The kinds of failed attempts a retry can follow. */
    public enum Failure { CONNECT_FAILURE, RESET, PER_TRY_TIMEOUT, STATUS }

    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE);

    private final RetryConfig config;
    private final Backoff backoff;
    private final long perTryTimeoutMillis;
    private final boolean[] statuses = new boolean[600];

    public RetryPolicy(RetryConfig config) {
        this.config = config;
        this.backoff = new Backoff(config.backoffBase().toNanos(), config.backoffCap().toNanos(), config.jitter());
        this.perTryTimeoutMillis = config.perTryTimeout() == null ? -1 : config.perTryTimeout().toMillis();
        for (int status : config.statuses()) {
            statuses[status] = true;
        }
    }

    /** Attempts in all, the first included. */
    public int attempts() {
        return config.attempts();
    }

    /** The per-try timeout in milliseconds, or -1 when attempts are bounded only by the route's timeouts. */
    public long perTryTimeoutMillis() {
        return perTryTimeoutMillis;
    }

    public long maxBufferedBody() {
        return config.maxBufferedBody();
    }

    public Backoff backoff() {
        return backoff;
    }

    /** Whether this request may ever be sent twice: an idempotent method, or an {@code Idempotency-Key}. */
    public static boolean repeatable(HttpServerRequest request) {
        return IDEMPOTENT.contains(request.method()) || request.getHeader("idempotency-key") != null;
    }

    public boolean retriesOn(Failure failure) {
        return switch (failure) {
            case CONNECT_FAILURE -> config.conditions().contains(RetryCondition.CONNECT_FAILURE);
            case RESET -> config.conditions().contains(RetryCondition.RESET);
            case PER_TRY_TIMEOUT -> config.conditions().contains(RetryCondition.PER_TRY_TIMEOUT);
            case STATUS -> false;
        };
    }

    public boolean retriesOnStatus(int status) {
        return status >= 0 && status < statuses.length && statuses[status];
    }
}
