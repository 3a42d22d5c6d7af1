package dev.rampart.core.config;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A known client of the gateway, recognised by one of its API keys.
 *
 * @param name          a name for logs and metrics
 * @param apiKeyHashes  the SHA-256 of each of its API keys, as 64 lower-case hex digits (keys are never stored)
 * @param routes        the route ids it may use; empty = every route
 * @param limits        rate limits on all of its requests, whichever route they take, on top of each route's own
 * @param maxConcurrent the most of its requests in flight at once, over all routes; 0 = no limit
 */
public record ClientConfig(String name, List<String> apiKeyHashes, Set<String> routes, List<RateLimitConfig> limits,
                           int maxConcurrent) {
    public static final int MAX_MAX_CONCURRENT = 100_000;

    public ClientConfig {
        Objects.requireNonNull(name, "name");
        apiKeyHashes = List.copyOf(apiKeyHashes);
        routes = Collections.unmodifiableSet(new LinkedHashSet<>(routes)); // keeps file order
        limits = List.copyOf(limits);
    }

    /** Whether this client may use the route {@code routeId}. */
    public boolean mayUse(String routeId) {
        return routes.isEmpty() || routes.contains(routeId);
    }
}
