package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checks: each endpoint of an upstream is probed with {@code GET path}; a 2xx or 3xx answer is a pass.
 *
 * @param path               the path (and optional query) probed, starting with {@code /}
 * @param interval           time between two probes of one endpoint
 * @param timeout            bound on one probe; shorter than the interval
 * @param healthyThreshold   successful probes in a row that bring an unhealthy endpoint back
 * @param unhealthyThreshold failed probes in a row that take a healthy endpoint out
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int healthyThreshold,
                                int unhealthyThreshold) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    public static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    public static final Duration MAX_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
    public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
    public static final int MAX_THRESHOLD = 100;

    public HealthCheckConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
    }
}
