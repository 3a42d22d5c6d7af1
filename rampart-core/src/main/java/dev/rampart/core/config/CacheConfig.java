package dev.rampart.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A route's response cache (GET and HEAD only), following the HTTP caching rules a shared cache must honour
 * (RFC 9111, RFC 5861).
 *
 * @param ttl                  freshness when the upstream gives none ({@code s-maxage}, {@code max-age},
 *                             {@code Expires}); {@code null}: such responses are not stored
 * @param staleWhileRevalidate how long past freshness a stale copy is served at once while one background request
 *                             refreshes it, unless the response says otherwise
 * @param staleIfError         how long past freshness a stale copy stands in for a failing upstream, unless the
 *                             response says otherwise
 * @param store                where entries live: in this process, or in Redis shared by every instance
 * @param maxObjectSize        largest response body stored, in bytes; larger responses pass through uncached
 * @param keyHeaders           request headers (lower-case) added to the key, beyond those the response's
 *                             {@code Vary} names
 * @param keyClient            whether the calling client (from its API key) is part of the key
 */
public record CacheConfig(Duration ttl, Duration staleWhileRevalidate, Duration staleIfError, Store store,
                          long maxObjectSize, List<String> keyHeaders, boolean keyClient) {
    public static final long DEFAULT_MAX_OBJECT_SIZE = 1024 * 1024;
    public static final long MAX_MAX_OBJECT_SIZE = 64L * 1024 * 1024;
    public static final Duration MAX_TTL = Duration.ofDays(365);

    public CacheConfig {
        Objects.requireNonNull(staleWhileRevalidate, "staleWhileRevalidate");
        Objects.requireNonNull(staleIfError, "staleIfError");
        Objects.requireNonNull(store, "store");
        keyHeaders = List.copyOf(keyHeaders);
    }

    /** Where cache entries are kept. */
    public enum Store {
        /** In this process (Caffeine, bounded in bytes). */
        LOCAL("local"),
        /** In Redis, shared by every instance; the local store stands in while Redis is away. */
        REDIS("redis");

        private final String configName;

        Store(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }
}
