package dev.rampart.core.config;

import java.util.List;
import java.util.Objects;

/**
 * Which requests a route admits: whether a known client is required, and the rate and concurrency limits on top of
 * the client's own.
 *
 * @param requireClient          whether a request without a known client's API key is refused
 * @param rateLimits             the route's rate limits; a request must pass all of them and its client's
 * @param maxConcurrentPerClient the most requests of one client in flight on this route; 0 = no limit
 * @param rateLimitHeaders       whether responses carry {@code RateLimit-*} headers
 * @param onRedisFailure         what the rate limits do while Redis cannot be reached; unused without Redis
 */
public record AdmissionConfig(boolean requireClient, List<RateLimitConfig> rateLimits, int maxConcurrentPerClient,
                              boolean rateLimitHeaders, RedisFailureMode onRedisFailure) {
    public static final int MAX_MAX_CONCURRENT_PER_CLIENT = 100_000;

    public AdmissionConfig {
        rateLimits = List.copyOf(rateLimits);
        Objects.requireNonNull(onRedisFailure, "onRedisFailure");
    }

    /** Every request admitted: no client required, no limit. */
    public static AdmissionConfig none() {
        return new AdmissionConfig(false, List.of(), 0, false, RedisFailureMode.LOCAL);
    }
}
