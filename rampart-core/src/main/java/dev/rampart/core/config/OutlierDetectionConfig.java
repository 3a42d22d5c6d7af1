package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * When one endpoint of an upstream is taken out of the rotation for a while because it keeps failing.
 *
 * @param consecutiveFailures failures in a row that eject an endpoint
 * @param baseEjection        how long the first ejection lasts; each further ejection of the endpoint lasts longer
 * @param maxEjection         the longest an ejection lasts
 * @param maxEjectedRatio     the largest share (0..1) of an upstream's endpoints ejected at once
 */
public record OutlierDetectionConfig(boolean enabled, int consecutiveFailures, Duration baseEjection,
                                     Duration maxEjection, double maxEjectedRatio) {
    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    public static final int MAX_CONSECUTIVE_FAILURES = 1000;
    public static final Duration DEFAULT_BASE_EJECTION = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_EJECTION = Duration.ofSeconds(300);
    public static final Duration MAX_EJECTION = Duration.ofHours(1);
    public static final double DEFAULT_MAX_EJECTED_RATIO = 0.5;

    public OutlierDetectionConfig {
        Objects.requireNonNull(baseEjection, "baseEjection");
        Objects.requireNonNull(maxEjection, "maxEjection");
    }

    public static OutlierDetectionConfig defaults() {
        return new OutlierDetectionConfig(true, DEFAULT_CONSECUTIVE_FAILURES, DEFAULT_BASE_EJECTION,
                DEFAULT_MAX_EJECTION, DEFAULT_MAX_EJECTED_RATIO);
    }
}
