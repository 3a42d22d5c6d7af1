package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Idempotency keys at the edge (draft-ietf-httpapi-idempotency-key-header, with Stripe's semantics): the first
 * request with a key goes upstream, its response is kept, and every repeat within the retention gets that response.
 *
 * @param required        whether a request of {@code methods} without the header is refused (400)
 * @param methods         the methods the key applies to; others pass through untouched
 * @param retention       how long a response is kept for repeats
 * @param maxResponseSize largest response body kept; a larger answer is still sent but a repeat then gets 409
 * @param lockTimeout     how long a key stays taken by a request whose outcome is not known yet (the gateway
 *                        waits this long for an upstream that already has the request, even after its client left)
 */
public record IdempotencyConfig(boolean required, Set<String> methods, Duration retention, long maxResponseSize,
                                Duration lockTimeout) {
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final Duration MAX_RETENTION = Duration.ofDays(30);
    public static final long DEFAULT_MAX_RESPONSE_SIZE = 1024 * 1024;
    public static final long MAX_MAX_RESPONSE_SIZE = 16L * 1024 * 1024;
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration MAX_LOCK_TIMEOUT = Duration.ofHours(1);
    public static final Set<String> DEFAULT_METHODS = Set.of("POST", "PATCH");
    /** The header's name (draft-ietf-httpapi-idempotency-key-header). */
    public static final String HEADER = "idempotency-key";
    /** Keys are opaque strings; the draft's examples are UUIDs. Longer ones are refused. */
    public static final int MAX_KEY_LENGTH = 255;

    public IdempotencyConfig {
        methods = Set.copyOf(methods);
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
    }
}
