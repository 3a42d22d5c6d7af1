package dev.rampart.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * WebSocket upgrades on a route. When enabled (the default), a {@code GET} asking to upgrade to {@code websocket}
 * is tunnelled to the upstream once the upstream agrees (101), and the tunnel is closed after {@code idleTimeout}
 * without a byte in either direction; a tunnel outlives the route's total timeout, which bounds only its handshake.
 * When disabled, the upgrade headers are dropped like any other hop-by-hop header, as nginx does without
 * {@code proxy_set_header Upgrade}.
 */
public record WebSocketConfig(boolean enabled, Duration idleTimeout) {
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(24);

    public WebSocketConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    public static WebSocketConfig defaults() {
        return new WebSocketConfig(true, DEFAULT_IDLE_TIMEOUT);
    }
}
