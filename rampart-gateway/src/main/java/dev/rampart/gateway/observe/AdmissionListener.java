package dev.rampart.gateway.observe;

/**
 * Told what admission decided, on the request's event loop: implementations must be quick and must not block.
 * {@code client} is a declared client's name or {@code none}; {@code limit} a configured limit name.
 */
public interface AdmissionListener {
    AdmissionListener NONE = new AdmissionListener() {
    };

    /** One rate limit's decision for one request: {@code allowed} or refused. */
    default void rateLimitDecision(String route, String limit, String client, boolean allowed) {
    }

    /** A request refused before its limits: {@code unauthorized}, {@code forbidden} or {@code concurrency}. */
    default void refused(String route, String reason, String client) {
    }

    /** One round trip to Redis for a decision, and whether it answered in time. */
    default void redisDecision(long nanos, boolean ok) {
    }

    /** A decision made without Redis because it was away: {@code local}, {@code open} or {@code closed}. */
    default void redisFallback(String route, String mode) {
    }
}
