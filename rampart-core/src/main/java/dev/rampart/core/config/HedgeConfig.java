package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A second attempt sent to another endpoint when the first one is slow; the first response wins.
 *
 * @param delay    how long the first attempt runs alone; {@code null} = the route's measured p95 latency
 * @param minDelay the shortest delay when the p95 is used, so a fast route does not hedge every request
 */
public record HedgeConfig(Duration delay, Duration minDelay) {
    public static final Duration DEFAULT_MIN_DELAY = Duration.ofMillis(5);
    public static final Duration MAX_DELAY = Duration.ofMinutes(1);

    public HedgeConfig {
        Objects.requireNonNull(minDelay, "minDelay");
    }

    /** Whether the delay follows the route's measured p95 rather than a fixed value. */
    public boolean followsP95() {
        return delay == null;
    }
}
