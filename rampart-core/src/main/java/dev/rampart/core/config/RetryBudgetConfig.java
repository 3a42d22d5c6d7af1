package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The share of an upstream's traffic that may be retries, so that retries cannot multiply the load on an upstream
 * that is already failing.
 *
 * @param ratio               retries allowed per request sent, over the window (0.2 = one retry per five requests)
 * @param minRetriesPerSecond retries always allowed, so that a quiet upstream can still be retried
 * @param window              how far back requests and retries are counted
 */
public record RetryBudgetConfig(boolean enabled, double ratio, int minRetriesPerSecond, Duration window) {
    public static final double DEFAULT_RATIO = 0.2;
    public static final int DEFAULT_MIN_RETRIES_PER_SECOND = 3;
    public static final int MAX_MIN_RETRIES_PER_SECOND = 100_000;
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_WINDOW = Duration.ofMinutes(5);

    public RetryBudgetConfig {
        Objects.requireNonNull(window, "window");
    }

    public static RetryBudgetConfig defaults() {
        return new RetryBudgetConfig(true, DEFAULT_RATIO, DEFAULT_MIN_RETRIES_PER_SECOND, DEFAULT_WINDOW);
    }
}
