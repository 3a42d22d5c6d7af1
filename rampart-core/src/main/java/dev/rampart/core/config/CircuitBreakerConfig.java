package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * When an upstream stops being called because too many of its recent calls failed or were slow.
 *
 * @param failureRateThreshold  percentage (above 0, at most 100) of failed calls in the window that opens the circuit
 * @param slowCallRateThreshold percentage (above 0, at most 100) of slow calls in the window that opens the circuit
 * @param slowCallDuration      a call that takes longer than this is slow
 * @param window                how far back calls are counted (a sliding time window)
 * @param minimumCalls          calls needed in the window before a rate is judged
 * @param openDuration          how long the circuit stays open before trial calls are let through
 * @param halfOpenCalls         trial calls let through while half-open; their outcome closes or reopens the circuit
 */
public record CircuitBreakerConfig(boolean enabled, double failureRateThreshold, double slowCallRateThreshold,
                                   Duration slowCallDuration, Duration window, int minimumCalls,
                                   Duration openDuration, int halfOpenCalls) {
    public static final double DEFAULT_FAILURE_RATE_THRESHOLD = 50;
    public static final double DEFAULT_SLOW_CALL_RATE_THRESHOLD = 80;
    public static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(5);
    public static final Duration MAX_SLOW_CALL_DURATION = Duration.ofMinutes(5);
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_WINDOW = Duration.ofMinutes(10);
    public static final int DEFAULT_MINIMUM_CALLS = 20;
    public static final int MAX_MINIMUM_CALLS = 100_000;
    /** Short enough that a healed endpoint is probed again within seconds (Hystrix's sleep window). */
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(5);
    public static final Duration MAX_OPEN_DURATION = Duration.ofMinutes(10);
    public static final int DEFAULT_HALF_OPEN_CALLS = 3;
    public static final int MAX_HALF_OPEN_CALLS = 1000;

    public CircuitBreakerConfig {
        Objects.requireNonNull(slowCallDuration, "slowCallDuration");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(openDuration, "openDuration");
    }

    public static CircuitBreakerConfig defaults() {
        return new CircuitBreakerConfig(true, DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_SLOW_CALL_RATE_THRESHOLD,
                DEFAULT_SLOW_CALL_DURATION, DEFAULT_WINDOW, DEFAULT_MINIMUM_CALLS, DEFAULT_OPEN_DURATION,
                DEFAULT_HALF_OPEN_CALLS);
    }
}
