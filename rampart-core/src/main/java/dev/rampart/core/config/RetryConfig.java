package dev.rampart.core.config;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one route tries a request again after a failure that is safe to retry.
 *
 * @param attempts        tries in all, the first one included: 1 means no retry
 * @param conditions      failures, other than statuses, that are retried
 * @param statuses        upstream response statuses that are retried
 * @param perTryTimeout   bound on one attempt; {@code null} = none, an attempt is bounded by the route's timeouts only
 * @param backoffBase     delay before the first retry; it doubles per retry up to {@code backoffCap}
 * @param backoffCap      the longest delay between two attempts
 * @param jitter          whether each delay is drawn at random between 0 and its value ("full jitter")
 * @param maxBufferedBody largest request body kept to be sent again, in bytes; a larger one is not retried
 */
public record RetryConfig(int attempts, Set<RetryCondition> conditions, Set<Integer> statuses, Duration perTryTimeout,
                          Duration backoffBase, Duration backoffCap, boolean jitter, long maxBufferedBody) {
    public static final int DEFAULT_ATTEMPTS = 2;
    public static final int MAX_ATTEMPTS = 5;
    public static final Set<RetryCondition> DEFAULT_CONDITIONS =
            Collections.unmodifiableSet(EnumSet.allOf(RetryCondition.class));
    public static final Set<Integer> DEFAULT_STATUSES = Set.of(502, 503, 504);
    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
    public static final Duration DEFAULT_BACKOFF_CAP = Duration.ofMillis(250);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_BUFFERED_BODY = 64 * 1024;
    public static final long MAX_MAX_BUFFERED_BODY = 16 * 1024 * 1024;

    public RetryConfig {
        conditions = conditions.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(EnumSet.copyOf(conditions));
        statuses = Collections.unmodifiableSet(new TreeSet<>(statuses));
        Objects.requireNonNull(backoffBase, "backoffBase");
        Objects.requireNonNull(backoffCap, "backoffCap");
    }

    public static RetryConfig defaults() {
        return new RetryConfig(DEFAULT_ATTEMPTS, DEFAULT_CONDITIONS, DEFAULT_STATUSES, null, DEFAULT_BACKOFF_BASE,
                DEFAULT_BACKOFF_CAP, true, DEFAULT_MAX_BUFFERED_BODY);
    }

    /** The defaults with a single attempt: what {@code retries: off} means. */
    public static RetryConfig disabled() {
        return new RetryConfig(1, DEFAULT_CONDITIONS, DEFAULT_STATUSES, null, DEFAULT_BACKOFF_BASE,
                DEFAULT_BACKOFF_CAP, true, DEFAULT_MAX_BUFFERED_BODY);
    }

    /** Whether a failed request may be tried again at all. */
    public boolean enabled() {
        return attempts > 1;
    }
}
