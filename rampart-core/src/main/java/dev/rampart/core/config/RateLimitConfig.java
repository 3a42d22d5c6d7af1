package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A rate limit: at most {@code count} requests per {@code period} for each value of {@code key}, with bursts of up
 * to {@code burst} requests (a GCRA, or token bucket, of that size).
 *
 * @param name         unique among the limits of its route (or client); names the limit in logs and metrics
 * @param unidentified the bucket of requests with no value for the key; {@code null} when the key is
 *                     {@linkplain RateLimitKey#alwaysKnown() always known}
 */
public record RateLimitConfig(String name, RateLimitKey key, long count, Duration period, long burst,
                              Unidentified unidentified) {
    public static final long MAX_COUNT = 1_000_000_000L;

    public RateLimitConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(period, "period");
        if ((unidentified == null) != key.alwaysKnown()) {
            throw new IllegalArgumentException("unidentified must be set exactly when the key can be unknown");
        }
    }

    /**
     * The separate bucket shared by all requests whose key cannot be determined (no known client, header missing,
     * no valid JWT / claim): never unlimited.
     */
    public record Unidentified(long count, Duration period, long burst) {
        public Unidentified {
            Objects.requireNonNull(period, "period");
        }
    }
}
