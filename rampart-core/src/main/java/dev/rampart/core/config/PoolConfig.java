package dev.rampart.core.config;

import java.time.Duration;

/**
 * The connection pool kept per upstream endpoint.
 *
 * @param maxConnections most connections open to one endpoint
 * @param maxWaiting     most requests queued for a connection to one endpoint; beyond that the request fails fast (503)
 * @param idleTimeout    an idle pooled connection is closed after this long
 */
public record PoolConfig(int maxConnections, int maxWaiting, Duration idleTimeout) {
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final int DEFAULT_MAX_WAITING = 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    public static PoolConfig defaults() {
        return new PoolConfig(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_WAITING, DEFAULT_IDLE_TIMEOUT);
    }
}
