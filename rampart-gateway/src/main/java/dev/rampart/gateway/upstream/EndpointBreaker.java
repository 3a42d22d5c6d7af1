package dev.rampart.gateway.upstream;

import dev.rampart.core.config.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The circuit breaker of one upstream endpoint (Resilience4j): failure and slow-call rates over a time window, a
 * minimum number of calls before it may open, an open period, then a few half-open probe calls. Every state change
 * is logged with the upstream and endpoint it belongs to, so an operator can tell which backend tripped.
 */
public final class EndpointBreaker {
    private static final Logger log = LoggerFactory.getLogger(EndpointBreaker.class);
    /** Marks a failed call for Resilience4j, which wants a Throwable; never thrown, so no stack is filled. */
    private static final Throwable FAILED = new Throwable("upstream call failed", null, false, false) {
    };

    private final CircuitBreaker breaker;
    private final long openNanos;
    private volatile long openedAtNanos;

    EndpointBreaker(String upstream, String endpoint, CircuitBreakerConfig config) {
        int windowSeconds = (int) Math.max(1, config.window().toSeconds());
        this.openNanos = config.openDuration().toNanos();
        this.breaker = CircuitBreaker.of(upstream + " " + endpoint,
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                        .failureRateThreshold((float) config.failureRateThreshold())
                        .slowCallRateThreshold((float) config.slowCallRateThreshold())
                        .slowCallDurationThreshold(config.slowCallDuration())
                        .slidingWindow(windowSeconds, config.minimumCalls(), SlidingWindowType.TIME_BASED,
                                SlidingWindowSynchronizationStrategy.LOCK_FREE)
                        .waitDurationInOpenState(config.openDuration())
                        .permittedNumberOfCallsInHalfOpenState(config.halfOpenCalls())
                        // the open state ends lazily, on the first request after the open period
                        .automaticTransitionFromOpenToHalfOpenEnabled(false)
                        .writableStackTraceEnabled(false)
                        .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.State to = event.getStateTransition().getToState();
            if (to == CircuitBreaker.State.OPEN) {
                openedAtNanos = System.nanoTime();
            }
            CircuitBreaker.Metrics metrics = breaker.getMetrics();
            // opening is the news; probing and closing again are the recovery
            (to == CircuitBreaker.State.OPEN ? log.atWarn() : log.atInfo()).addKeyValue("upstream", upstream).addKeyValue("endpoint", endpoint)
                    .addKeyValue("from", stateName(event.getStateTransition().getFromState()))
                    .addKeyValue("to", stateName(to))
                    .addKeyValue("failure_rate", metrics.getFailureRate())
                    .addKeyValue("slow_call_rate", metrics.getSlowCallRate())
                    .log("circuit breaker " + stateName(to).replace('_', '-'));
        });
    }

    /** Whether a call may go to the endpoint now; a permission not used must be {@link #release released}. */
    public boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    public void release() {
        breaker.releasePermission();
    }

    public void onSuccess(long durationNanos) {
        breaker.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
    }

    public void onFailure(long durationNanos) {
        breaker.onError(durationNanos, TimeUnit.NANOSECONDS, FAILED);
    }

    public boolean isOpen() {
        CircuitBreaker.State state = breaker.getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    /** {@code closed}, {@code open} or {@code half_open}. */
    public String state() {
        return stateName(breaker.getState());
    }

    /** How long until an open breaker lets a probe through; 0 when it is not open. */
    public long retryAfterNanos(long nowNanos) {
        if (!isOpen()) {
            return 0;
        }
        return Math.max(0, openedAtNanos + openNanos - nowNanos);
    }

    public float failureRate() {
        return breaker.getMetrics().getFailureRate();
    }

    public float slowCallRate() {
        return breaker.getMetrics().getSlowCallRate();
    }

    public int bufferedCalls() {
        return breaker.getMetrics().getNumberOfBufferedCalls();
    }

    public long notPermittedCalls() {
        return breaker.getMetrics().getNumberOfNotPermittedCalls();
    }

    static String stateName(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> "closed";
            case OPEN, FORCED_OPEN -> "open";
            case HALF_OPEN -> "half_open";
            case DISABLED, METRICS_ONLY -> "disabled";
        };
    }
}
