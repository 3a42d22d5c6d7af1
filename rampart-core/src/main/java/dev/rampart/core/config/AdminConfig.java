package dev.rampart.core.config;

/** The control-plane listener (health, readiness, later the admin API); loopback-only by default. */
public record AdminConfig(String bind, int port) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 9090;

    public static AdminConfig defaults() {
        return new AdminConfig(DEFAULT_BIND, DEFAULT_PORT);
    }
}
